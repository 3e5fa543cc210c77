import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { expect } from 'vitest'

/** Debian's Chromium (apt-get install chromium), driven by playwright-core: never a browser download. */
export const CHROMIUM = '/usr/bin/chromium'
export const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url))
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * Headless Chromium, or why it cannot run here: a browser test then skips and says so. In CI
 * (`CI` set: .ci/run installs Chromium) a missing browser is a failure, never a skip, so the
 * browser tests cannot silently stop running.
 */
export async function launchChromium(): Promise<{ browser?: Browser; problem?: string }> {
  let problem: string | undefined
  if (!existsSync(CHROMIUM)) problem = `Debian's chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y chromium\``
  else {
    try {
      return { browser: await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 }) }
    } catch (error) {
      problem = `headless chromium at ${CHROMIUM} did not start: ${(error as Error).message.split('\n')[0]}`
    }
  }
  if (process.env.CI) throw new Error(`the browser tests must run in CI, but ${problem}`)
  return { problem }
}

/** A page of the dashboard's size whose console errors and uncaught exceptions land in `errors`. */
export async function newBrowserPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  // Playwright's 30 s default is short for a page of a server that shares two loaded cores
  page.setDefaultTimeout(120_000)
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  return page
}

/** Opens a path of the server at `base` and expects a 200. */
export async function openPath(page: Page, base: string, path: string): Promise<void> {
  const response = await page.goto(new URL(path, base).toString())
  expect(response?.status(), path).toBe(200)
}

/** A full-page screenshot under test-output/screenshots/, for a person to look at after a run. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })
}
