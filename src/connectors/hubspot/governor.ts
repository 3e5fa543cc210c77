/**
 * The request governor: keeps this process under HubSpot's limits BEFORE HubSpot says no, so a run
 * uses nearly all of its budget without 429s. Pure bookkeeping over a clock passed in; the client
 * does the waiting.
 *
 * Each budget is a lane: a rolling window (10 s for ordinary calls, 1 s for search) holding
 * - our finished requests, stamped with the time their answer ARRIVED: HubSpot counted the request
 *   at some instant between sending and answering, so the answer time is never earlier than
 *   HubSpot's own stamp, and the slot is never believed free before HubSpot frees it;
 * - our requests in flight, which hold a slot until they are stamped;
 * - "phantoms": requests of other clients on the same token, inferred from
 *   `X-HubSpot-RateLimit-Remaining` (HubSpot's count minus ours), kept a full window.
 * A request may start when the lane holds fewer than `limit` entries; otherwise it waits for the
 * entry whose expiry brings the count under the limit. Measured against the emulator: ~99.5% of
 * 100 per 10 s with no 429. Stamping at the answer costs more in the 1-second search window
 * (about limit / (1 s + latency)), the price of never believing a slot free too early.
 */
export type CallKind = 'standard' | 'search'

export interface GovernorLimits {
  /** ordinary requests per rolling 10 seconds */
  tenSecondly: number
  /** search requests per second */
  searchPerSecond: number
  /** requests per UTC day this process may make; unset = no own cap */
  daily?: number
}

export interface Ticket {
  readonly kind: CallKind
  readonly startedAt: number
}

/** how a header is read: `(name) => value | null`, e.g. `(n) => response.headers.get(n)` */
export type HeaderReader = (name: string) => string | null

interface Lane {
  spanMs: number
  configured: number
  /** HubSpot's `X-HubSpot-RateLimit-Max`: the account's real limit, when below the configured one */
  headerMax: number
  /** expiry times of our finished requests */
  done: number[]
  inFlight: Ticket[]
  phantoms: { count: number; expiresAt: number }
  blockedUntil: number
}

const POLL_MS = 20

const createLane = (spanMs: number, limit: number): Lane => ({
  spanMs,
  configured: limit,
  headerMax: Infinity,
  done: [],
  inFlight: [],
  phantoms: { count: 0, expiresAt: 0 },
  blockedUntil: 0,
})

function prune(lane: Lane, now: number) {
  if (lane.done.length && lane.done[0] <= now) lane.done = lane.done.filter((expiry) => expiry > now)
  if (lane.phantoms.expiresAt <= now) lane.phantoms.count = 0
}

const limitOf = (lane: Lane) => Math.min(lane.configured, lane.headerMax)

/**
 * While other clients share the window (phantoms), their next request can take a slot the moment
 * it frees; a 5% reserve leaves them room instead of racing them into 429s.
 */
const usableLimit = (lane: Lane, now: number) =>
  limitOf(lane) - (phantomCount(lane, now) > 0 ? Math.ceil(limitOf(lane) * 0.05) : 0)

const phantomCount = (lane: Lane, now: number) => (lane.phantoms.expiresAt > now ? lane.phantoms.count : 0)

/** entries in the window at `now`: finished, in flight and inferred */
function occupancy(lane: Lane, now: number): number {
  prune(lane, now)
  return lane.done.length + lane.inFlight.length + phantomCount(lane, now)
}

/** ms until the lane can take one more request (0 = now) */
function laneDelay(lane: Lane, now: number): number {
  if (lane.blockedUntil > now) return lane.blockedUntil - now
  const count = occupancy(lane, now)
  const limit = usableLimit(lane, now)
  if (count < limit) return 0
  // the (count - limit + 1)-th expiry brings the count under the limit; in-flight entries never expire
  const expiries = [...lane.done]
  for (let i = 0; i < phantomCount(lane, now); i++) expiries.push(lane.phantoms.expiresAt)
  expiries.sort((a, b) => a - b)
  const next = expiries[count - limit]
  return next === undefined ? POLL_MS : Math.max(1, next - now)
}

export interface Governor {
  setLimits(limits: GovernorLimits): void
  /** how long to wait before a request of this kind may start, and why; undefined = go */
  delay(kind: CallKind, now: number): { ms: number; reason: string } | undefined
  /** true when the day's budget (ours or HubSpot's, from its headers) is used up */
  dailyExhausted(now: number): boolean
  /** takes a slot; call it in the same tick as a `delay` that returned undefined */
  start(kind: CallKind, now: number): Ticket
  /** stamps a request with its answer time and learns from the answer's rate-limit headers */
  finish(ticket: Ticket, now: number, headers?: HeaderReader): void
  /**
   * HubSpot answered 429: the window is full whatever we believed. Holds every request of this
   * kind for `askedMs` when HubSpot said how long, else until a slot has surely freed (backing
   * off over a `streak` of refusals), and returns that wait.
   */
  throttled(kind: CallKind, now: number, streak: number, askedMs?: number): number
  /** the lane state, for tests and diagnostics */
  inspect(kind: CallKind, now: number): { limit: number; occupancy: number }
}

