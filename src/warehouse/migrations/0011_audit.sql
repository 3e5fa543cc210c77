-- Every state-changing request to the dashboard's API, refused ones included: when, what, from
-- which address, and how it ended (the HTTP status).
CREATE TABLE crmsync.audit_events (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  action      text NOT NULL,
  target      text NOT NULL,
  address     text NOT NULL,
  status      integer NOT NULL,
  detail      jsonb
);
CREATE INDEX audit_events_at_idx ON crmsync.audit_events (at DESC);

-- an alert silenced for a period: no notification until then, though it stays open and resolves
ALTER TABLE crmsync.alerts ADD COLUMN silenced_until timestamptz;
