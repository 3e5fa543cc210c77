import { describe, expect, inject, it } from 'vitest'
import { SOURCE_NAMES } from '../chaos/catalog.ts'
import { runChaos } from '../chaos/harness.ts'
import { scenarioLine } from '../chaos/report.ts'
import { postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * DESIGN.md §7 in `npm test`: a short, seeded run of the convergence harness (`npm run chaos`)
 * over the three emulators and real PostgreSQL. Seed 13 gives three scenarios covering all three
 * sources: a SalesRabbit `--full` pass cut by `maxRecords` in process, with deletes while it is
 * paused, resumed by the CLI; HubSpot links re-read `--full` (a SIGKILL planned after page 5,
 * which this small stream does not reach) and again in process; the README demo's sequence
 * beside a SalesPro timeline with 5xx, ties bigger than a page, late rows and clock skew. Seed
 * 1018's first scenario adds what those three lack, the sources changing shape (docs/design.md
 * §3.11-3.12): SalesPro's `customer.created_at` retyped to VARCHAR and typed over with text,
 * `company_name` dropped and a BOOLEAN added, HubSpot datetime properties added and values that
 * do not read typed into typed properties, a SalesRabbit lead field added. The full proof is
 * `npm run chaos -- --scenarios 200`.
 */
const SEED = 13
const SHAPE_SEED = 1018
const reason = postgresUnavailable()

describe('convergence under faults (test/chaos)', () => {
  it.skipIf(!!reason)(`leaves every table equal to its source after one more run ${reason ?? ''}`, async () => {
    const info = inject('postgres')
    if (!info.available) return
    const results = await runChaos({ scenarios: 3, seed: SEED, sources: SOURCE_NAMES, databaseUrl: info.url, jobs: 2 })
    expect(results).toHaveLength(3)
    expect(results.filter((r) => !r.passed).map(scenarioLine)).toEqual([])
  })

  it.skipIf(!!reason)(`follows the sources as they change shape ${reason ?? ''}`, async () => {
    const info = inject('postgres')
    if (!info.available) return
    const results = await runChaos({ scenarios: 1, seed: SHAPE_SEED, sources: SOURCE_NAMES, databaseUrl: info.url, jobs: 1 })
    expect(results.filter((r) => !r.passed).map(scenarioLine)).toEqual([])
    // the column judge ran, and met values that do not read
    expect(results[0].diffs.reduce((n, d) => n + d.diff.judgedNulled, 0)).toBeGreaterThan(0)
  })
})
