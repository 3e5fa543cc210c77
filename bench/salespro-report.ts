import { fmt } from './lib.ts'
import { renderProfile } from './profile.ts'
import type { PairRatio, SalesProBench, SyncAndCopy, SyncMeasure } from './salespro.ts'

const SYNC = '`crmsync sync salespro customer --json`'
const rate = (rows: number, ms: number) => (rows * 1000) / ms
/** PostgreSQL's own ceiling for the source-columns ratio with whole `_raw`: its COPY of the sync's rows, in the sync's order, ÷ its COPY of the source's columns */
const ceiling = (p: SyncAndCopy) => p.copySyncOrder.rowsPerSec / p.copySourceColumns.rowsPerSec
const spread = (pairs: SyncAndCopy[], of: (p: SyncAndCopy) => number, digits: number) => {
  const values = pairs.map(of)
  return `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`
}
// a process's CPU ÷ the command's wall time: 100% is one core kept busy the whole time
const busy = (cpuMs: number, sync: SyncMeasure) => `${fmt(cpuMs / 1000, 1)} s (${fmt((cpuMs / sync.wallMs) * 100)}% of a core)`

/** The report's section: every figure of issues 2 and 18 for SalesPro, each with its command and target. */
export function renderSalesPro(s: SalesProBench): string[] {
  const m = s.median
  const same = m.ratioSameTable
  const full = same.full
  const byPair = (ratio: PairRatio) => (s.pairs.length > 1 ? ` (pair ${s.pairs.indexOf(m[ratio]) + 1} of ${s.pairs.length}, the median)` : '')
  const loadRate = rate(full.fetched, full.durationMs - full.firstPageMs)
  const [small, middle, large] = s.rss
  const inc = m.incrementalShare
  const slim = m.ratioSlimSourceColumns
  const floor = m.postgresUpdateShare
  const out = [
    `## SalesPro full sync against PostgreSQL's own COPY (${fmt(s.rows)} customers)`,
    '',
    `The source is \`${s.emulatorCommand}\` in its own process. Each sync is ${SYNC} into a fresh database, run under \`/usr/bin/time\`; its own time is the run's \`durationMs\` (Athena query to last commit), the command's is process start to exit.`,
    '',
    '| measure | value | target | command |',
    '|---|---|---|---|',
    `| full sync${byPair('ratioSameTable')} | ${fmt(rate(full.fetched, full.durationMs))} rows/s (${fmt(full.durationMs / 1000, 1)} s; the command ${fmt(full.wallMs / 1000, 1)} s) | | ${SYNC} |`,
    `| COPY of the same rows into an identical table (with \`_raw\` json, \`_hash\` bytea, key) | ${fmt(same.copySameTable.rowsPerSec)} rows/s (${fmt(same.copySameTable.durationMs / 1000, 1)} s) | | \`COPY bench.same FROM STDIN\` of \`COPY (SELECT * FROM salespro.customer ORDER BY updated_at NULLS FIRST, customer_id) TO STDOUT\` (the source's order) |`,
    `| COPY of the same rows in the sync's order (each batch of 20,000 in key order), for comparison | ${fmt(same.copySyncOrder.rowsPerSec)} rows/s (${fmt(same.copySyncOrder.durationMs / 1000, 1)} s); the full sync ÷ it ${fmt(rate(full.fetched, full.durationMs) / same.copySyncOrder.rowsPerSec, 2)} | | \`COPY bench.ordered FROM STDIN\` of \`COPY (SELECT * FROM salespro.customer) TO STDOUT\` |`,
    `| COPY of the source's 10 columns only (Athena's result CSV, no \`_raw\`) | ${fmt(same.copySourceColumns.rowsPerSec)} rows/s (${fmt(same.copySourceColumns.durationMs / 1000, 1)} s) | | \`COPY bench.source FROM STDIN (FORMAT csv, HEADER true)\` |`,
    `| **ratio** full sync ÷ COPY of the source's own columns${byPair('ratioSourceColumns')} | **${fmt(m.ratioSourceColumns.ratioSourceColumns, 2)}** | ≥ 0.6 | the two above, rows/s ÷ rows/s |`,
    `| PostgreSQL's own ceiling for that ratio with whole \`_raw\`: its COPY of the same rows in the sync's order ÷ its COPY of the source's columns${byPair('ratioSourceColumns')} | ${fmt(ceiling(m.ratioSourceColumns), 2)}${s.pairs.length > 1 ? ` (pairs ${spread(s.pairs, ceiling, 2)})` : ''} | | the two COPYs above: the rows the sync writes, in the order it writes them; no sync of them loads faster, before its wait for the source's first page |`,
    `| full sync with the stream's contract \`"raw": "slim"\` (README "Slim \`_raw\`"; the default is \`whole\`)${byPair('ratioSlimSourceColumns')} | ${fmt(rate(slim.slim.fetched, slim.slim.durationMs))} rows/s (${fmt(slim.slim.durationMs / 1000, 1)} s; the command ${fmt(slim.slim.wallMs / 1000, 1)} s); \`salespro.customer\` ${fmt(slim.tableMb.slim)} MB against ${fmt(slim.tableMb.whole)} MB whole | | ${SYNC} with \`CRMSYNC_CONFIG\` holding \`${JSON.stringify({ sources: { salespro: { streams: { customer: { raw: 'slim' } } } } })}\` |`,
    `| **ratio** full sync with \`raw: slim\` ÷ COPY of the source's own columns${byPair('ratioSlimSourceColumns')} | **${fmt(slim.ratioSlimSourceColumns, 2)}** | ≥ 0.6 | the two above, rows/s ÷ rows/s |`,
    `| **ratio** full sync ÷ COPY of the same rows into an identical table${byPair('ratioSameTable')} | **${fmt(same.ratioSameTable, 2)}** | ≥ 0.85 | the two above, rows/s ÷ rows/s |`,
    `| **ratio** the whole command, from process start, ÷ COPY of the same rows${byPair('ratioCommand')} | **${fmt(m.ratioCommand.ratioCommand, 2)}** (command ${fmt(m.ratioCommand.full.wallMs / 1000, 1)} s, its run ${fmt(m.ratioCommand.full.durationMs / 1000, 1)} s, COPY ${fmt(m.ratioCommand.copySameTable.durationMs / 1000, 1)} s) | ≥ 0.75 | \`/usr/bin/time crmsync sync salespro customer --json\`, start to exit |`,
    `| of the sync, waiting for the first page (the emulated Athena query, then its first rows) | ${fmt(full.firstPageMs / 1000, 1)} s | | \`crmsync.run_pages\`, page 1's \`fetch_ms\` |`,
    `| load after the first page: rows/s, and ÷ COPY of the same rows | ${fmt(loadRate)} rows/s, ${fmt(loadRate / same.copySameTable.rowsPerSec, 2)} | | |`,
    `| peak RSS of a full sync, ${fmt(small.rows)} rows | ${fmt(small.maxRssMb)} MB | < 200 MB | ${SYNC} against \`crmsync emulate salespro --rows ${small.rows} --tables customer --seed 7\`, \`/usr/bin/time -f %M\` |`,
    `| peak RSS of a full sync, ${fmt(middle.rows)} rows${s.pairs.length > 1 ? ' (the highest of the pairs)' : ''} | ${fmt(middle.maxRssMb)} MB | < 200 MB | the pairs' syncs, \`/usr/bin/time -f %M\` |`,
    `| peak RSS of a full sync, ${fmt(large.rows)} rows (${fmt(large.durationMs / 1000, 1)} s) | ${fmt(large.maxRssMb)} MB | < 200 MB | ${SYNC} against \`crmsync emulate salespro --rows ${large.rows} --tables customer --seed 7\`, \`/usr/bin/time -f %M\` |`,
    `| incremental run after ${fmt(s.incrementalChanges)} changes${byPair('incrementalShare')} | ${fmt(inc.incremental.durationMs)} ms, ${fmt(inc.incremental.fetched)} rows fetched, ${fmt(inc.incremental.updated)} updated | | \`POST /_admin/mutate {"table":"customer","updates":${s.incrementalChanges}}\` to the pair's emulator right after its COPYs, then ${SYNC} into the pair's warehouse |`,
    `| **ratio** incremental ÷ full (the same pair's full sync)${byPair('incrementalShare')} | **${fmt(inc.incrementalShare * 100, 2)}%** (full run ${fmt(inc.full.durationMs / 1000, 1)} s) | < 1% | the two runs' \`durationMs\` |`,
    `| PostgreSQL alone: one UPDATE of ${fmt(floor.postgresUpdate.rows)} rows scattered over the identical table, every column rewritten, from a checkpoint (the floor under the incremental run: no crmsync, no Athena)${byPair('postgresUpdateShare')} | ${fmt(floor.postgresUpdate.durationMs)} ms, **${fmt(floor.postgresUpdateShare * 100, 2)}%** of the same pair's full run (${fmt(floor.full.durationMs / 1000, 1)} s); that pair's incremental run took ${fmt(floor.incremental.durationMs / floor.postgresUpdate.durationMs, 1)}× as long | | \`UPDATE bench.same t SET … FROM bench.changes c WHERE t.customer_id = c.customer_id\`, \`bench.changes\` ${fmt(s.incrementalChanges)} rows of \`bench.same TABLESAMPLE BERNOULLI\` with new values, right after the incremental run |`,
    '',
    ...renderPairs(s.pairs),
    ...renderCpu(s),
    "The sync reads one Athena query for the whole table (the result CSV streamed from S3), turns each row of it straight from its bytes into its COPY line (the byte lane; a row it cannot take plainly is validated as a record) and hashes it as its page of up to 500 rows arrives, keeps `_raw` as json and a 16-byte `_hash`, and commits 20,000 rows (or ~8 MB of them) and the cursor per transaction. The first COPY is PostgreSQL loading exactly the rows the sync wrote, in the order the source sent them (the issue's measure); the second what loading the source's own columns costs PostgreSQL, without `_raw`; the third the rows the sync wrote in the order it wrote them: the sync writes each batch in key order, which PostgreSQL's key index takes far faster than the source's order, and that COPY shows what the order alone is worth. Each timed load (the sync, each COPY, the incremental run, PostgreSQL's own UPDATE of scattered rows) starts right after a CHECKPOINT. That UPDATE is the floor under the incremental run: PostgreSQL reads and rewrites as many rows, each on a page no one touched since the checkpoint, so each costs a read and a full-page image in WAL, whoever asks. This machine's speed drifts by up to a third from one minute to the next, so the sync, its COPYs and its incremental run are measured as pairs, one right after the other, each pair on a fresh database and a freshly started emulator (the same source rows, the same 1,000 changes); the spread of the pairs above is that drift.",
    '',
  ]
  return out
}

