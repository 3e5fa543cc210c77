-- crmsync's own schema: run history, per-stream state and rejected records.
CREATE SCHEMA IF NOT EXISTS crmsync;

CREATE TABLE crmsync.sync_runs (
  id            bigserial PRIMARY KEY,
  source        text NOT NULL,
  stream        text NOT NULL,
  -- incremental | full | force | backfill
  mode          text NOT NULL,
  status        text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'cancelled')),
  trigger       text NOT NULL DEFAULT 'cli',
  window_since  text,
  window_until  text,
  cursor_from   jsonb,
  cursor_to     jsonb,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  fetched       bigint NOT NULL DEFAULT 0,
  inserted      bigint NOT NULL DEFAULT 0,
  updated       bigint NOT NULL DEFAULT 0,
  unchanged     bigint NOT NULL DEFAULT 0,
  rejected      bigint NOT NULL DEFAULT 0,
  deleted       bigint NOT NULL DEFAULT 0,
  pages         integer NOT NULL DEFAULT 0,
  fetch_ms      bigint NOT NULL DEFAULT 0,
  write_ms      bigint NOT NULL DEFAULT 0,
  duration_ms   bigint,
  attempts      integer NOT NULL DEFAULT 1,
  error_code    text,
  error         text,
  host          text,
  pid           integer
);
CREATE INDEX sync_runs_stream_idx ON crmsync.sync_runs (source, stream, started_at DESC);
CREATE INDEX sync_runs_started_idx ON crmsync.sync_runs (started_at DESC);
CREATE INDEX sync_runs_running_idx ON crmsync.sync_runs (status) WHERE status = 'running';

-- one row per committed page: batch processing times for alerts and the dashboard
CREATE TABLE crmsync.run_pages (
  run_id        bigint NOT NULL REFERENCES crmsync.sync_runs (id) ON DELETE CASCADE,
  page_no       integer NOT NULL,
  fetched       integer NOT NULL,
  inserted      integer NOT NULL,
  updated       integer NOT NULL,
  unchanged     integer NOT NULL,
  rejected      integer NOT NULL,
  deleted       integer NOT NULL,
  fetch_ms      integer NOT NULL,
  write_ms      integer NOT NULL,
  cursor        jsonb,
  committed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, page_no)
);

-- where each stream resumes; written in the same transaction as the rows it covers
CREATE TABLE crmsync.stream_state (
  source            text NOT NULL,
  stream            text NOT NULL,
  cursor            jsonb,
  -- a full pass in progress: {passId, mode, runId, startedAt, tracksKeys}; null when none
  full_pass         jsonb,
  last_run_id       bigint,
  last_success_at   timestamptz,
  last_full_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, stream)
);

CREATE TABLE crmsync.rejects (
  id            bigserial PRIMARY KEY,
  run_id        bigint REFERENCES crmsync.sync_runs (id) ON DELETE CASCADE,
  source        text NOT NULL,
  stream        text NOT NULL,
  record_key    text,
  reason        text NOT NULL,
  raw           jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejects_run_idx ON crmsync.rejects (run_id);
CREATE INDEX rejects_stream_idx ON crmsync.rejects (source, stream, created_at DESC);

-- keys seen by a full pass that may have to soft-delete rows; dropped when the pass ends
CREATE TABLE crmsync.pass_keys (
  pass_id       text NOT NULL,
  record_key    text NOT NULL
);
CREATE INDEX pass_keys_pass_idx ON crmsync.pass_keys (pass_id);
