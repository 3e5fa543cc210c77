-- A run's last cursor is its last committed page's (crmsync.run_pages.cursor), read where it is
-- shown: the commit writes a cursor to the stream's state and its page, not a third copy.
ALTER TABLE crmsync.sync_runs DROP COLUMN IF EXISTS cursor_to;
