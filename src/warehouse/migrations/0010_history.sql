-- History mode (docs/design.md §4): whether the stream's last run kept its history. A run that
-- finds history on after runs that had it off (false) first brings the history up to the table:
-- a version for every row those runs changed, so no current version is left stale.
ALTER TABLE crmsync.stream_state ADD COLUMN history boolean NOT NULL DEFAULT false;
