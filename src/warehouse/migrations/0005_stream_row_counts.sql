-- Each stream's live and soft-deleted row counts, kept exact by the transaction of every page
-- that changes them, so the dashboard and `status` never count a warehouse table per view.
-- NULL until the stream's next run counts its table once (tables loaded before this migration).
ALTER TABLE crmsync.stream_state ADD COLUMN live_rows bigint, ADD COLUMN deleted_rows bigint;
