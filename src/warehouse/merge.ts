import { decodeCopyText, encodeCopyJson, encodeCopyValue } from './copy-text.ts'
import { qualified, quoteIdent } from './identifiers.ts'
import { withLastValue, type StagedRows } from './staged-rows.ts'
import { tableName, type StreamTable } from './stream-table.ts'
import type { Queryable, Transaction } from './types.ts'
import { QUOTES_DOUBLED, type PlainRecord } from '../connectors/types.ts'
import { copyBytes } from '../copy-bytes.ts'
import { rebuildRecord, SLIM_PREFIX, type RecordShape } from '../record-shape.ts'
import { isSlimSql } from './sql/record-shapes.ts'

/**
 * The bulk path: a page is COPYed into a temporary all-text stage, then merged into the stream's
 * table by one set-based statement that casts each column. Staging as text means a value
 * PostgreSQL refuses (an out-of-range date, a bad surrogate in JSON) fails the merge, not the
 * COPY, so the caller can find that one row by bisecting with savepoints and reject it alone.
 */
const STAGE = quoteIdent('crmsync_stage')

/**
 * The source payload of staged row `i`, read back from its COPY text (the column after the
 * stream's columns), for the rare reject of a row the warehouse refused: rows keep no second copy.
 * A slim `_raw` is rebuilt from the texts of the row's columns and its shape (one of `shapes`).
 */
export function rawOfLine(rows: StagedRows, i: number, columns: readonly { name: string }[], shapes: readonly RecordShape[] = []): unknown {
  const fields = rows.line(i).toString('utf8').split('\t')
  const raw = decodeCopyText(fields[columns.length])
  const stored = JSON.parse(raw)
  const shape = raw.startsWith(SLIM_PREFIX) ? shapes.find((s) => s.id === stored['~shape']) : undefined
  if (!shape) return stored
  const text = (column: string) => {
    const at = columns.findIndex((c) => c.name === column)
    return at < 0 || fields[at] === '\\N' ? null : decodeCopyText(fields[at])
  }
  return rebuildRecord(stored, shape, text)
}

/**
 * A row's COPY text up to `_meta`: the columns, then `_raw` (the payload's JSON text, as
 * JSON.stringify writes it), `_hash` (the digest's 16 bytes as hex, written as bytea's `\\x` input),
 * `_deleted_at`, `_meta` (JSON text or NULL); no line end.
 */
export function encodeRowLine(values: readonly unknown[], raw: string, hash: string, deletedAt: string | null, meta: string | null = null): string {
  // one string grown value by value: an array of parts joined per row cost ~5% of a sync's CPU
  let line = encodeCopyValue(values[0])
  for (let i = 1; i < values.length; i++) line = `${line}\t${encodeCopyValue(values[i])}`
  // bytea's hex input `\x…`, its backslash doubled for COPY
  return `${line}\t${encodeCopyJson(raw)}\t\\\\x${hash}\t${encodeCopyValue(deletedAt)}\t${meta === null ? '\\N' : encodeCopyJson(meta)}`
}

/** How many bytes `writePlainLine` writes for `record`, at most. */
export function plainLineBytes(record: PlainRecord): number {
  const { spans } = record
  const columns = spans.length / 3
  const slim = record.slimEnd > 0
  const raw = slim ? record.slimEnd : record.rawEnd - record.rawStart
  // the tabs, `_raw` (each backslash doubled, at most all), `\\x` and the hash's 32 hex digits, `\N` twice
  let bytes = columns + ((slim ? record.slimEscaped : record.rawEscaped) ? 2 * raw : raw) + 4 + 32 + 6
  for (let c = 0; c < columns; c++) bytes += spans[3 * c] < 0 ? 2 : spans[3 * c + 1] - spans[3 * c] + 1
  return bytes
}

const TAB = 9
const BACKSLASH = 92
const QUOTE = 34

