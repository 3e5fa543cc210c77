import type { EngineEventMap } from '../../engine/events.ts'
import type { SchemaChange } from '../../engine/table-shape.ts'
import type { DbLastSchemaChange } from '../../warehouse/sql/alerts.ts'
import type { AlertSettings } from './config.ts'
import { ruleFor } from './rule-settings.ts'
import type { Finding, FiringFinding } from './types.ts'

/**
 * schema_changed (info): a stream's table changed shape (docs/design.md §3.12). Not a problem but
 * news someone downstream needs (a new column to use, a type a query must now cast): raised from the
 * engine's `schema:changed` event, one alert per event, each notified. It stays open `threshold`
 * hours (24) after the stream's last change, then resolves quietly at an evaluation.
 */
const RULE = 'schema_changed'

/** at most this many changes are spelled out in the message; `crmsync schema` lists them all */
const LISTED = 20

/** One change in words: `added region (text)`, `widened score integer → text`, `legacy dropped at the source`. */
export function describeChange(c: Pick<SchemaChange, 'column' | 'change' | 'fromType' | 'toType'>): string {
  if (c.change === 'added') return `added ${c.column} (${c.toType ?? '?'})`
  if (c.change === 'widened') return `widened ${c.column} ${c.fromType ?? '?'} → ${c.toType ?? '?'}`
  return `${c.column} dropped at the source`
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The finding for one `schema:changed` event; undefined when the rule is off for its source or the run was dry. */
export function schemaChangedFinding(settings: AlertSettings, e: EngineEventMap['schema:changed']): FiringFinding | undefined {
  const on = ruleFor(settings, RULE, e.source)
  // a dry run rolled its pages back: the table did not change
  if (!on || e.runId === null || e.dryRun || e.changes.length === 0) return undefined
  const name = `${e.source}.${e.stream}`
  const count = (kind: SchemaChange['change']) => e.changes.filter((c) => c.change === kind).length
  const kinds = [
    [count('added'), 'added'],
    [count('widened'), 'widened'],
    [count('dropped_at_source'), 'dropped at the source'],
  ] as const
  const summary = kinds.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ')
  const title =
    e.changes.length === 1
      ? `${name}: column ${describeChange(e.changes[0])} (run ${e.runId})`
      : `${name}: ${plural(e.changes.length, 'column')} changed in run ${e.runId} (${summary})`
  const listed = e.changes.slice(0, LISTED).map(describeChange).join('; ')
  const more = e.changes.length > LISTED ? `; and ${e.changes.length - LISTED} more` : ''
  const dropped = count('dropped_at_source') ? ' A column dropped at the source is kept, NULL in rows written from now on.' : ''
  return {
    firing: true,
    rule: RULE,
    source: e.source,
    stream: e.stream,
    severity: on.severity,
    title,
    message:
      `The table ${name} follows its source's shape, and run ${e.runId} changed it: ${listed}${more}.${dropped} ` +
      `Rows already stored keep their values; rows written from now on fill the new columns. Queries and reports ` +
      `on ${name} may need to know. \`crmsync schema ${e.source} ${e.stream}\` lists its columns and every change. ` +
      `To keep a column's type, pin it under sources.${e.source}.streams.${e.stream}.columns in the config file; ` +
      `to stop the table following the source, set "schema": "freeze" (a change fails the run) or "discard_new" there.`,
    value: e.changes.length,
    threshold: null,
    details: {
      runId: e.runId,
      changes: e.changes.map((c) => ({ column: c.column, change: c.change, fromType: c.fromType, toType: c.toType })),
    },
  }
}

/**
 * Whether a stream's schema_changed alert has had its time: clear (quietly: nothing was fixed) once
 * the stream's last change is `threshold` hours old, or when the rule is off; otherwise nothing to
 * judge, so an open alert stays as it is.
 */
export function schemaChangeAgeFinding(settings: AlertSettings, row: DbLastSchemaChange): Finding | undefined {
  const on = ruleFor(settings, RULE, row.source)
  if (on && row.hours_since !== null && row.hours_since < on.threshold) return undefined
  return { firing: false, rule: RULE, source: row.source, stream: row.stream, quiet: true }
}
