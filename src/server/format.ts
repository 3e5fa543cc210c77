import { redactSecrets } from '../log.ts'
import { html, type SafeHtml } from './html.ts'

/** How the pages write numbers, times and statuses. All times are UTC, and say so. */
export const fmtInt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'))

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`
}

export const fmtPercent = (ratio: number | null) => (ratio === null ? '–' : `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)} %`)

export const fmtBytes = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`)

const iso = (d: Date | string) => new Date(d).toISOString()

/** `2026-01-02 10:11:12 UTC` in a <time> element. */
export function fmtTime(d: Date | string | null | undefined): SafeHtml {
  if (d === null || d === undefined) return html`<span class="muted">never</span>`
  const text = iso(d).slice(0, 19).replace('T', ' ')
  return html`<time datetime="${iso(d)}">${text}</time>`
}

/** `3 min ago`, measured against `now`, with the exact time as the tooltip. */
export function fmtAgo(d: Date | string | null | undefined, now = Date.now()): SafeHtml {
  if (d === null || d === undefined) return html`<span class="muted">never</span>`
  const ms = Math.max(0, now - new Date(d).getTime())
  const text = ms < 60_000 ? `${Math.round(ms / 1000)} s ago` : ms < 3_600_000 ? `${Math.round(ms / 60_000)} min ago` : ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h ago` : `${Math.round(ms / 86_400_000)} days ago`
  return html`<time datetime="${iso(d)}" title="${iso(d).slice(0, 19).replace('T', ' ')} UTC">${text}</time>`
}

// a Map: statuses come from the warehouse and filters, and a plain object would answer `constructor` too
const STATUS_CLASS = new Map<string, string>([
  ['succeeded', 'ok'],
  ['partial', 'warn'],
  ['failed', 'bad'],
  // each run outcome its own colour (failed red, partial amber, cancelled violet, skipped grey)
  ['cancelled', 'cancel'],
  ['running', 'run'],
  ['skipped', 'skip'],
  ['open', 'bad'],
  ['acknowledged', 'warn'],
  ['resolved', 'ok'],
  ['closed', 'ok'],
  ['half_open', 'warn'],
  ['active', 'ok'],
  ['paused', 'skip'],
  ['critical', 'bad'],
  ['error', 'bad'],
  ['warning', 'warn'],
  ['info', 'muted'],
])

/** The colour class of a status, shared by the badges, the timeline's bars and the charts. */
export const statusClass = (status: string) => STATUS_CLASS.get(status) ?? 'muted'

/** A coloured status pill. */
export const badge = (status: string | null | undefined) =>
  status ? html`<span class="badge ${statusClass(status)}">${status.replace('_', '-')}</span>` : html`<span class="muted">–</span>`

/** An error text as shown: secrets scrubbed, cut to `max` characters with the whole text as tooltip. */
export function fmtError(text: string | null | undefined, max = 120): SafeHtml {
  if (!text) return html``
  const clean = redactSecrets(text)
  return clean.length <= max ? html`<span class="err">${clean}</span>` : html`<span class="err" title="${clean}">${clean.slice(0, max)}…</span>`
}

/** A JSON value in a <code>, secrets scrubbed, cut to `max` characters. */
// epoch milliseconds as HubSpot's cursors carry them (13 digits: 2001 to 2286)
const EPOCH_MS = /^\d{13}$/

/** One cursor field for a person: an epoch-ms instant as a UTC time, anything else as it is. */
function cursorValue(value: unknown): string {
  if (typeof value === 'string' && EPOCH_MS.test(value)) return new Date(Number(value)).toISOString().replace('T', ' ').replace('Z', ' UTC')
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * A stream's cursor as words: `ts 2024-05-01 12:00:00.123456 · key 0042` rather than its JSON,
 * epoch-ms instants as times; the exact JSON stays in the title (hover) for copying.
 */
export function fmtCursor(value: unknown, max = 120): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`
  const json = redactSecrets(JSON.stringify(value))
  if (typeof value !== 'object' || Array.isArray(value)) return fmtJson(value, max)
  const words = redactSecrets(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k} ${cursorValue(v)}`)
      .join(' · '),
  )
  const shown = words.length <= max ? words : `${words.slice(0, max)}…`
  return html`<span class="cursor" title="${json}">${shown}</span>`
}

export function fmtJson(value: unknown, max = 80): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`
  const text = redactSecrets(JSON.stringify(value))
  return text.length <= max ? html`<code>${text}</code>` : html`<code title="${text}">${text.slice(0, max)}…</code>`
}
