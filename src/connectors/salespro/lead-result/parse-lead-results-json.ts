export type ParsedLeadResultsJson = { ok: true; answers: unknown[] } | { ok: false; reason: string }

/**
 * Parse the `lead_results` column. SQL NULL, blank text and JSON `null` mean "no answers"
 * and are fine; anything that is not a JSON array is a reason to reject the row.
 * The escape `\u0026` in the text becomes `&` here, before titles are matched.
 */
export function parseLeadResultsJson(text: string | null): ParsedLeadResultsJson {
  if (text === null || text.trim() === '') return { ok: true, answers: [] }
  let parsed = parseJson(text)
  if (!parsed.ok) return { ok: false, reason: `lead_results is not valid JSON: ${parsed.error}` }
  // some exports store the array as a JSON string holding the JSON text; unwrap one level
  if (typeof parsed.value === 'string') {
    const inner = parseJson(parsed.value)
    if (inner.ok) parsed = inner
  }
  if (parsed.value === null) return { ok: true, answers: [] }
  if (!Array.isArray(parsed.value)) {
    return { ok: false, reason: `lead_results is not a JSON array (found ${describe(parsed.value)})` }
  }
  return { ok: true, answers: parsed.value }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

function describe(value: unknown): string {
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
