import { randomInt } from 'node:crypto'
import { parseArgs } from 'node:util'
import { SOURCE_NAMES, type SourceName } from './catalog.ts'
import { runChaos } from './harness.ts'
import { eventLines, summary } from './report.ts'

/**
 * `npm run chaos -- [--scenarios N] [--seed S] [--sources a,b] [--jobs J] [--json] [--keep]`
 *
 * The convergence proof (DESIGN.md §7): randomized, seeded scenarios over the three emulators and
 * real PostgreSQL. Each mixes source changes during syncs, SIGKILLs, 429 storms, 5xx, slow and
 * dropped connections, failed Athena queries, ties bigger than a page, clock skew and malformed
 * records; after the faults stop, one more incremental run must leave every table equal to its
 * source, row by row. Exit 0 when every scenario passed, 1 otherwise, 2 on bad usage.
 */
const USAGE = `usage: npm run chaos -- [--scenarios N (20)] [--seed S (random)] [--jobs J (3)]
       [--sources ${SOURCE_NAMES.join(',')}] [--json] [--keep] [--verbose]`

// the AWS SDK (the harness reads SalesPro's truth with it) warns about Node 20 on every start
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

async function main(): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        scenarios: { type: 'string', default: '20' },
        seed: { type: 'string' },
        sources: { type: 'string', default: SOURCE_NAMES.join(',') },
        jobs: { type: 'string', default: '3' },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (values.help) return (process.stdout.write(`${USAGE}\n`), 0)
  const scenarios = Number(values.scenarios)
  const jobs = Number(values.jobs)
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31) : Number(values.seed)
  const sources = values.sources.split(',').map((s) => s.trim()) as SourceName[]
  const unknown = sources.filter((s) => !SOURCE_NAMES.includes(s))
  const counts = [scenarios, jobs].every((n) => Number.isInteger(n) && n >= 1)
  if (!counts || !Number.isInteger(seed) || unknown.length || !sources.length) {
    const which = unknown.length ? ` (unknown source ${unknown.join(', ')})` : ''
    process.stderr.write(`bad arguments${which}\n${USAGE}\n`)
    return 2
  }
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const out = values.json ? process.stderr : process.stdout
  const only = values.sources === SOURCE_NAMES.join(',') ? '' : ` --sources ${sources.join(',')}`
  const server = new URL(databaseUrl).host
  const what = `${scenarios} scenarios, seed ${seed}, sources ${sources.join(',')}, ${jobs} at a time`
  out.write(`chaos: ${what}, PostgreSQL at ${server}\n`)
  const started = performance.now()
  let results
  try {
    results = await runChaos({
      scenarios,
      seed,
      sources,
      databaseUrl,
      jobs,
      keep: values.keep,
      onResult: (r, line) => out.write(`${line}\n${values.verbose ? `${eventLines(r)}\n` : ''}`),
    })
  } catch (error) {
    // only the setup throws (a scenario's own failures are results): most often no PostgreSQL
    process.stderr.write(`chaos: cannot start: ${(error as Error).message} (DATABASE_URL=${server})\n`)
    return 2
  }
  out.write(`${summary(results, (s) => `npm run chaos -- --scenarios 1 --seed ${s}${only}`)}\n`)
  out.write(`in ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
  if (values.json) {
    const all = results.map(({ plan, ...rest }) => ({ seed: plan.seed, index: plan.index, plan, ...rest }))
    process.stdout.write(`${JSON.stringify({ seed, results: all })}\n`)
  }
  return results.every((r) => r.passed) ? 0 : 1
}

process.exitCode = await main()