export function createGovernor(initial: GovernorLimits, random: () => number = Math.random): Governor {
  const lanes: Record<CallKind, Lane> = {
    standard: createLane(10_000, initial.tenSecondly),
    search: createLane(1_000, initial.searchPerSecond),
  }
  let limits = initial
  const day = { key: '', count: 0, exhaustedByHeader: false }
  const today = (now: number) => {
    const key = new Date(now).toISOString().slice(0, 10)
    if (day.key !== key) Object.assign(day, { key, count: 0, exhaustedByHeader: false })
  }

  return {
    setLimits(next) {
      limits = next
      lanes.standard.configured = next.tenSecondly
      lanes.search.configured = next.searchPerSecond
    },
    delay(kind, now) {
      const ms = laneDelay(lanes[kind], now)
      if (ms <= 0) return undefined
      const lane = lanes[kind]
      const reason =
        lane.blockedUntil > now
          ? `HubSpot answered 429: holding ${kind} requests`
          : kind === 'search'
            ? `search budget: ${limitOf(lane)} per second`
            : `ten-second budget: ${limitOf(lane)} per 10 s`
      return { ms, reason }
    },
    dailyExhausted(now) {
      today(now)
      return day.exhaustedByHeader || (limits.daily !== undefined && day.count >= limits.daily)
    },
    start(kind, now) {
      today(now)
      day.count++
      const ticket: Ticket = { kind, startedAt: now }
      lanes[kind].inFlight.push(ticket)
      return ticket
    },
    finish(ticket, now, headers) {
      const lane = lanes[ticket.kind]
      const index = lane.inFlight.indexOf(ticket)
      if (index < 0) return
      lane.inFlight.splice(index, 1)
      lane.done.push(now + lane.spanMs)
      if (!headers) return
      if (headers('x-hubspot-ratelimit-daily-remaining') === '0') day.exhaustedByHeader = true
      if (ticket.kind === 'standard') learnFromHeaders(lane, ticket, now, headers)
    },
    throttled(kind, now, streak, askedMs) {
      const lane = lanes[kind]
      prune(lane, now)
      // the first of our own entries to expire frees a slot HubSpot counts too; without one, back off
      const oldest = lane.done.length ? Math.min(...lane.done) - now : Infinity
      const backoff = Math.min(lane.spanMs, 250 * 2 ** Math.max(0, streak - 1))
      const ms = askedMs ?? Math.round(Math.max(50, Math.min(oldest, backoff)) * (1 + random() * 0.1))
      lane.blockedUntil = Math.max(lane.blockedUntil, now + ms)
      return ms
    },
    inspect(kind, now) {
      return { limit: limitOf(lanes[kind]), occupancy: occupancy(lanes[kind], now) }
    },
  }
}

/**
 * HubSpot's count of the window (`Max - Remaining`, this request included) against ours as it was
 * when the request was sent: everything we had then is in HubSpot's count or already expired there,
 * so any excess is other clients' traffic on this token, held as phantoms for a full window.
 */
function learnFromHeaders(lane: Lane, ticket: Ticket, now: number, headers: HeaderReader) {
  const max = Number(headers('x-hubspot-ratelimit-max'))
  const remaining = Number(headers('x-hubspot-ratelimit-remaining'))
  const interval = Number(headers('x-hubspot-ratelimit-interval-milliseconds') ?? lane.spanMs)
  if (!Number.isInteger(max) || max <= 0 || !Number.isInteger(remaining) || interval !== lane.spanMs) return
  lane.headerMax = max
  const sentAt = ticket.startedAt
  const finished = lane.done.filter((expiry) => expiry > sentAt).length
  const ours = finished + lane.inFlight.filter((t) => t.startedAt <= sentAt).length
  const foreign = Math.max(0, max - remaining - ours)
  lane.phantoms = foreign > 0 ? { count: foreign, expiresAt: now + lane.spanMs } : { count: 0, expiresAt: 0 }
}

// one budget per HubSpot account token (and endpoint) for the whole process: every stream and every
// connector instance draws from it, as HubSpot counts them together
const shared = new Map<string, Governor>()

export function sharedGovernor(key: string, limits: GovernorLimits): Governor {
  let governor = shared.get(key)
  if (!governor) shared.set(key, (governor = createGovernor(limits)))
  else governor.setLimits(limits)
  return governor
}
