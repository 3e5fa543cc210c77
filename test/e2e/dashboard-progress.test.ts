import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server/start-server.ts'
import { newBrowserPage } from '../helpers/browser.ts'
import { startBrowserDashboard } from '../helpers/browser-dashboard.ts'
import { TEST_TOKEN } from '../helpers/server.ts'

/**
 * The running-runs table in a real browser (Debian's headless Chromium) shows how far a run of the
 * dashboard's own process is through the size its source told: SalesPro reading its Athena result
 * from S3 tells the file's size, and the row's count carries the percent of it read.
 */
const ROWS = 20_000

describe('the dashboard shows the percent of a sized run, in headless Chromium', () => {
  let problem: string | undefined
  let browser: Browser | undefined
  let server: RunningServer
  let stop = async () => {}

  beforeAll(async () => {
    // results read from S3 (the file's size is the read's) and committed 100 rows at a time: 200
    // commits, a run of seconds whose percent can be watched
    const started = await startBrowserDashboard({ rows: ROWS, seed: 9, only: ['customer'] }, { salesproSettings: { readResultsFromS3: true }, batchSize: 100 })
    ;({ problem, stop } = started)
    if (started.dashboard) ({ browser, server } = started.dashboard)
  })
  afterAll(() => stop())

  it('shows the percent of the result file read beside the row count while the run runs, up to 100 %', async (ctx) => {
    if (problem || !browser) {
      console.warn(`skipped: ${problem}`)
      return ctx.skip(problem)
    }
    const browserErrors: string[] = []
    const page = await newBrowserPage(browser, browserErrors)
    expect((await page.goto(new URL('/monitoring/', server.url).toString()))?.status()).toBe(200)
    await expect.poll(() => page.textContent('#live'), { timeout: 60_000 }).toBe('live')
    await page.fill('#token-input', TEST_TOKEN)
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('#token-state:not([hidden])')
    await page.selectOption('#sync-target', 'salespro.customer')
    await page.click('#sync-now')
    await page.locator('#running tr[data-run-id]').waitFor()
    const row = page.locator('#running tr[data-run-id]')

    // the count cell as it changes: "12,300 · 61%" while the read tells how far it is
    const seen: string[] = []
    const deadline = Date.now() + 300_000
    let ended = false
    while (!ended && Date.now() < deadline) {
      // the badge first: the run's end event sets both at once, so a count read after it is the final one
      ended = (await row.locator('.badge').count()) > 0
      const text = (await row.locator('[data-field=fetched]').textContent()) ?? ''
      if (seen.at(-1) !== text) seen.push(text)
      if (!ended) await page.waitForTimeout(50)
    }
    expect(ended, `the run did not end; counts seen: ${seen.join(' | ')}`).toBe(true)
    expect(await row.locator('.badge').textContent()).toBe('succeeded')
    const percents = seen.map((t) => /^[\d,]+ · (\d+)%$/.exec(t)).filter((m) => m !== null).map((m) => Number(m[1]))
    expect(percents.filter((p) => p > 0 && p < 100).length, `counts seen: ${seen.join(' | ')}`).toBeGreaterThanOrEqual(1)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
    expect(seen.at(-1)).toBe(`${ROWS.toLocaleString('en-US')} · 100%`)
    expect(browserErrors).toEqual([])
    await page.close()
  })
})
