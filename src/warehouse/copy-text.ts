/**
 * Encodes rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes
 * for the four characters that would break the framing. Values are already typed by the stream's
 * processor; here they only become text.
 */
const SPECIAL = /[\\\t\n\r]/

function escapeText(value: string): string {
  if (!SPECIAL.test(value)) return value
  return value.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'))
}

/**
 * JSON text (as JSON.stringify writes it) as a COPY value: JSON escapes tab, newline and CR
 * itself, so only backslashes need doubling, and most payloads have none.
 */
export function encodeCopyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json
}

/** A COPY text field back to its value (the inverse of escapeText; not for `\N`). */
export function decodeCopyText(field: string): string {
  return field.replace(/\\([\\tnr])/g, (_, ch: string) => (ch === 't' ? '\t' : ch === 'n' ? '\n' : ch === 'r' ? '\r' : '\\'))
}

export function encodeCopyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  switch (typeof value) {
    case 'string':
      return escapeText(value)
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
      return value ? 't' : 'f'
    default:
      if (value instanceof Date) return value.toISOString()
      return escapeText(JSON.stringify(value))
  }
}
