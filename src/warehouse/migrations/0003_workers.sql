-- Scheduled syncs and the workers that run them.

-- a stop request for a running run: the engine sees it at its next heartbeat and stops after the
-- page in hand, whichever process runs it
ALTER TABLE crmsync.sync_runs ADD COLUMN stop_requested_at timestamptz;
ALTER TABLE crmsync.sync_runs ADD COLUMN worker_id text;

CREATE TABLE crmsync.schedules (
  id              bigserial PRIMARY KEY,
  source          text NOT NULL,
  -- null: every stream of the source
  stream          text,
  every_seconds   integer CHECK (every_seconds IS NULL OR every_seconds >= 10),
  cron            text,
  mode            text NOT NULL DEFAULT 'incremental' CHECK (mode IN ('incremental', 'full')),
  paused          boolean NOT NULL DEFAULT false,
  next_run_at     timestamptz NOT NULL,
  last_enqueued_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((every_seconds IS NULL) <> (cron IS NULL))
);
CREATE UNIQUE INDEX schedules_target_idx ON crmsync.schedules (source, coalesce(stream, ''), mode);

-- live workers: each refreshes its row every few seconds; a silent one is dead and its jobs are retried
CREATE TABLE crmsync.workers (
  id              text PRIMARY KEY,
  host            text NOT NULL,
  pid             integer NOT NULL,
  concurrency     integer NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  heartbeat_at    timestamptz NOT NULL DEFAULT now(),
  stopping        boolean NOT NULL DEFAULT false,
  -- [{jobId, source, stream, runId, startedAt}]
  jobs            jsonb NOT NULL DEFAULT '[]'
);
