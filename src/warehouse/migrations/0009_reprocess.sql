-- crmsync reprocess (docs/design.md §3.14): where an unfinished reprocess of the stream stopped, the
-- primary key of the last row it committed (its columns' values as texts), written in that batch's
-- transaction; NULL when none is unfinished. The next reprocess of the stream resumes after it.
ALTER TABLE crmsync.stream_state ADD COLUMN reprocess_after jsonb;
