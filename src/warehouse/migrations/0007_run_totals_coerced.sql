-- serve's /metrics now sums sync_runs.coerced too (crmsync_coerced_total): the index that keeps
-- that sum an index-only scan (0004) must hold the column, or every scrape reads the heap again.
DROP INDEX crmsync.sync_runs_totals_idx;
CREATE INDEX sync_runs_totals_idx ON crmsync.sync_runs (source, stream, status)
  INCLUDE (duration_ms, fetched, inserted, updated, unchanged, rejected, coerced, deleted);
