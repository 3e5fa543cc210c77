import { describe, expect, it } from 'vitest'
import { fmtCursor } from './format.ts'

const shown = (value: unknown) => fmtCursor(value).__html

describe('fmtCursor', () => {
  it("says a cursor's fields in words, epoch-ms instants as UTC times, the exact JSON kept in the title", () => {
    const text = shown({ ts: '2024-05-01 12:00:00.123456', key: '0042' })
    expect(text).toContain('>ts 2024-05-01 12:00:00.123456 · key 0042<')
    expect(text).toContain('title="{&quot;ts&quot;:&quot;2024-05-01 12:00:00.123456&quot;,&quot;key&quot;:&quot;0042&quot;}"')
    expect(shown({ phase: 'search', from: '1700000000000' })).toContain('>phase search · from 2023-11-14 22:13:20.000 UTC<')
  })

  it('escapes what it shows, and shows nothing for no cursor', () => {
    expect(shown({ key: '<b>x</b>' })).not.toContain('<b>')
    expect(shown(null)).toContain('–')
  })
})