/**
 * A byte-lane record's COPY text, as encodeRowLine writes the same row: its values hold no
 * backslash, tab or line end (nothing to escape), `_raw`'s only backslashes are its quotes'
 * escapes (doubled here), `_hash` the first 16 bytes of `digest` (one character a byte), `_deleted_at` and `_meta`
 * NULL. Written at `at` of `target`; says where it ended.
 */
export function writePlainLine(record: PlainRecord, digest: string, target: Buffer, at: number): number {
  const { spans, source } = record
  const columns = spans.length / 3
  let p = at
  for (let c = 0; c < columns; c++) {
    if (c > 0) target[p++] = TAB
    const start = spans[3 * c]
    if (start < 0) {
      target[p++] = BACKSLASH
      target[p++] = 78 // N
      continue
    }
    const end = spans[3 * c + 1]
    const mode = spans[3 * c + 2]
    if (mode === QUOTES_DOUBLED) {
      for (let q = start; q < end; q++) {
        target[p++] = source[q]
        if (source[q] === QUOTE) q++
      }
      continue
    }
    p = copyBytes(source, start, end, target, p)
    if (mode !== 0) target[p++] = mode
  }
  // `_raw`: whole, or slim (what the columns cannot give back, src/record-shape.ts)
  target[p++] = TAB
  const slim = record.slimEnd > 0
  const json = slim ? record.slim : record.raw
  const from = slim ? 0 : record.rawStart
  const to = slim ? record.slimEnd : record.rawEnd
  if (!(slim ? record.slimEscaped : record.rawEscaped)) p = copyBytes(json, from, to, target, p)
  else
    for (let q = from; q < to; q++) {
      if (json[q] === BACKSLASH) target[p++] = BACKSLASH
      target[p++] = json[q]
    }
  // `_hash` as bytea's hex input `\x…`, its backslash doubled for COPY
  target[p++] = TAB
  target[p++] = BACKSLASH
  target[p++] = BACKSLASH
  target[p++] = 120 // x
  for (let b = 0; b < 16; b++) {
    const byte = digest.charCodeAt(b)
    target[p++] = HEX[byte >> 4]
    target[p++] = HEX[byte & 15]
  }
  // `_deleted_at` and `_meta` NULL
  for (let k = 0; k < 2; k++) {
    target[p++] = TAB
    target[p++] = BACKSLASH
    target[p++] = 78 // N
  }
  return p
}

const HEX = Buffer.from('0123456789abcdef', 'latin1')

/**
 * How a batch's rows meet the table's (the merge's rule): `merge` upserts by key, skipping unchanged
 * rows and never letting an older version overwrite a newer one; `force` overwrites every row (a
 * forced run); `append` inserts new keys only (a stream whose `WriteMode` is `append`); `reprocess`
 * rewrites the typed columns and `_meta` of existing live rows whose values differ, and nothing
 * else (`crmsync reprocess`: no insert, no delete, `_raw`, `_hash` and `_synced_at` kept). Chosen
 * by the engine from the stream's `WriteMode` and the run's `RunMode`.
 */
export type WriteRule = 'merge' | 'force' | 'append' | 'reprocess'

/** Rows written by a merge: new live keys, changed live rows, and rows now marked deleted by the source. */
export interface MergeCounts {
  inserted: number
  updated: number
  deleted: number
  /** how the table's live and soft-deleted row counts moved (stream_state keeps them) */
  liveDelta: number
  deletedDelta: number
}

const stageColumns = (t: StreamTable) => [...t.columns.map((c) => quoteIdent(c.name)), '"_raw"', '"_hash"', '"_deleted_at"', '"_meta"', '"_row"']

export async function createStage(tx: Queryable, t: StreamTable): Promise<void> {
  const columns = stageColumns(t).map((c) => (c === '"_row"' ? `${c} integer` : `${c} text`))
  await tx.query(`CREATE TEMP TABLE ${STAGE} (${columns.join(', ')}) ON COMMIT DROP`)
}

