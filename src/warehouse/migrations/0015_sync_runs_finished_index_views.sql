-- The dashboard's timeline draws the runs that overlap a window: those started in it (the index on
-- started_at), those still running (the partial index on status), and those started before it that
-- finished inside it, which this index finds without reading every older run.
CREATE INDEX sync_runs_finished_idx ON crmsync.sync_runs (finished_at);
