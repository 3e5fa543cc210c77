import { z } from 'zod'
import { HttpError, type AdminHandlers } from '../shared/http.ts'
import { alterProperties } from './alter.ts'
import { allPairs, ASSOCIATION_KINDS } from './associations.ts'
import type { EmulatorState } from './context.ts'
import { mutateAssociations, associationMutationSchema } from './mutate-associations.ts'
import { mutateObjects, objectMutationSchema } from './mutate.ts'
import { findAdminSpec, OBJECT_SPECS, OWNERS } from './object-types.ts'
import { limitsSchema } from './rate-limit.ts'
import { resetStats } from './stats.ts'
import { isLive, liveCount, tableOf } from './store.ts'
import { applyTie } from './tie.ts'

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error))
  return parsed.data
}

const tieSchema = z
  .object({
    object: z.string().default('contacts'),
    size: z.number().int().positive(),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()

const settingsSchema = z.object({ searchLagMs: z.number().int().nonnegative() }).strict()

/** live record counts by stream name, and live pairs per association table */
export function countTables(state: EmulatorState): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const spec of OBJECT_SPECS) counts[spec.stream] = liveCount(tableOf(state.store, spec))
  for (const kind of ASSOCIATION_KINDS) {
    const from = tableOf(state.store, kind.from)
    const to = tableOf(state.store, kind.to)
    const pairs = allPairs(state.store.associations, kind)
    // one row per association type, as the v4 API lists them (a deal's primary company has two)
    counts[kind.table] = pairs.filter(([f, t]) => isLive(from, f) && isLive(to, t)).length * kind.forward.length
  }
  return counts
}

/** the shared admin routes plus HubSpot's own: alter, tie, limits, stats, settings */
export function adminHandlers(state: EmulatorState): AdminHandlers {
  return {
    async mutate(body) {
      const table = (body as { table?: unknown } | null)?.table
      if (typeof table === 'string' && table.startsWith('assoc_')) {
        return mutateAssociations(state, parse(associationMutationSchema, body))
      }
      return mutateObjects(state, parse(objectMutationSchema, body))
    },
    tables: async () => countTables(state),
    extra: {
      'POST /_admin/alter': async (body) => alterProperties(state, body),
      'POST /_admin/tie': async (body) => {
        const input = parse(tieSchema, body)
        const spec = findAdminSpec(input.object)
        if (!spec || spec === OWNERS) throw new HttpError(400, `unknown object ${input.object}`)
        const at = new Date(input.at ?? Date.now()).toISOString()
        return { table: spec.stream, at, ...applyTie(state.store, spec, input.size, at, state.random, true) }
      },
      'GET /_admin/limits': async () => state.limiter.limits,
      'POST /_admin/limits': async (body) => {
        Object.assign(state.limiter.limits, parse(limitsSchema.partial(), body))
        return state.limiter.limits
      },
      'GET /_admin/stats': async () => state.stats,
      'POST /_admin/stats/reset': async () => {
        resetStats(state.stats)
        return state.stats
      },
      'POST /_admin/settings': async (body) => {
        state.settings.searchLagMs = parse(settingsSchema, body).searchLagMs
        return { searchLagMs: state.settings.searchLagMs }
      },
    },
  }
}
