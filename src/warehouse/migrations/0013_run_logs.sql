-- Each run's log lines (info and above), so that an operator reads what a run did — its start,
-- its retries, its timings, its end — from any process, while it runs and after. Bounded per run
-- by the writer (src/engine/run-log.ts); removed with their run.
CREATE TABLE crmsync.run_logs (
  run_id   bigint NOT NULL REFERENCES crmsync.sync_runs (id) ON DELETE CASCADE,
  seq      integer NOT NULL,
  at       timestamptz NOT NULL,
  level    text NOT NULL,
  message  text NOT NULL,
  fields   jsonb,
  PRIMARY KEY (run_id, seq)
);
