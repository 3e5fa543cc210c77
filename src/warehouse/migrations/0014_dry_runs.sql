-- A dry run is recorded as a run too (its history row and its log), marked, so that an operator
-- sees what it would have done; it counts in no aggregate of what happened to the data (alerts,
-- freshness, the last run of a stream, the overview's totals).
ALTER TABLE crmsync.sync_runs ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
