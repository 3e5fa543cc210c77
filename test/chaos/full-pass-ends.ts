import type pg from 'pg'

/**
 * When each stream's last COMPLETE full pass began its final part, so the comparison knows which
 * source deletes it must have noticed (DESIGN.md §3.5). A pass completed across several runs
 * ends in the run that read its last part: every row the source deleted before that run began
 * was either never seen by the pass or seen before a pause, and must be soft-deleted either way.
 * A delete during that run may land behind the read (already seen): it is excused, like any
 * later SalesPro delete, until a later complete pass begins after it.
 *
 * `stream_state.last_full_at` is set in the transaction that completes a pass; the run that
 * completed it is the last run of the stream that started before it. Times are the PostgreSQL
 * server's clock, which is this machine's (the harness runs on the server's host).
 */
export interface PassEnd {
  /** when the run that completed the pass started (ms since the epoch) */
  finalPartBegan: number
  /** the harness run that completed it, and whether it finished a pass an earlier run left open */
  run: string
  resumed: boolean
  /** a resumed pass that began on a table with no live rows keeps no keys (full-pass.ts) */
  keptKeys: boolean
}

/** A harness run of one source: its window, whether it was `--full`, and the passes open before it. */
export interface RunWindow {
  label: string
  startedMs: number
  endedMs: number
  full: boolean
  /** stream → whether its open pass keeps the keys it sees */
  openBefore: ReadonlyMap<string, boolean>
}

/** Streams with a full pass left open (`crmsync.stream_state.full_pass`), and whether it keeps keys. */
export async function openPasses(client: pg.Pool, source: string, streams: readonly string[]) {
  const { rows } = await client.query<{ stream: string; tracks: boolean }>(
    `SELECT stream, coalesce((full_pass->>'tracksKeys')::boolean, false) AS tracks FROM crmsync.stream_state
     WHERE source = $1 AND stream = ANY($2) AND full_pass IS NOT NULL ORDER BY stream`,
    [source, streams],
  )
  return new Map(rows.map((r) => [r.stream, r.tracks]))
}

export async function lastFullPasses(
  client: pg.Pool,
  source: string,
  streams: readonly string[],
  windows: readonly RunWindow[],
): Promise<Map<string, PassEnd>> {
  const { rows } = await client.query<{ stream: string; began: Date | null }>(
    `SELECT s.stream,
       (SELECT max(r.started_at) FROM crmsync.sync_runs r
        WHERE r.source = s.source AND r.stream = s.stream AND r.started_at <= s.last_full_at) AS began
     FROM crmsync.stream_state s
     WHERE s.source = $1 AND s.stream = ANY($2) AND s.last_full_at IS NOT NULL`,
    [source, streams],
  )
  const out = new Map<string, PassEnd>()
  for (const { stream, began } of rows) {
    if (!began) continue
    const at = began.getTime()
    const window = windows.findLast((w) => w.startedMs <= at + 1)
    const resumed = !!window && !window.full && window.openBefore.has(stream)
    const keptKeys = window?.openBefore.get(stream) ?? true
    out.set(stream, { finalPartBegan: at, run: window?.label ?? '?', resumed, keptKeys })
  }
  return out
}
