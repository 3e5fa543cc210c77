import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { Lead } from './records.ts'

/**
 * Faults in the data rather than the transport (those live in the shared /_admin/faults):
 * - `malformed`: the next `count` lead pages each carry one extra, broken lead, so crmsync's
 *   reject path runs. The broken lead is a phantom (an id the store does not hold), so a run that
 *   rejects it still converges on the store's real rows.
 * - `brokenJson`: the next `count` API answers are cut short: a 200 whose body is not valid JSON.
 */
export const MALFORMED_KINDS = [
  'id-not-numeric',
  'missing-dateModified',
  'bad-dateModified',
  'latitude-not-number',
] as const
export type MalformedKind = (typeof MALFORMED_KINDS)[number]

export const sourceFaultsSchema = z
  .object({
    malformed: z
      .object({
        count: z.number().int().nonnegative(),
        /** one kind for every injected lead; by default the kinds take turns */
        kind: z.enum(MALFORMED_KINDS).optional(),
      })
      .strict()
      .optional(),
    brokenJson: z
      .object({
        count: z.number().int().nonnegative(),
        /** only API paths matching this regex */
        path: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

function isRegExp(source: string): boolean {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}

export type SourceFaultSettings = z.infer<typeof sourceFaultsSchema>

export interface SourceFaults {
  settings: SourceFaultSettings
  served: { malformed: number; brokenJson: number }
}

export function createSourceFaults(): SourceFaults {
  return { settings: {}, served: { malformed: 0, brokenJson: 0 } }
}

/** POST body: the keys given replace the current ones, the others stay. */
export function updateSourceFaults(faults: SourceFaults, body: unknown): SourceFaults {
  const parsed = sourceFaultsSchema.safeParse(body)
  if (!parsed.success) throw new HttpError(400, `invalid source faults: ${z.prettifyError(parsed.error)}`)
  Object.assign(faults.settings, parsed.data)
  return faults
}

/** Consumes one malformed-lead fault, answering the kind to inject, if any is pending. */
export function takeMalformed(faults: SourceFaults): MalformedKind | undefined {
  const trigger = faults.settings.malformed
  if (!trigger || trigger.count <= 0) return undefined
  trigger.count--
  const kind = trigger.kind ?? MALFORMED_KINDS[faults.served.malformed % MALFORMED_KINDS.length]
  faults.served.malformed++
  return kind
}

/** Consumes one broken-JSON fault for `path`, if any is pending. */
export function takeBrokenJson(faults: SourceFaults, path: string): boolean {
  const trigger = faults.settings.brokenJson
  if (!trigger || trigger.count <= 0) return false
  if (trigger.path && !new RegExp(trigger.path).test(path)) return false
  trigger.count--
  faults.served.brokenJson++
  return true
}

/** Phantom ids start far above any id the store hands out. */
export const PHANTOM_ID_BASE = 900_000_000

/** A copy of `template` broken the way `kind` says, under a phantom id. */
export function malformLead(template: Lead, kind: MalformedKind, serial: number): Record<string, unknown> {
  const lead: Record<string, unknown> = { ...template, id: PHANTOM_ID_BASE + serial }
  if (kind === 'id-not-numeric') lead.id = `SR-${PHANTOM_ID_BASE + serial}`
  if (kind === 'missing-dateModified') delete lead.dateModified
  // MySQL's zero date, the classic unparseable timestamp from a PHP backend
  if (kind === 'bad-dateModified') lead.dateModified = '0000-00-00 00:00:00'
  if (kind === 'latitude-not-number') lead.latitude = '40.5397 N'
  return lead
}

/** A JSON text cut off about halfway, never at a point where it would still parse. */
export function truncateJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length * 0.6)))
}
