-- Which source's data each source schema holds (its endpoint, database, account), so that a sync
-- configured against another source's data is stopped instead of reading nothing past the cursors
-- the first one left.
CREATE TABLE crmsync.source_identity (
  source       text PRIMARY KEY,
  identity     jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
