import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { SyncError } from '../../src/errors.ts'
import type { RunningServer } from '../../src/server/start-server.ts'
import { makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { newBrowserPage, openPath, screenshot } from '../helpers/browser.ts'
import { startBrowserDashboard } from '../helpers/browser-dashboard.ts'
import { TEST_TOKEN, waitFor } from '../helpers/server.ts'
import type { TestWarehouse } from '../helpers/warehouses.ts'

/**
 * The dashboard's views over time and its schedules page in a real browser (Debian's headless
 * Chromium driven by playwright-core), over runs made by real syncs — the SalesPro emulator and
 * the in-memory fake source, one of whose runs fails: the timeline and its bars, the shared time
 * range carried between pages, a stream's trends, and a schedule added, paused, resumed and
 * removed through the page, each change found in the audit trail.
 */

describe('the dashboard views in headless Chromium', () => {
  let problem: string | undefined
  let browser: Browser | undefined
  let db: TestWarehouse
  let emulator: RunningEmulator
  let server: RunningServer
  const fake: FakeSourceControls = { rows: makeRows(60), pagesServed: 0 }
  const browserErrors: string[] = []

  const runs = async () => (await db.warehouse.query<{ id: number; status: string }>(`SELECT id, status FROM crmsync.sync_runs ORDER BY id`)).rows
  // a sync started through the API as the page starts one, waited for until it has ended
  async function syncOnce(source: string, streams?: string[]) {
    const before = (await runs()).length
    await waitFor(async () => {
      const response = await fetch(new URL('/api/sync', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-crmsync-token': TEST_TOKEN }, body: JSON.stringify({ source, streams }) })
      return response.status === 202
    }, `a sync of ${source} to be accepted`)
    return waitFor(async () => {
      const now = await runs()
      return now.length > before && now.every((r) => r.status !== 'running') ? now.at(-1) : undefined
    }, `the sync of ${source}`)
  }
  let stop = async () => {}

  beforeAll(async () => {
    const started = await startBrowserDashboard({ rows: 300, seed: 7, only: ['customer'] }, { fake, batchSize: 50 })
    ;({ problem, stop } = started)
    if (!started.dashboard) return
    ;({ browser, db, emulator, server } = started.dashboard)
    expect((await syncOnce('salespro', ['customer']))?.status).toBe('succeeded')
    expect((await syncOnce('fake'))?.status).toBe('succeeded')
    fake.beforePage = () => {
      throw new SyncError('source_bad_response', 'the fake source answered nonsense')
    }
    expect((await syncOnce('fake'))?.status).toBe('failed')
    fake.beforePage = undefined
  })
  afterAll(() => stop())

  const open = (page: Page, path: string) => openPath(page, server.url, path)
  const shoot = screenshot
  const newPage = () => newBrowserPage(browser as Browser, browserErrors)

  it('draws the timeline, opens a run from its bar, and carries the time range to the other pages', async (ctx) => {
    if (problem || !browser) {
      console.warn(`skipped: ${problem}`)
      return ctx.skip(problem)
    }
    const page = await newPage()
    await open(page, '/monitoring/')
    await page.click('header nav a:has-text("Timeline")')
    await page.waitForURL(/\/monitoring\/timeline$/)
    const all = await runs()
    expect(await page.locator('#timeline rect.bar').count()).toBe(all.length)
    expect(await page.locator('#timeline text.lane-label').allTextContents()).toEqual(['fake.items', 'salespro.customer'])
    expect(await page.locator('#timeline-legend li').allTextContents()).toEqual(['succeeded', 'partial', 'failed', 'cancelled', 'skipped', 'running'])
    // a failed bar is not the colour of a succeeded one, as drawn
    const fill = (status: string) => page.locator(`#timeline rect.bar[data-status="${status}"]`).first().evaluate((el) => getComputedStyle(el).fill)
    expect(await fill('failed')).not.toBe(await fill('succeeded'))
    await shoot(page, '11-timeline')

    // zoomed to the runs (a few seconds of a day's window), each bar is wide enough to aim at
    const failed = all.find((r) => r.status === 'failed') as { id: number }
    const first = (await db.warehouse.query<{ at: Date }>(`SELECT min(started_at) AS at FROM crmsync.sync_runs`)).rows[0].at
    await open(page, `/monitoring/timeline?since=${new Date(first.getTime() - 1000).toISOString()}`)
    await Promise.all([page.waitForURL(new RegExp(`/monitoring/runs/${failed.id}$`)), page.click(`#timeline rect.bar[data-run-id="${failed.id}"]`)])
    expect(await page.textContent('h1')).toBe(`Run #${failed.id}: fake.items`)

    // the range chosen on the timeline follows to the history and the charts
    await open(page, '/monitoring/timeline')
    await page.selectOption('#range-picker select[name=range]', '7d')
    await Promise.all([page.waitForURL(/range=7d/), page.click('#range-picker button[type=submit]')])
    expect(await page.locator('#timeline rect.bar').count()).toBe(all.length)
    await Promise.all([page.waitForURL(/\/monitoring\/runs\?range=7d$/), page.click('header nav a:has-text("Run history")')])
    expect(await page.inputValue('#range-picker select[name=range]')).toBe('7d')
    expect(await page.locator('table.runs tr[data-run-id]').count()).toBe(all.length)
    await Promise.all([page.waitForURL(/\/monitoring\/charts\?range=7d$/), page.click('header nav a:has-text("Charts")')])
    expect(await page.inputValue('#range-picker select[name=range]')).toBe('7d')
    // a custom from/to makes the range custom; one in the future holds no run
    await page.fill('#range-picker input[name=since]', '2099-01-01T00:00')
    expect(await page.inputValue('#range-picker select[name=range]')).toBe('')
    await Promise.all([page.waitForURL(/since=2099-01-01/), page.click('#range-picker button[type=submit]')])
    await Promise.all([page.waitForURL(/\/monitoring\/timeline\?since=2099/), page.click('header nav a:has-text("Timeline")')])
    expect(await page.isVisible('#timeline-empty')).toBe(true)
    // a range the server does not know is a 400 that names it
    const refused = await page.goto(new URL('/monitoring/timeline?range=2d', server.url).toString())
    expect(refused?.status()).toBe(400)
    expect(await page.textContent('.error-box')).toContain('range: must be one of 1h, 24h, 7d, 30d, all')
    browserErrors.splice(0, browserErrors.length, ...browserErrors.filter((e) => !/status of 400/.test(e)))
    expect(browserErrors).toEqual([])
    await page.close()
  })

  it("draws a stream's trends within the range", async (ctx) => {
    if (problem || !browser) return ctx.skip(problem)
    const page = await newPage()
    await open(page, '/monitoring/streams/fake/items')
    for (const id of ['#trend-rows', '#trend-duration', '#trend-rate']) expect(await page.locator(`${id} svg`).count(), id).toBe(1)
    // fetched, inserted and updated for each of the stream's two finished runs
    expect(await page.locator('#trend-rows svg circle').count()).toBe(6)
    expect(await page.locator('#trend-duration ul.legend li').allTextContents()).toEqual(['succeeded', 'failed'])
    await shoot(page, '12-stream-trends')
    await page.selectOption('#range-picker select[name=range]', '1h')
    await Promise.all([page.waitForURL(/range=1h/), page.click('#range-picker button[type=submit]')])
    expect(await page.locator('#trend-rows svg circle').count()).toBe(6)
    expect(await page.getAttribute('a:has-text("All runs of fake.items")', 'href')).toContain('range=1h')
    expect(browserErrors).toEqual([])
    await page.close()
  })

  it('adds, pauses, resumes and removes a schedule from its page, each change audited', async (ctx) => {
    if (problem || !browser) return ctx.skip(problem)
    const page = await newPage()
    await open(page, '/monitoring/schedules')
    expect(await page.textContent('#schedules-table')).toContain('no schedules yet')
    await page.fill('#token-input', TEST_TOKEN)
    await page.click('#token-form button[type=submit]')
    await page.waitForSelector('#token-state:not([hidden])')

    // a wrong interval is refused with the server's reason, and nothing is added
    await page.selectOption('#schedule-target', 'salespro.customer')
    await page.fill('#schedule-every', 'soon')
    await page.click('#schedule-add')
    await page.waitForSelector('#flash div.bad')
    expect(await page.locator('#schedules-table tr[data-schedule-id]').count()).toBe(0)
    browserErrors.splice(0, browserErrors.length, ...browserErrors.filter((e) => !/status of 400/.test(e)))

    await page.fill('#schedule-every', '15m')
    await page.click('#schedule-add')
    await expect.poll(() => page.textContent('#flash'), { timeout: 60_000 }).toMatch(/Schedule #\d+ added: salespro\.customer \(incremental, every 15 min\)/)
    const row = page.locator('#schedules-table tr[data-schedule-id]')
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(1)
    const id = Number(await row.getAttribute('data-schedule-id'))
    expect(await row.textContent()).toContain('every 15 min')
    await shoot(page, '13-schedules')

    await page.click(`button[data-action=schedule-pause][data-schedule="${id}"]`)
    await expect.poll(() => row.getAttribute('data-paused'), { timeout: 60_000 }).toBe('true')
    expect(await row.locator('[data-field=state]').textContent()).toBe('paused')
    await page.click(`button[data-action=schedule-resume][data-schedule="${id}"]`)
    await expect.poll(() => row.getAttribute('data-paused'), { timeout: 60_000 }).toBe('false')
    const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => (resolve(dialog.message()), void dialog.accept())))
    await page.click(`button[data-action=schedule-remove][data-schedule="${id}"]`)
    expect(await asked).toContain(`Remove schedule #${id}, salespro.customer (incremental)?`)
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(0)
    expect(await page.textContent('#flash')).toContain(`Schedule #${id} removed.`)

    await open(page, '/monitoring/audit')
    const audit = (await page.textContent('table')) ?? ''
    for (const action of ['POST /api/schedules', `POST /api/schedules/${id}/pause`, `POST /api/schedules/${id}/resume`, `DELETE /api/schedules/${id}`]) expect(audit).toContain(action)
    expect(browserErrors).toEqual([])
    await page.close()
  })
})
