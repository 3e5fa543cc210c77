-- Slim `_raw` (docs/design.md, "Slim `_raw`"): a row whose typed columns already hold its record's
-- values keeps in `_raw` only what they cannot give back, `{"~shape": ID, <field>: <value>, …}`,
-- and the shape says how to rebuild the rest: its fields in the record's order, each with the
-- column that holds its value and how that value is written. `crmsync.record` gives any row's
-- record back, slim or whole.

-- fields: [[field, column or null, kind], …] in the record's order; kind is how the column's value
-- becomes the field's text: `text` and `boolean` (its text as it is: `true`, `false`), `timestamp`
-- (UTC, `YYYY-MM-DD HH:MM:SS.fff`), or `raw` (the value is always in `_raw`). ID is the first 16 hex digits of the fields' SHA-256.
CREATE TABLE crmsync.record_shapes (
  id          text PRIMARY KEY,
  fields      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The record a row holds: `raw` itself, unless it is slim; then each field of its shape, from
-- `raw` where `raw` has it, else from the row's column (`row_values` is the row as jsonb:
-- `crmsync.record(t._raw, to_jsonb(t))`). Columns read through their text, so a column widened
-- later (integer to text, timestamptz to text) still gives back the same value.
CREATE FUNCTION crmsync.record(raw json, row_values jsonb) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN starts_with(raw::text, '{"~shape":') THEN coalesce((
    SELECT json_object_agg(f ->> 0, coalesce(raw -> (f ->> 0), CASE
        WHEN row_values ->> (f ->> 1) IS NULL THEN 'null'::json
        WHEN f ->> 2 = 'timestamp'
          THEN to_json(to_char((row_values ->> (f ->> 1))::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'))
        ELSE to_json(row_values ->> (f ->> 1)) END) ORDER BY n)
    FROM crmsync.record_shapes s CROSS JOIN jsonb_array_elements(s.fields) WITH ORDINALITY AS e (f, n)
    WHERE s.id = raw ->> '~shape'), raw) ELSE raw END
$$;