export async function copyToStage(tx: Transaction, t: StreamTable, rows: StagedRows): Promise<void> {
  await tx.copyIn(STAGE, stageColumns(t), withLastValue(rows, (i) => i))
}

/** Merges staged rows `[from, to]` (0-based `_row` numbers) into the stream's table. */
export async function mergeStage(
  tx: Queryable,
  t: StreamTable,
  options: { runId: number | null; rule: WriteRule; cursorField?: string },
  from: number,
  to: number,
): Promise<MergeCounts> {
  if (options.rule === 'reprocess') return reprocessFromStage(tx, t, options.runId, from, to)
  const names = t.columns.map((c) => quoteIdent(c.name))
  const casts = t.columns.map((c) => `s.${quoteIdent(c.name)}::${c.type.sql}`)
  // A row the table already holds as staged (same payload hash, same deleted mark) is left out
  // before the upsert: ON CONFLICT locks the row it meets before its WHERE can skip it, and the
  // lock writes the tuple, WAL and, first after a checkpoint, a full-page image. Re-read rows (the
  // lookback, a full pass over an unchanged table) are most rows, and now cost one index look-up.
  const unchanged =
    options.rule === 'merge'
      ? ` AND NOT EXISTS (SELECT 1 FROM ${tableName(t)} u WHERE ${t.primaryKey.map((k) => `u.${quoteIdent(k)} = s.${quoteIdent(k)}::${keyType(t, k)}`).join(' AND ')}
          AND u."_hash" = s."_hash"::bytea AND u."_deleted_at" IS NOT DISTINCT FROM s."_deleted_at"::timestamptz)`
      : ''
  const insert = `INSERT INTO ${tableName(t)} AS t (${names.join(', ')}, "_raw", "_hash", "_synced_at", "_run_id", "_deleted_at", "_meta")
    SELECT ${casts.join(', ')}, s."_raw"::json, s."_hash"::bytea, now(), $1::bigint, s."_deleted_at"::timestamptz, s."_meta"::jsonb
    FROM ${STAGE} s WHERE s."_row" BETWEEN $2 AND $3${unchanged}`
  const conflict = `(${t.primaryKey.map(quoteIdent).join(', ')})`
  let upsert: string
  if (options.rule === 'append') {
    upsert = `${insert} ON CONFLICT ${conflict} DO NOTHING RETURNING true AS inserted, "_deleted_at" IS NOT NULL AS deleted, NULL::text AS k`
  } else {
    const sets = [...names, '"_raw"', '"_hash"', '"_synced_at"', '"_run_id"', '"_deleted_at"', '"_meta"'].map((n) => `${n} = EXCLUDED.${n}`)
    // unchanged rows are skipped by their payload hash, and an older version never replaces a newer one
    const cursor = options.cursorField ? quoteIdent(options.cursorField) : undefined
    const guard =
      options.rule === 'force'
        ? ''
        : ` WHERE (t."_hash" IS DISTINCT FROM EXCLUDED."_hash" OR t."_deleted_at" IS DISTINCT FROM EXCLUDED."_deleted_at")` +
          (cursor ? ` AND (t.${cursor} IS NULL OR EXCLUDED.${cursor} IS NULL OR t.${cursor} <= EXCLUDED.${cursor})` : '')
    upsert = `${insert} ON CONFLICT ${conflict} DO UPDATE SET ${sets.join(', ')}${guard}
      RETURNING (xmax = 0) AS inserted, ("_deleted_at" IS NOT NULL) AS deleted, ${keyExpression('t', t.primaryKey, true)} AS k`
  }
  // the rows of the page soft-deleted before this statement (every part of one statement sees the
  // table as it was): an update that moves such a row moves it out of the deleted count
  const keys = t.primaryKey.map(quoteIdent).join(', ')
  const stageKeys = t.primaryKey.map((k) => `s.${quoteIdent(k)}::${keyType(t, k)}`).join(', ')
  const { rows } = await tx.query<MergeCounts>(
    `WITH was_deleted AS (
       SELECT ${keyExpression('t', t.primaryKey, true)} AS k FROM ${tableName(t)} t
       WHERE t."_deleted_at" IS NOT NULL AND (${keys}) IN (SELECT ${stageKeys} FROM ${STAGE} s WHERE s."_row" BETWEEN $2 AND $3)
     ), merged AS (${upsert})
     SELECT count(*) FILTER (WHERE inserted AND NOT deleted)::int AS inserted,
       count(*) FILTER (WHERE NOT inserted AND NOT deleted)::int AS updated, count(*) FILTER (WHERE deleted)::int AS deleted,
       (count(*) FILTER (WHERE NOT deleted) - count(*) FILTER (WHERE NOT inserted AND k NOT IN (SELECT k FROM was_deleted)))::int AS "liveDelta",
       (count(*) FILTER (WHERE deleted) - count(*) FILTER (WHERE NOT inserted AND k IN (SELECT k FROM was_deleted)))::int AS "deletedDelta"
     FROM merged`,
    [options.runId, from, to],
  )
  return rows[0]
}