function renderPairs(pairs: SyncAndCopy[]): string[] {
  const lines = [
    'Each pair (a full sync, then at once its three COPYs, the incremental run after 1,000 changes, and a full sync with `raw: slim` into a fresh database); the load is the 1-minute load average as the pair started:',
    '',
    '| pair | load | sync rows/s (run) | command | COPY same rows, rows/s | the same in the sync\'s order | COPY source columns, rows/s | sync ÷ COPY source columns | sync ÷ COPY same rows | command ÷ COPY same rows | incremental run | incremental ÷ full | PostgreSQL\'s own UPDATE of the same number of rows, ÷ full | slim sync rows/s | slim ÷ COPY source columns |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...pairs.map(
      (p, i) =>
        `| ${i + 1} | ${fmt(p.loadAtStart, 2)} | ${fmt(rate(p.full.fetched, p.full.durationMs))} | ${fmt(p.full.wallMs / 1000, 1)} s | ${fmt(p.copySameTable.rowsPerSec)} | ${fmt(p.copySyncOrder.rowsPerSec)} | ${fmt(p.copySourceColumns.rowsPerSec)} | ${fmt(p.ratioSourceColumns, 2)} | ${fmt(p.ratioSameTable, 2)} | ${fmt(p.ratioCommand, 2)} | ${fmt(p.incremental.durationMs)} ms | ${fmt(p.incrementalShare * 100, 2)}% | ${fmt(p.postgresUpdate.durationMs)} ms, ${fmt(p.postgresUpdateShare * 100, 2)}% | ${fmt(rate(p.slim.fetched, p.slim.durationMs))} | ${fmt(p.ratioSlimSourceColumns, 2)} |`,
    ),
  ]
  if (pairs.length > 1) {
    lines.push(
      `| spread (lowest–highest) | ${spread(pairs, (p) => p.loadAtStart, 2)} | ${spread(pairs, (p) => rate(p.full.fetched, p.full.durationMs), 0)} | ${spread(pairs, (p) => p.full.wallMs / 1000, 1)} s | ${spread(pairs, (p) => p.copySameTable.rowsPerSec, 0)} | ${spread(pairs, (p) => p.copySyncOrder.rowsPerSec, 0)} | ${spread(pairs, (p) => p.copySourceColumns.rowsPerSec, 0)} | ${spread(pairs, (p) => p.ratioSourceColumns, 2)} | ${spread(pairs, (p) => p.ratioSameTable, 2)} | ${spread(pairs, (p) => p.ratioCommand, 2)} | ${spread(pairs, (p) => p.incremental.durationMs, 0)} ms | ${spread(pairs, (p) => p.incrementalShare * 100, 2)}% | ${spread(pairs, (p) => p.postgresUpdate.durationMs, 0)} ms, ${spread(pairs, (p) => p.postgresUpdateShare * 100, 2)}% | ${spread(pairs, (p) => rate(p.slim.fetched, p.slim.durationMs), 0)} | ${spread(pairs, (p) => p.ratioSlimSourceColumns, 2)} |`,
    )
  }
  lines.push('')
  return lines
}

