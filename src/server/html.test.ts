import { describe, expect, it } from 'vitest'
import { html, queryString, raw } from './html.ts'

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `<script>alert("x")</script>&'`
    expect(html`<td title="${name}">${name}</td>`.__html).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>',
    )
  })

  it('keeps nested html and raw markup, joins arrays and drops null, undefined and false', () => {
    const cells = ['a<b', html`<b>${'c>d'}</b>`]
    expect(html`<tr>${cells}${null}${undefined}${false}${0}${raw('<hr>')}</tr>`.__html).toBe('<tr>a&lt;b<b>c&gt;d</b>0<hr></tr>')
  })

  it('builds query strings without empty parameters', () => {
    expect(queryString({ a: 1, b: '', c: undefined, d: 'x y&z' })).toBe('?a=1&d=x+y%26z')
    expect(queryString({})).toBe('')
  })
})
