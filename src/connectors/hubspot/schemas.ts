import { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { col, type PgBaseType } from '../../columns.ts'
import { processField, processValue, ValueError, type FieldChange } from '../processors.ts'
import type { RejectedRecord, SourceRecord, SourceSchema } from '../types.ts'
import { columnNames } from '../column-name.ts'
import type { PropertyDefinition, SimpleObject } from './responses.ts'
import { baseTypeOf } from './processors.ts'

// The record schemas: an object stream's, built at run time from the account's property definitions
// (the columns, their types — the validator and the DDL — and how an API object becomes a record),
// and the fixed ones of the owners and association streams (at the end).
// The API's response schemas (what HubSpot answers) are in responses.ts.

/** The columns every object stream has besides its properties. */
export const OBJECT_COLUMNS = ['id', 'created_at', 'updated_at', 'archived', 'archived_at'] as const

export interface PropertyColumn {
  property: string
  column: string
  base: PgBaseType
}

export interface ObjectSchema {
  /** the properties to request, in HubSpot's names */
  properties: string[]
  columns: PropertyColumn[]
  /** the object columns every stream declares; the properties follow the source (docs/design.md §3.12) */
  recordSchema: z.ZodObject
  /** the properties as the source's shape: each a column the engine types and evolves */
  sourceSchema: SourceSchema
}

export type ObjectResult = { record: SourceRecord } | { reject: RejectedRecord }

/**
 * An object stream's warehouse schema from HubSpot's property definitions: every property, or the
 * configured ones (plus the id and timestamps the window needs), typed from HubSpot's type.
 */
export function buildObjectSchema(
  stream: string,
  definitions: readonly PropertyDefinition[],
  wanted: 'all' | readonly string[],
  required: readonly string[],
): ObjectSchema {
  const byName = new Map(definitions.map((d) => [d.name, d]))
  if (wanted !== 'all') {
    const unknown = wanted.filter((name) => !byName.has(name))
    if (unknown.length) {
      const where = `sources.hubspot.properties.${stream}`
      throw new SyncError('config_invalid', `${where} names properties HubSpot does not have: ${unknown.join(', ')}`)
    }
  }
  const names =
    wanted === 'all'
      ? definitions.map((d) => d.name)
      : [...new Set([...required.filter((name) => byName.has(name)), ...wanted])]
  const columnOf = columnNames(names, OBJECT_COLUMNS)
  const columns = names.map((property) => ({
    property,
    column: columnOf.get(property) as string,
    base: baseTypeOf(byName.get(property)?.type ?? 'string'),
  }))
  const recordSchema = z.object({
    id: col.bigintKey(),
    created_at: col.timestamp(),
    updated_at: col.timestamp(),
    archived: col.boolean(),
    archived_at: col.timestamp(),
  })
  const sourceSchema: SourceSchema = { fields: columns.map((c) => ({ name: c.column, from: c.property, type: c.base })), complete: true }
  return { properties: names, columns, recordSchema, sourceSchema }
}

const instant = (text: string | null | undefined) => processValue('timestamptz', text ?? null)

/**
 * One SimplePublicObject as a record: the object columns here, the properties as the source's
 * fields for the engine to type. Only an unreadable `updatedAt` (the cursor) makes it a reject.
 */
export function toObjectRecord(object: SimpleObject): ObjectResult {
  let updatedAt: unknown
  try {
    updatedAt = instant(object.updatedAt)
  } catch (error) {
    if (!(error instanceof ValueError)) throw error
    return { reject: { key: object.id, reason: `updatedAt: ${JSON.stringify(object.updatedAt)} is ${error.message}`, raw: object } }
  }
  const changes: FieldChange[] = []
  const values: Record<string, unknown> = { id: object.id, updated_at: updatedAt, archived: object.archived }
  processField(values, changes, 'created_at', () => instant(object.createdAt))
  processField(values, changes, 'archived_at', () => instant(object.archivedAt))
  // an archived record without archivedAt is still deleted at the source: its last update stands in
  if (object.archived && values.archived_at === null) values.archived_at = updatedAt
  return { record: { values, raw: object, changes, fields: object.properties } }
}

/** The owners stream's record schema (/crm/v3/owners), fixed. */
export const ownerRecordSchema = z.object({
  id: col.bigintKey(),
  email: col.text(),
  first_name: col.text(),
  last_name: col.text(),
  user_id: col.bigint(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  archived: col.boolean(),
  archived_at: col.timestamp(),
  teams: col.json(),
})

/** An association stream's record schema: one row per (from, to, association type). */
export const associationRecordSchema = z.object({
  from_id: col.bigintKey(),
  to_id: col.bigintKey(),
  association_type_id: col.integerKey(),
  category: col.text(),
  label: col.text(),
})
