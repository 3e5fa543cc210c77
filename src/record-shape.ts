import { createHash } from 'node:crypto'

/**
 * Slim `_raw` (docs/design.md, "Slim `_raw`"): a row whose typed columns hold its record's values
 * keeps in `_raw` only what they cannot give back, `{"~shape":"ID",<field>:<value>,…}`, and its
 * shape (crmsync.record_shapes, migration 0016) says how the rest is rebuilt.
 */

/**
 * How a column's value becomes its field's text: as it is (`text`, and `boolean`: `true` or
 * `false`), or a UTC timestamp `YYYY-MM-DD HH:MM:SS.fff`; `raw`: never from a column, always in `_raw`.
 */
export type FieldKind = 'text' | 'boolean' | 'timestamp' | 'raw'

/** One field of a record, in the record's order: its name, the column holding its value (none for `raw`), and how. */
export type ShapeField = readonly [field: string, column: string | null, kind: FieldKind]

export interface RecordShape {
  /** the first 16 hex digits of the fields' SHA-256: the same fields, the same id, in every process */
  readonly id: string
  readonly fields: readonly ShapeField[]
}

/** What every slim `_raw` starts with, and no whole record does (no source field is named `~shape`). */
export const SLIM_PREFIX = '{"~shape":'

export function recordShape(fields: readonly ShapeField[]): RecordShape {
  return { id: createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16), fields }
}

/**
 * The record a slim `_raw` stands for, from the texts its row's columns were written with (a row
 * PostgreSQL refused, rebuilt for its reject): the twin of crmsync.record, which reads the stored
 * row. The texts are those the byte lane writes: a timestamp's own and a `Z`, a boolean's first letter.
 */
export function rebuildRecord(slim: Record<string, unknown>, shape: RecordShape, columnText: (column: string) => string | null): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (const [field, column, kind] of shape.fields) {
    if (Object.hasOwn(slim, field) || column === null) {
      record[field] = slim[field] ?? null
      continue
    }
    const text = columnText(column)
    if (text === null || kind === 'text') record[field] = text
    else if (kind === 'timestamp') record[field] = millisecondText(text)
    else record[field] = text === 't' ? 'true' : text === 'f' ? 'false' : text
  }
  return record
}

/**
 * A timestamp as crmsync.record writes it from its column, `YYYY-MM-DD HH:MM:SS.fff`: the byte
 * lane's text of it without its `Z`, the fraction cut or padded to milliseconds as to_char's `MS`
 * does (a fraction past microseconds, which PostgreSQL would round, is never rebuilt: it is not
 * Athena's form, so it stays in `_raw`).
 */
function millisecondText(text: string): string {
  const parts = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/.exec(text)
  return parts ? `${parts[1]} ${parts[2]}.${(parts[3] ?? '').padEnd(3, '0').slice(0, 3)}` : text
}