/**
 * Write rule `reprocess`: staged rows `[from, to]`, rebuilt from the rows' own `_raw`, update the
 * live rows of their keys whose typed columns or `_meta` differ (compared column by column: the
 * payload, and so `_hash`, did not change). `_raw`, `_hash`, `_synced_at` and `_deleted_at` stay:
 * the source did not change. A slim `_raw` alone becomes whole (the staged record): it was
 * rebuilt from the columns this rewrites. A key the table does not hold live is not inserted. (History mode:
 * the rows this UPDATE rewrites are the current versions to amend in place, not new versions:
 * commit-batch.ts calls `updateCurrentVersions` for them.)
 */
export async function reprocessFromStage(tx: Queryable, t: StreamTable, runId: number | null, from: number, to: number): Promise<MergeCounts> {
  const names = t.columns.map((c) => quoteIdent(c.name))
  const casts = t.columns.map((c) => `s.${quoteIdent(c.name)}::${c.type.sql}`)
  const sets = names.map((n, i) => `${n} = ${casts[i]}`)
  const keyMatch = t.primaryKey.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}::${keyType(t, k)}`)
  const { rows } = await tx.query<{ updated: number }>(
    `WITH updated AS (
       UPDATE ${tableName(t)} AS t SET ${sets.join(', ')}, "_meta" = s."_meta"::jsonb, "_run_id" = $1::bigint,
         "_raw" = CASE WHEN ${isSlimSql('t')} THEN s."_raw"::json ELSE t."_raw" END
       FROM ${STAGE} s
       WHERE s."_row" BETWEEN $2 AND $3 AND ${keyMatch.join(' AND ')} AND t."_deleted_at" IS NULL
         AND ROW(${names.map((n) => `t.${n}`).join(', ')}, t."_meta") IS DISTINCT FROM ROW(${casts.join(', ')}, s."_meta"::jsonb)
       RETURNING 1)
     SELECT count(*)::int AS updated FROM updated`,
    [runId, from, to],
  )
  return { inserted: 0, updated: rows[0].updated, deleted: 0, liveDelta: 0, deletedDelta: 0 }
}

/** The SQL type a key column's staged text is cast to. */
const keyType = (t: StreamTable, key: string) => t.columns.find((c) => c.name === key)?.type.sql ?? 'text'

/** SQL for a row's key as text: one column's text, or the columns joined by U+001F. */
export function keyExpression(alias: string, primaryKey: readonly string[], cast: boolean): string {
  const parts = primaryKey.map((k) => `${alias}.${quoteIdent(k)}${cast ? '::text' : ''}`)
  return parts.length === 1 ? parts[0] : `concat_ws(chr(31), ${parts.join(', ')})`
}

/** The same key in JS, for keys the engine records itself (rejects). */
export const keyText = (values: readonly unknown[]) => values.map((v) => String(v)).join('\u001f')

/**
 * Write mode `replace`: for each parent in `scopes`, soft-deletes the children that the staged
 * page no longer lists (a lead result that lost a line item).
 */
export async function softDeleteReplaced(tx: Queryable, t: StreamTable, scopeColumn: string, scopes: readonly string[], runId: number | null): Promise<number> {
  if (scopes.length === 0) return 0
  const { rowCount } = await tx.query(
    `UPDATE ${tableName(t)} t SET "_deleted_at" = now(), "_run_id" = $2, "_synced_at" = now()
     WHERE t.${quoteIdent(scopeColumn)}::text = ANY($1::text[]) AND t."_deleted_at" IS NULL
       AND NOT EXISTS (SELECT 1 FROM ${STAGE} s WHERE ${keyExpression('s', t.primaryKey, false)} = ${keyExpression('t', t.primaryKey, true)})`,
    [scopes, runId],
  )
  return rowCount
}

/** Records the staged keys as seen by a full pass. */
export async function insertPassKeysFromStage(tx: Queryable, t: StreamTable, passId: string): Promise<void> {
  await tx.query(`INSERT INTO crmsync.pass_keys (pass_id, record_key) SELECT $1, ${keyExpression('s', t.primaryKey, false)} FROM ${STAGE} s`, [passId])
}

export async function insertPassKeys(tx: Queryable, passId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return
  await tx.query(`INSERT INTO crmsync.pass_keys (pass_id, record_key) SELECT $1, unnest($2::text[])`, [passId, keys])
}

/**
 * The first load of an empty table: rows are COPYed straight into it, skipping the stage and the
 * merge. Only tried inside a savepoint; any refusal (a key already there, a value PostgreSQL
 * rejects) rolls back to the regular path, so the result is the same, only faster.
 */
export async function copyIntoTable(tx: Transaction, t: StreamTable, rows: StagedRows, runId: number | null): Promise<void> {
  const columns = [...t.columns.map((c) => quoteIdent(c.name)), '"_raw"', '"_hash"', '"_deleted_at"', '"_meta"', '"_run_id"']
  await tx.copyIn(tableName(t), columns, withLastValue(rows, () => runId))
}

export async function hasAnyRows(db: Queryable, t: StreamTable): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${tableName(t)}) AS found`)
  return rows[0].found
}

