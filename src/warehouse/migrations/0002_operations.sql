-- Operations: the credential store, alerts and their deliveries, the automation engine's log and
-- the per-source circuit breakers. Shared by every process on the warehouse.

-- one row per source: its secrets as one AES-256-GCM-encrypted JSON object; never plaintext
CREATE TABLE crmsync.credentials (
  source        text PRIMARY KEY,
  ciphertext    bytea NOT NULL,
  iv            bytea NOT NULL,
  auth_tag      bytea NOT NULL,
  -- which master key encrypted it (a fingerprint, not the key), so rotation can prove it finished
  key_id        text NOT NULL,
  -- the variable names it holds, for `credentials list`; values never leave the ciphertext
  variables     text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crmsync.alerts (
  id              bigserial PRIMARY KEY,
  rule            text NOT NULL,
  -- the same problem keeps one alert: rule + source + stream
  dedupe_key      text NOT NULL,
  source          text,
  stream          text,
  severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  title           text NOT NULL,
  message         text NOT NULL,
  value           double precision,
  threshold       double precision,
  details         jsonb NOT NULL DEFAULT '{}',
  opened_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_notified_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at     timestamptz
);
-- at most one unresolved alert per problem
CREATE UNIQUE INDEX alerts_open_idx ON crmsync.alerts (dedupe_key) WHERE status <> 'resolved';
CREATE INDEX alerts_opened_idx ON crmsync.alerts (opened_at DESC);

CREATE TABLE crmsync.alert_deliveries (
  id            bigserial PRIMARY KEY,
  alert_id      bigint REFERENCES crmsync.alerts (id) ON DELETE CASCADE,
  channel       text NOT NULL,
  -- opened | resolved | test
  event         text NOT NULL,
  status        text NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts      integer NOT NULL,
  error         text,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_deliveries_alert_idx ON crmsync.alert_deliveries (alert_id);

-- every action the automation engine takes: what, why, and how it turned out
CREATE TABLE crmsync.automation_events (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  source        text,
  stream        text,
  run_id        bigint,
  action        text NOT NULL,
  reason        text NOT NULL,
  outcome       text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX automation_events_at_idx ON crmsync.automation_events (at DESC);

-- the circuit breaker of each source, shared by every process syncing it
CREATE TABLE crmsync.circuit_breakers (
  source            text PRIMARY KEY,
  state             text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  -- failure times inside the window, newest last
  failures          timestamptz[] NOT NULL DEFAULT '{}',
  successes         integer NOT NULL DEFAULT 0,
  opened_at         timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
