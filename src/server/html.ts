/**
 * Server-side HTML without a template engine: the `html` tag escapes every interpolated value
 * unless it is itself the output of `html` (or `raw`, kept for markup built here, never for data).
 * Everything read from the warehouse — stream names, errors, rejected rows — goes through it.
 */
export interface SafeHtml {
  readonly __html: string
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c])

const isSafe = (value: unknown): value is SafeHtml => typeof value === 'object' && value !== null && '__html' in value

/** Markup that is already safe. Only for strings this module's callers build from constants. */
export const raw = (markup: string): SafeHtml => ({ __html: markup })

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return ''
  if (Array.isArray(value)) return value.map(render).join('')
  if (isSafe(value)) return value.__html
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]
  return raw(out)
}

/** A query string from parameters, leaving out empty ones: `?a=1&b=x`. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v))
  const text = search.toString()
  return text ? `?${text}` : ''
}
