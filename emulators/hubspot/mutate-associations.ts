import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import { allPairs, ASSOCIATION_KINDS, associate, dissociate, type AssociationKind } from './associations.ts'
import type { EmulatorState } from './context.ts'
import { isLive, tableOf } from './store.ts'
import { sample } from './tie.ts'

/** `POST /_admin/mutate` on an association table: pairs named from the side the table is named after. */
const id = z.union([z.string(), z.number()]).transform(Number)
const pair = z.object({ from: id, to: id })
const count = z.number().int().nonnegative()

export const associationMutationSchema = z
  .object({
    table: z.string().startsWith('assoc_'),
    inserts: z.union([count, z.array(pair)]).optional(),
    deletes: z.union([count, z.array(pair)]).optional(),
  })
  .strict()

export type AssociationMutation = z.infer<typeof associationMutationSchema>
type Pair = { from: string; to: string }

export function mutateAssociations(state: EmulatorState, input: AssociationMutation) {
  const kind = ASSOCIATION_KINDS.find((k) => k.table === input.table)
  if (!kind) throw new HttpError(400, `unknown table ${input.table}`)
  const { store, random: r } = state
  const inserted: Pair[] = []
  const deleted: Pair[] = []
  const named = (p: { from: number; to: number }) => ({ from: String(p.from), to: String(p.to) })
  const inserts =
    typeof input.inserts === 'number' ? randomNewPairs(state, kind, input.inserts) : (input.inserts ?? [])
  for (const p of inserts) {
    requireLive(state, kind, p)
    if (associate(store.associations, kind, p.from, p.to)) inserted.push(named(p))
  }
  const livePairs = () => allPairs(store.associations, kind).filter(([f, t]) => liveEnds(state, kind, f, t))
  const deletes =
    typeof input.deletes === 'number'
      ? sample(livePairs(), input.deletes, r).map(([from, to]) => ({ from, to }))
      : (input.deletes ?? [])
  for (const p of deletes) {
    if (dissociate(store.associations, kind, p.from, p.to)) deleted.push(named(p))
  }
  store.version++
  return { table: kind.table, inserted, deleted }
}

function liveEnds(state: EmulatorState, kind: AssociationKind, from: number, to: number) {
  return isLive(tableOf(state.store, kind.from), from) && isLive(tableOf(state.store, kind.to), to)
}

function requireLive(state: EmulatorState, kind: AssociationKind, p: { from: number; to: number }) {
  if (!liveEnds(state, kind, p.from, p.to)) {
    throw new HttpError(404, `${kind.table}: ${p.from} or ${p.to} is not a live record`)
  }
}

/** up to `n` random pairs of live records that are not linked yet */
function randomNewPairs(state: EmulatorState, kind: AssociationKind, n: number) {
  const r = state.random
  const froms = tableOf(state.store, kind.from).records.filter((rec) => !rec.archived)
  const tos = tableOf(state.store, kind.to).records.filter((rec) => !rec.archived)
  const out: { from: number; to: number }[] = []
  const seen = new Set<string>()
  const existing = state.store.associations.forward.get(kind.table)!
  for (let attempt = 0; out.length < n && attempt < n * 20 && froms.length && tos.length; attempt++) {
    const from = r.pick(froms).id
    const to = r.pick(tos).id
    const key = `${from}:${to}`
    if (seen.has(key) || existing.get(from)?.has(to)) continue
    seen.add(key)
    out.push({ from, to })
  }
  return out
}
