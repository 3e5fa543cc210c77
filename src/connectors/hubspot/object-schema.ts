import { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { col, columnForType, type PgBaseType } from '../columns.ts'
import type { RejectedRecord, SourceRecord } from '../types.ts'
import { columnNames } from './column-name.ts'
import type { PropertyDefinition, SimpleObject } from './schemas.ts'
import { baseTypeOf, parseDateTime, parseValue, ValueError } from './values.ts'

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
  recordSchema: z.ZodObject
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
  const shape: Record<string, z.ZodType> = {
    id: col.bigintKey(),
    created_at: col.timestamp(),
    updated_at: col.timestamp(),
    archived: col.boolean(),
    archived_at: col.timestamp(),
  }
  for (const c of columns) shape[c.column] = columnForType(c.base)
  return { properties: names, columns, recordSchema: z.object(shape) }
}

/** One SimplePublicObject as a record, or a reject naming the property that did not parse. */
export function toObjectRecord(object: SimpleObject, columns: readonly PropertyColumn[]): ObjectResult {
  const values: Record<string, unknown> = {}
  let field = 'createdAt'
  try {
    values.id = object.id
    values.created_at = parseDateTime(object.createdAt)
    field = 'updatedAt'
    values.updated_at = parseDateTime(object.updatedAt)
    values.archived = object.archived
    field = 'archivedAt'
    // an archived record without archivedAt is still deleted at the source: its last update stands in
    const archivedAt = object.archivedAt ? parseDateTime(object.archivedAt) : null
    values.archived_at = archivedAt ?? (object.archived ? values.updated_at : null)
    for (const c of columns) {
      field = c.property
      values[c.column] = parseValue(c.base, object.properties[c.property] ?? null)
    }
  } catch (error) {
    if (!(error instanceof ValueError)) throw error
    return { reject: { key: object.id, reason: `${field}: ${error.message}`, raw: object } }
  }
  return { record: { values, raw: object } }
}
