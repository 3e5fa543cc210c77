import { describe, expect, it } from 'vitest'
import { validateExposition } from './validate-exposition.ts'

const lines = (...text: string[]) => `${text.join('\n')}\n`

const GOOD = lines(
  '# HELP jobs_total Jobs done, with a \\\\ backslash and a \\n newline in the help.',
  '# TYPE jobs_total counter',
  'jobs_total{queue="a \\"quoted\\" \\\\ name\\nnext line",kind="x"} 3',
  'jobs_total { kind = "x" , queue="b",}\t0  1700000000000',
  '',
  '# a free comment is allowed',
  '# HELP temp_celsius Temperature in degrees Celsius.',
  '# TYPE temp_celsius gauge',
  'temp_celsius -1.5e3',
  '# HELP lag_seconds Lag in seconds.',
  '# TYPE lag_seconds gauge',
  'lag_seconds Nan',
  '# HELP wait_seconds Wait in seconds.',
  '# TYPE wait_seconds histogram',
  'wait_seconds_bucket{op="x",le="0.5"} 1',
  'wait_seconds_bucket{op="x",le="1"} 2',
  'wait_seconds_bucket{op="x",le="+Inf"} 3',
  'wait_seconds_sum{op="x"} 4.5',
  'wait_seconds_count{op="x"} 3',
  '# HELP rpc_seconds RPC time in seconds.',
  '# TYPE rpc_seconds summary',
  'rpc_seconds{quantile="0.5"} 0.2',
  'rpc_seconds_sum 10',
  'rpc_seconds_count 40',
)

const histogram = (...samples: string[]) =>
  lines('# HELP h_seconds A histogram in seconds.', '# TYPE h_seconds histogram', ...samples)

describe('validateExposition', () => {
  it('accepts a well-formed text of every type, with escapes, blanks, trailing commas, NaN and timestamps', () => {
    const result = validateExposition(GOOD)
    expect(result.errors).toEqual([])
    const jobs = result.families.get('jobs_total')
    expect(jobs?.samples[0].labels.queue).toBe('a "quoted" \\ name\nnext line')
    expect(jobs?.help).toBe('Jobs done, with a \\ backslash and a \n newline in the help.')
  })

  // each of these is broken in one way, and the validator must say so
  const BAD: [string, string, RegExp][] = [
    ['a sample without TYPE', lines('orphan 1'), /no # TYPE line before it/],
    ['a bad metric name', lines('# HELP 1abc x', '# TYPE 1abc gauge', '1abc 1'), /invalid metric name/],
    ['an unescaped quote in a label value', lines('# HELP g G.', '# TYPE g gauge', 'g{l="x"y"} 1'), /expected , or }/],
    ['an invalid escape in a label value', lines('# HELP g G.', '# TYPE g gauge', 'g{l="a\\tb"} 1'), /invalid escape/],
    ['an unterminated label value', lines('# HELP g G.', '# TYPE g gauge', 'g{l="abc} 1'), /unterminated/],
    ['a reserved label name', lines('# HELP g G.', '# TYPE g gauge', 'g{__name__="x"} 1'), /reserved/],
    ['a label given twice', lines('# HELP g G.', '# TYPE g gauge', 'g{a="1",a="2"} 1'), /appears twice/],
    ['a value that is not a number', lines('# HELP g G.', '# TYPE g gauge', 'g 1,5'), /invalid value/],
    ['a bad timestamp', lines('# HELP g G.', '# TYPE g gauge', 'g 1 soon'), /invalid timestamp/],
    ['a sample without a value', lines('# HELP g G.', '# TYPE g gauge', 'g{a="1"}'), /expected blanks, a value/],
    ['a value and two more tokens', lines('# HELP g G.', '# TYPE g gauge', 'g 1 2 3'), /expected blanks, a value/],
    ['an unquoted label value', lines('# HELP g G.', '# TYPE g gauge', 'g{a=1} 1'), /not quoted/],
    ['TYPE after the samples', lines('# HELP g G.', 'g 1', '# TYPE g gauge'), /no # TYPE line before it/],
    ['TYPE repeated after samples', lines('# HELP g G.', '# TYPE g gauge', 'g 1', '# TYPE g gauge'), /after its samples/],
    ['an unknown TYPE', lines('# HELP g G.', '# TYPE g countr', 'g 1'), /unknown TYPE/],
    ['no HELP', lines('# TYPE g gauge', 'g 1'), /no # HELP text/],
    ['two HELP lines', lines('# HELP g G.', '# HELP g G.', '# TYPE g gauge', 'g 1'), /a second HELP/],
    ['an invalid escape in HELP', lines('# HELP g G\\t.', '# TYPE g gauge', 'g 1'), /invalid escape in the HELP/],
    ['a duplicate series', lines('# HELP g G.', '# TYPE g gauge', 'g{a="1",b="2"} 1', 'g{b="2",a="1"} 2'), /duplicate series/],
    ['a negative counter', lines('# HELP c_total C.', '# TYPE c_total counter', 'c_total -1'), /never negative/],
    [
      'interleaved families',
      lines('# HELP a A.', '# TYPE a gauge', 'a{x="1"} 1', '# HELP b B.', '# TYPE b gauge', 'b 1', 'a{x="2"} 2'),
      /not grouped together/,
    ],
    ['a histogram suffix on a gauge', lines('# HELP g G.', '# TYPE g gauge', 'g_bucket{le="1"} 1'), /no # TYPE/],
    ['no trailing line feed', '# HELP g G.\n# TYPE g gauge\ng 1', /does not end with a line feed/],
    [
      'buckets whose le does not increase',
      histogram('h_seconds_bucket{le="1"} 1', 'h_seconds_bucket{le="0.5"} 1', 'h_seconds_bucket{le="+Inf"} 1', 'h_seconds_sum 1', 'h_seconds_count 1'),
      /does not increase/,
    ],
    [
      'buckets without +Inf',
      histogram('h_seconds_bucket{le="1"} 1', 'h_seconds_sum 1', 'h_seconds_count 1'),
      /last bucket is not le="\+Inf"/,
    ],
    [
      'a _count that differs from the +Inf bucket',
      histogram('h_seconds_bucket{le="1"} 1', 'h_seconds_bucket{le="+Inf"} 2', 'h_seconds_sum 1', 'h_seconds_count 3'),
      /differs from its \+Inf bucket/,
    ],
    [
      'decreasing bucket counts',
      histogram('h_seconds_bucket{le="1"} 2', 'h_seconds_bucket{le="+Inf"} 1', 'h_seconds_sum 1', 'h_seconds_count 1'),
      /decrease/,
    ],
    ['a bucket without le', histogram('h_seconds_bucket 1', 'h_seconds_sum 1', 'h_seconds_count 1'), /lacks a valid le/],
    ['a histogram without _sum', histogram('h_seconds_bucket{le="+Inf"} 1', 'h_seconds_count 1'), /no _sum/],
    ['a summary sample without quantile', lines('# HELP s S.', '# TYPE s summary', 's 1'), /lacks a valid quantile/],
  ]
  it.each(BAD)('rejects %s', (_, text, why) => {
    const result = validateExposition(text)
    expect(result.ok).toBe(false)
    expect(result.errors.join('\n')).toMatch(why)
  })
})
