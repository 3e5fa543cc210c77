import { propertyOf, type HsRecord, type ObjectTable } from './store.ts'

/** The property names one answer carries: the request's known ones, or the type's default set. */
export function selectProperties(table: ObjectTable, requested: readonly string[] | undefined): string[] {
  const { spec } = table
  if (!requested || requested.length === 0) return [...spec.defaultProperties]
  // unknown names are ignored, and HubSpot always adds the id and the two timestamps
  const names = new Set(requested.filter((name) => propertyOf(table, name)))
  names.add('hs_object_id')
  if (spec.createdProperty) names.add(spec.createdProperty)
  if (spec.modifiedProperty) names.add(spec.modifiedProperty)
  return [...names].sort()
}

/** `properties=a,b&properties=c` (the SDK repeats the parameter; people comma-join it) */
export function queryList(params: URLSearchParams, name: string): string[] | undefined {
  const values = params.getAll(name)
  if (values.length === 0) return undefined
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
}

/** SimplePublicObject: every value a string or null, properties in name order like HubSpot's */
export function renderObject(record: HsRecord, names: readonly string[]): Record<string, unknown> {
  const properties: Record<string, string | null> = {}
  for (const name of [...names].sort()) properties[name] = record.properties[name] ?? null
  return {
    id: String(record.id),
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    ...(record.archived ? { archivedAt: record.archivedAt } : {}),
  }
}

/** PublicOwner */
export function renderOwner(record: HsRecord): Record<string, unknown> {
  const p = record.properties
  const userId = p.userId === null ? null : Number(p.userId)
  return {
    id: String(record.id),
    email: p.email,
    type: 'PERSON',
    firstName: p.firstName,
    lastName: p.lastName,
    userId,
    userIdIncludingInactive: userId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    teams: p.team ? [{ id: String(teamId(p.team)), name: p.team, primary: true }] : [],
  }
}

// a stable id per team name, in the range real team ids use
const teamId = (name: string) =>
  4_400_000 + [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100_000, 7)

/** an opaque `after` token that still sorts the way ids do: HubSpot's look like base64 too */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url')
}

/** the id an `after` token stands for; a bare number is accepted as the id itself */
export function decodeCursor(after: string): number | undefined {
  if (/^\d+$/.test(after)) return Number(after)
  const decoded = Buffer.from(after, 'base64url').toString('utf8')
  return /^\d+$/.test(decoded) ? Number(decoded) : undefined
}

/** `paging.next` of a list answer: the token, and the request's own URL with `after` replaced */
export function nextPage(baseUrl: string, path: string, query: URLSearchParams, token: string) {
  const link = new URL(path, baseUrl)
  // repeated parameters (the SDK repeats `properties`) survive into the link
  const params = new URLSearchParams(query)
  params.set('after', token)
  link.search = params.toString()
  return { next: { after: token, link: link.toString() } }
}
