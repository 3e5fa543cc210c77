import { describe, expect, it } from 'vitest'
import { decodeCopyText } from './copy-text.ts'
import { encodeRowLine } from './merge.ts'

// a COPY text line's fields as PostgreSQL reads them: tab-separated, `\N` NULL, escapes decoded
const fieldsOf = (line: string) => line.split('\t').map((f) => (f === '\\N' ? null : decodeCopyText(f)))

describe('encodeRowLine', () => {
  it('writes every value so that COPY reads it back as it was, the framing characters escaped', () => {
    const values = ['plain', 'tab\there', 'new\nline', 'cr\rhere', 'back\\slash', null, 42, 1.5, true, false, '', 'Zoë Łukasz', { a: 'x\ty' }]
    const raw = JSON.stringify({ note: 'a "quoted" \\ value\n' })
    const line = encodeRowLine(values, raw, '00112233445566778899aabbccddeeff', '2024-01-02T03:04:05Z', '{"changes":[]}')
    expect(line).not.toMatch(/[\n\r]/)
    expect(fieldsOf(line)).toEqual([
      'plain', 'tab\there', 'new\nline', 'cr\rhere', 'back\\slash', null, '42', '1.5', 't', 'f', '', 'Zoë Łukasz', '{"a":"x\\ty"}',
      raw, '\\x00112233445566778899aabbccddeeff', '2024-01-02T03:04:05Z', '{"changes":[]}',
    ])
  })

  it('writes NULL for a row with no deletion and no changes', () => {
    expect(fieldsOf(encodeRowLine(['k'], '{}', 'ab', null, null))).toEqual(['k', '{}', '\\xab', null, null])
  })
})
