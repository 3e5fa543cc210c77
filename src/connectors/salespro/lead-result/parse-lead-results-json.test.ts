import { describe, expect, it } from 'vitest'
import { parseLeadResultsJson } from './parse-lead-results-json.ts'

describe('parseLeadResultsJson', () => {
  it('parses the array, turning the \\u0026 escape into &', () => {
    const text = String.raw`[{"title":"Urgency \u0026 Time Frame","value":"ASAP"}]`
    expect(parseLeadResultsJson(text)).toEqual({
      ok: true,
      answers: [{ title: 'Urgency & Time Frame', value: 'ASAP' }],
    })
  })

  it('reads NULL, blank text and JSON null as no answers', () => {
    for (const text of [null, '', '  ', 'null']) {
      expect(parseLeadResultsJson(text)).toEqual({ ok: true, answers: [] })
    }
  })

  it('unwraps an array that was JSON-encoded twice', () => {
    const text = JSON.stringify(JSON.stringify([{ title: 'Result', value: 'Sold' }]))
    expect(parseLeadResultsJson(text)).toEqual({ ok: true, answers: [{ title: 'Result', value: 'Sold' }] })
  })

  it('gives a reason for invalid JSON', () => {
    const result = parseLeadResultsJson('[{"title": "Result", "value": ')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toMatch(/^lead_results is not valid JSON: /)
  })

  it.each([
    ['{"title":"Result","value":"Sold"}', 'an object'],
    ['42', 'a number'],
    ['"Sold"', 'a string'],
  ])('gives a reason when %s is not an array', (text, found) => {
    expect(parseLeadResultsJson(text)).toEqual({
      ok: false,
      reason: `lead_results is not a JSON array (found ${found})`,
    })
  })
})