function renderCpu(s: SalesProBench): string[] {
  const unprofiled = s.median.ratioSameTable.full
  const profiled = s.profile.sync
  return [
    "### Which process is the bound: CPU during one full sync",
    '',
    "CPU time (user + system) of each process while the command ran, and that time ÷ the command's wall time (100% is one core busy throughout; this machine has two). crmsync's from `/usr/bin/time`; PostgreSQL's is every server process's utime+stime from /proc plus the postmaster's cutime+cstime (its ended backends), read before and after, so it counts whatever any other client asked of the server meanwhile (on a quiet machine, nothing); the emulator's from its /proc/PID/stat.",
    '',
    '| process | the median pair\'s sync | the profiled sync |',
    '|---|---|---|',
    `| crmsync (node) | ${busy(unprofiled.cpu.crmsyncMs, unprofiled)} | ${busy(profiled.cpu.crmsyncMs, profiled)} |`,
    `| PostgreSQL | ${busy(unprofiled.cpu.postgresMs, unprofiled)} | ${busy(profiled.cpu.postgresMs, profiled)} |`,
    `| the Athena/S3 emulator | ${busy(unprofiled.cpu.emulatorMs, unprofiled)} | ${busy(profiled.cpu.emulatorMs, profiled)} |`,
    `| the command, start to exit (its run) | ${fmt(unprofiled.wallMs / 1000, 1)} s (${fmt(unprofiled.durationMs / 1000, 1)} s) | ${fmt(profiled.wallMs / 1000, 1)} s (${fmt(profiled.durationMs / 1000, 1)} s) |`,
    '',
    `Where crmsync's time goes, from \`node --cpu-prof --cpu-prof-dir DIR -- bin/crmsync.js sync salespro customer --json\` (one more full sync of ${fmt(profiled.fetched)} rows on a fresh database; the profiler slows it, so its figures stay out of the ratios above). Self time by area, the whole process from start to exit (${fmt(s.profile.summary.totalMs / 1000, 1)} s); a builtin (JSON.stringify, Buffer's) counts in the area of the crmsync line or function that called it:`,
    '',
    ...renderProfile(s.profile.summary),
    '',
  ]
}
