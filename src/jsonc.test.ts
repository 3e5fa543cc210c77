import { describe, expect, it } from 'vitest'
import { jsoncKeyLines, parseJsonc } from './jsonc.ts'

describe('jsoncKeyLines', () => {
  it('finds the line of every key, through comments, strings and arrays', () => {
    const text = `// head
{
  /* a block
     comment */ "a": { "b": 1, // "fake": 2
    "c": [{ "d": "x // not a comment" },
          { "e": "q\\"uote" }],
  },
  "f": null,
}`
    expect(parseJsonc(text)).toEqual({ a: { b: 1, c: [{ d: 'x // not a comment' }, { e: 'q"uote' }] }, f: null })
    expect(Object.fromEntries(jsoncKeyLines(text))).toEqual({ a: 4, 'a.b': 4, 'a.c': 5, 'a.c.0.d': 5, 'a.c.1.e': 6, f: 8 })
  })
})
