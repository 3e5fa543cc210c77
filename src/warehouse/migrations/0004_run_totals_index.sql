-- serve's /metrics sums every run in crmsync.sync_runs at each scrape (runs, rows and durations of
-- all processes, by stream and status). This index holds every column that sum reads, so it is an
-- index-only scan, a fraction of the table's width (error texts and cursors stay in the heap).
CREATE INDEX sync_runs_totals_idx ON crmsync.sync_runs (source, stream, status)
  INCLUDE (duration_ms, fetched, inserted, updated, unchanged, rejected, deleted);
