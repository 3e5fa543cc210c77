import { describe, expect, it } from 'vitest'
import { splitKey } from './versions.ts'

describe('splitKey', () => {
  it('takes a one-column key whole, commas and all', () => {
    expect(splitKey('a,b', ['id'])).toEqual(['a,b'])
  })
  it('splits a compound key on U+001F (crmsync.rejects record_key), else on commas', () => {
    expect(splitKey('42\u001f7', ['lead_id', 'line'])).toEqual(['42', '7'])
    expect(splitKey('42,7', ['lead_id', 'line'])).toEqual(['42', '7'])
    expect(splitKey('4,2\u001f7', ['lead_id', 'line'])).toEqual(['4,2', '7'])
  })
  it('names the key columns when the parts do not match them', () => {
    expect(() => splitKey('42', ['lead_id', 'line'])).toThrow('has 1 part, but the key is 2 columns (lead_id, line)')
  })
})