export async function hasLiveRows(db: Queryable, t: StreamTable): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${tableName(t)} WHERE "_deleted_at" IS NULL) AS found`)
  return rows[0].found
}

export async function countLiveRows(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified(t.schema, t.table)} WHERE "_deleted_at" IS NULL`)
  return rows[0].n
}

const unseen = (t: StreamTable) =>
  `t."_deleted_at" IS NULL AND NOT EXISTS (SELECT 1 FROM crmsync.pass_keys k WHERE k.pass_id = $1 AND k.record_key = ${keyExpression('t', t.primaryKey, true)})`

export async function countUnseen(db: Queryable, t: StreamTable, passId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${tableName(t)} t WHERE ${unseen(t)}`, [passId])
  return rows[0].n
}

/** Soft-deletes the live rows a completed full pass did not see. */
export async function softDeleteUnseen(db: Queryable, t: StreamTable, passId: string, runId: number | null): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${tableName(t)} t SET "_deleted_at" = now(), "_run_id" = $2, "_synced_at" = now() WHERE ${unseen(t)}`,
    [passId, runId],
  )
  return rowCount
}

export async function dropPassKeys(db: Queryable, passId: string): Promise<void> {
  await db.query(`DELETE FROM crmsync.pass_keys WHERE pass_id = $1`, [passId])
}
