-- Tolerant typing and schema evolution (docs/design.md §3.11-3.12).

-- records whose fields did not all fit their columns: stored with those fields NULL and a `_meta` note
ALTER TABLE crmsync.sync_runs ADD COLUMN coerced bigint NOT NULL DEFAULT 0;
ALTER TABLE crmsync.run_pages ADD COLUMN coerced integer NOT NULL DEFAULT 0;

-- each stream table's columns: where a column's type came from, when it appeared, whether the source dropped it
CREATE TABLE crmsync.stream_columns (
  source          text NOT NULL,
  stream          text NOT NULL,
  column_name     text NOT NULL,
  sql_type        text NOT NULL,
  origin          text NOT NULL CHECK (origin IN ('declared', 'source', 'inferred', 'pinned')),
  appeared_at     timestamptz NOT NULL DEFAULT now(),
  appeared_run_id bigint,
  dropped_at      timestamptz,
  PRIMARY KEY (source, stream, column_name)
);

-- every change of a stream table's shape, as it happened
CREATE TABLE crmsync.schema_changes (
  id          bigserial PRIMARY KEY,
  source      text NOT NULL,
  stream      text NOT NULL,
  column_name text NOT NULL,
  change      text NOT NULL CHECK (change IN ('added', 'widened', 'dropped_at_source')),
  from_type   text,
  to_type     text,
  run_id      bigint,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schema_changes_stream ON crmsync.schema_changes (source, stream, id);
