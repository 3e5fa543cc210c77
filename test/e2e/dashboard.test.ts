import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import type { RunningServer } from '../../src/server/start-server.ts'
import { newBrowserPage, openPath, screenshot } from '../helpers/browser.ts'
import { startBrowserDashboard } from '../helpers/browser-dashboard.ts'
import { TEST_TOKEN } from '../helpers/server.ts'
import type { TestWarehouse } from '../helpers/warehouses.ts'

/**
 * The dashboard in a real browser: Debian's headless Chromium driven by playwright-core. It opens
 * /monitoring/, unlocks actions with the token, starts a sync of the (slowed-down) SalesPro
 * emulator from the page, watches the row count grow live, finds the run succeeded in the history,
 * and saves a screenshot of every page under test-output/screenshots/.
 */

describe('the dashboard in headless Chromium', () => {
  let problem: string | undefined
  let browser: Browser | undefined
  let db: TestWarehouse
  let emulator: RunningEmulator
  let server: RunningServer
  const browserErrors: string[] = []
  let stop = async () => {}

  beforeAll(async () => {
    // results are paged through GetQueryResults (1,000 rows per call) into pages of 100 rows
    const started = await startBrowserDashboard({ rows: 4000, seed: 5, only: ['customer'] }, { salesproSettings: { readResultsFromS3: false }, batchSize: 100 })
    ;({ problem, stop } = started)
    if (!started.dashboard) return
    ;({ browser, db, emulator, server } = started.dashboard)
    // and every emulator answer waits 300 ms: a run of several seconds whose progress can be watched
    await fetch(`${emulator.url}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 300 }) })
  })
  afterAll(() => stop())

  const open = (page: Page, path: string) => openPath(page, server.url, path)
  const shoot = screenshot

  it('starts a sync from the overview, shows its progress live, and finds it succeeded in the history', async (ctx) => {
    if (problem || !browser) {
      console.warn(`skipped: ${problem}`)
      return ctx.skip(problem)
    }
    const page = await newBrowserPage(browser, browserErrors)

    await open(page, '/monitoring/')
    await expect.poll(() => page.textContent('#live'), { timeout: 60_000 }).toBe('live')
    expect(await page.textContent('#running tbody')).toContain('nothing is running')
    // a wrong token is refused when it is entered, not at the first action
    await page.fill('#token-input', 'not-the-token-000000000000000')
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('#flash div.bad')
    expect(await page.textContent('#flash')).toContain('wrong dashboard token')
    expect(await page.isHidden('#token-state')).toBe(true)
    // the browser reports that refusal (a 403) as a console error: it is the answer expected here
    await expect.poll(() => browserErrors.some((e) => /status of 403/.test(e))).toBe(true)
    browserErrors.splice(0, browserErrors.length, ...browserErrors.filter((e) => !/status of 403/.test(e)))
    await page.fill('#token-input', TEST_TOKEN)
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('#token-state:not([hidden])')
    expect(await page.content()).not.toContain(TEST_TOKEN)
    // the success clears the red message it answers
    expect(await page.locator('#flash div.bad').count()).toBe(0)

    // the "Rows read, 24 h" card, as a number: it must follow the run without a reload
    const rowsReadCard = async () =>
      Number(((await page.locator('section.cards .card', { hasText: 'Rows read' }).locator('.value').textContent()) ?? '').replace(/,/g, ''))
    const rowsReadBefore = await rowsReadCard()
    await page.selectOption('#sync-target', 'salespro.customer')
    await page.click('#sync-now')
    await page.waitForSelector('#flash div.ok')
    await page.locator('#running tr[data-run-id]').waitFor()
    const runId = Number(await page.locator('#running tr[data-run-id]').getAttribute('data-run-id'))
    const row = page.locator(`#running tr[data-run-id="${runId}"]`)

    // watch the row count as the pages commit: it must grow while the run is still running. The
    // watch starts at once, beside the run page's, which waits for the log's first flush (2 s):
    // run one after the other on a loaded machine, the run was nearly done when the watch began
    const seen: number[] = []
    const fetchedNow = async () => Number(((await row.locator('[data-field=fetched]').textContent()) ?? '0').replace(/,/g, ''))
    // generous: on a loaded machine the 40 slowed-down pages can take minutes; the loop ends at the badge
    const deadline = Date.now() + 300_000
    let shotWhileRunning = false
    let ended = false
    const watched = (async () => {
      while (!ended && Date.now() < deadline) {
        // the badge is read before the count: the run's end event sets both at once, so a count read
        // after the badge has appeared is the final one (read the other way round, the count could
        // be the last page's but one, and the badge already there)
        ended = (await row.locator('.badge').count()) > 0
        const fetched = await fetchedNow()
        if (seen.at(-1) !== fetched) seen.push(fetched)
        if (!shotWhileRunning && fetched > 0 && !ended) {
          await shoot(page, '1-overview-running')
          shotWhileRunning = true
        }
        if (!ended) await page.waitForTimeout(100)
      }
    })()
    // the run's page, in a second tab, follows its log while it runs
    const runPage = await newBrowserPage(browser, browserErrors)
    await open(runPage, `/monitoring/runs/${runId}`)
    expect(await runPage.locator('table.log[data-follow]').count()).toBe(1)
    // its lines are written every 2 s: the page shows them as they come, without a reload
    await expect.poll(() => runPage.textContent('#log'), { timeout: 60_000 }).toContain('sync started')
    await watched
    expect(ended, `the run did not end; row counts seen: ${seen.join(', ')}`).toBe(true)
    expect(await row.locator('.badge').textContent()).toBe('succeeded')
    const growing = seen.filter((n) => n > 0 && n < 4000)
    expect(growing.length, `row counts seen while running: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2)
    expect(seen).toEqual([...seen].sort((a, b) => a - b))
    expect(seen.at(-1)).toBe(4000)
    expect(await page.textContent('#flash')).toContain(`Run #${runId} salespro.customer succeeded`)
    await expect.poll(rowsReadCard, { timeout: 60_000 }).toBe(rowsReadBefore + 4000)
    await expect.poll(() => runPage.textContent('#log'), { timeout: 60_000 }).toMatch(/sync succeeded in [\d.]+ s: 4000 fetched/)
    await runPage.close()

    await open(page, '/monitoring/runs')
    const history = page.locator(`tr[data-run-id="${runId}"]`)
    expect(await history.getAttribute('data-status')).toBe('succeeded')
    expect(await history.textContent()).toContain('salespro.customer')
    expect(await history.textContent()).toContain('dashboard')
    await shoot(page, '4-runs')

    await open(page, '/monitoring/')
    expect(await page.textContent('tr[data-stream="salespro.customer"] [data-field=rows]')).toBe('4,000')
    await shoot(page, '2-overview')
    await open(page, '/monitoring/streams')
    expect(await page.textContent('tr[data-stream="salespro.customer"] [data-field=rows]')).toBe('4,000')
    await shoot(page, '3-streams')
    // a full re-sync asks first, saying what it does to deletes; dismissed, nothing starts
    const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => (resolve(dialog.message()), void dialog.dismiss())))
    await page.click('tr[data-stream="salespro.customer"] button[data-action=sync][data-mode=full]')
    expect(await asked).toMatch(/soft-deleted/)
    expect(await page.textContent('#flash')).not.toContain('Sync accepted')
    // a connection test, with the connector's own check
    await page.click('button[data-action=check][data-source=salespro]')
    await expect.poll(() => page.textContent('#flash'), { timeout: 120_000 }).toContain('salespro: Athena reachable')
    await open(page, `/monitoring/runs/${runId}`)
    expect(await page.textContent('h1')).toBe(`Run #${runId}: salespro.customer`)
    await shoot(page, '5-run-detail')
    await open(page, '/monitoring/charts')
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThanOrEqual(4)
    await shoot(page, '6-charts')

    // an alert, acknowledged from the page (the token is still in this tab's sessionStorage)
    await db.warehouse.query(
      `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message, value, threshold)
       VALUES ('stale_data', 'stale_data:salespro:customer:e2e', 'salespro', 'customer', 'warning', 'customer has not synced for 2 h (e2e test alert)', 'inserted by the end-to-end test', 120, 60)`,
    )
    await open(page, '/monitoring/alerts')
    await shoot(page, '7-alerts')
    await Promise.all([page.waitForEvent('load'), page.click('button[data-action=ack]')])
    expect(await page.textContent('tr[data-alert-id]')).toContain('acknowledged')
    await Promise.all([page.waitForEvent('load'), page.click('button[data-action=silence]')])
    expect(await page.textContent('tr[data-alert-id]')).toContain('silenced until')

    // every action above is in the audit trail, with where it came from
    await open(page, '/monitoring/audit')
    const audit = (await page.textContent('table')) ?? ''
    for (const action of ['POST /api/sync', '/acknowledge', '/silence', 'POST /api/sources/salespro/check', 'POST /api/token/check']) expect(audit).toContain(action)
    expect(audit).toContain('127.0.0.1')
    await shoot(page, '10-audit')

    await open(page, '/monitoring/data')
    await shoot(page, '8-data')
    await open(page, '/monitoring/data/salespro/customer')
    expect(await page.textContent('#preview-range')).toBe('rows 1–25 of 4,000')
    await shoot(page, '9-data-customer')

    expect(browserErrors).toEqual([])
    await page.close()
  })
})
