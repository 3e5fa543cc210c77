import { describe, expect, it } from 'vitest'
import { decimalText, processField, processValue, ValueError, type FieldChange } from './processors.ts'

describe('money and decimal text', () => {
  it.each([
    ['$1,000.00', '1000.00'],
    ['2,500.00', '2500.00'],
    ['750.5', '750.5'],
    ['750.', '750'],
    [' 1234.56 ', '1234.56'],
    [' (15.00) ', '-15.00'],
    ['15.00-', '-15.00'],
    ['-$15.25', '-15.25'],
    ['$-15.25', '-15.25'],
    ['USD 1,234.50', '1234.50'],
    ['1,234.50 USD', '1234.50'],
    ['($1,000.10)', '-1000.10'],
    ['1.2345e3', '1234.5'],
    ['5E-3', '0.005'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['007.50', '7.50'],
    ['-0.00', '0.00'],
  ])('%j is %s', (text, expected) => {
    expect(decimalText(text)).toBe(expected)
  })

  it('reads JSON numbers exactly, exponents included', () => {
    expect(decimalText(12.5)).toBe('12.5')
    expect(decimalText(1e21)).toBe('1000000000000000000000')
    expect(decimalText(1.5e-7)).toBe('0.00000015')
  })

  it.each(['call office', '12 (5% off)', '$100 - $200', '1,00', '1,0000.00', '(15', '--5', '-(5)', 'USD 5 EUR', '1.2.3', '$', 'NaN'])('refuses %j', (text) => {
    expect(() => decimalText(text)).toThrow(new ValueError('not a decimal number'))
  })
})

describe('processValue', () => {
  it('keeps "" apart from NULL for text, and reads "" as NULL for typed columns', () => {
    expect(processValue('text', '')).toBe('')
    expect(processValue('text', null)).toBeNull()
    for (const base of ['boolean', 'integer', 'bigint', 'numeric', 'double precision', 'timestamptz', 'date'] as const) {
      expect(processValue(base, '')).toBeNull()
      expect(processValue(base, '  ')).toBeNull()
    }
  })

  it('reads booleans in every common spelling, any case', () => {
    for (const yes of ['true', 'T', 'Yes', 'y', '1', 1, true, 'ON']) expect(processValue('boolean', yes)).toBe(true)
    for (const no of ['FALSE', 'f', 'no', 'N', '0', 0, false, 'off']) expect(processValue('boolean', no)).toBe(false)
    expect(() => processValue('boolean', 'maybe')).toThrow('not a boolean')
  })

  it('reads integers written as 12.0, with separators or exponents, and refuses fractions', () => {
    expect(processValue('integer', '12.0')).toBe(12)
    expect(processValue('bigint', '1,200')).toBe('1200')
    expect(processValue('bigint', '1.2e3')).toBe('1200')
    expect(processValue('bigint', '9223372036854775807')).toBe('9223372036854775807')
    expect(() => processValue('bigint', '9223372036854775808')).toThrow('out of range for bigint')
    expect(() => processValue('integer', '2147483648')).toThrow('out of range for integer')
    expect(() => processValue('integer', '12.5')).toThrow('not an integer')
    expect(() => processValue('integer', 'twelve')).toThrow('not an integer')
  })

  it('reads doubles from numbers and number text', () => {
    expect(processValue('double precision', '1.5e2')).toBe(150)
    expect(processValue('double precision', 2.25)).toBe(2.25)
    expect(() => processValue('double precision', 'abc')).toThrow('not a number')
  })

  it('keeps a timestamp zone, reads a zoneless one in the configured zone, keeps every digit', () => {
    expect(processValue('timestamptz', '2026-03-01T10:00:00.123456+02:00')).toBe('2026-03-01T10:00:00.123456+02:00')
    expect(processValue('timestamptz', '2026-03-01 10:00:00.123456')).toBe('2026-03-01 10:00:00.123456Z')
    expect(processValue('timestamptz', '2026-03-01 10:00')).toBe('2026-03-01 10:00:00Z')
    expect(processValue('timestamptz', '2026-07-01 10:00:00', { zone: 'America/Denver' })).toBe('2026-07-01 10:00:00-06:00')
    expect(processValue('timestamptz', '2026-01-15 10:00:00', { zone: 'America/Denver' })).toBe('2026-01-15 10:00:00-07:00')
    expect(processValue('timestamptz', '2026-01-15 10:00:00', { zone: 'Asia/Kolkata' })).toBe('2026-01-15 10:00:00+05:30')
    expect(processValue('timestamptz', '2026-01-15')).toBe('2026-01-15T00:00:00Z')
    expect(processValue('timestamptz', '1767225600000')).toBe('2026-01-01T00:00:00.000Z')
    expect(processValue('timestamptz', '0000-00-00 00:00:00')).toBeNull()
    expect(() => processValue('timestamptz', '2026-02-30 10:00:00')).toThrow('not a timestamp')
    expect(() => processValue('timestamptz', 'yesterday')).toThrow('not a timestamp')
  })

  it('reads dates, the date of a timestamp, and epoch milliseconds', () => {
    expect(processValue('date', '2026-02-28')).toBe('2026-02-28')
    expect(processValue('date', '2026-02-28T23:00:00Z')).toBe('2026-02-28')
    expect(processValue('date', 1767225600000)).toBe('2026-01-01')
    expect(() => processValue('date', '2026-02-29')).toThrow('not a date')
  })

  it('writes numbers, booleans and objects as text in a text column', () => {
    expect(processValue('text', 12)).toBe('12')
    expect(processValue('text', false)).toBe('false')
    expect(processValue('text', { a: 1 })).toBe('{"a":1}')
  })
})

describe('processField', () => {
  it('nulls a field that does not fit and says why, keeping the rest', () => {
    const values: Record<string, unknown> = {}
    const changes: FieldChange[] = []
    processField(values, changes, 'finance_amount', () => processValue('numeric', 'call office'))
    processField(values, changes, 'down_payment', () => processValue('numeric', '$5'))
    expect(values).toEqual({ finance_amount: null, down_payment: '5' })
    expect(changes).toEqual([{ field: 'finance_amount', change: 'nulled', reason: 'not a decimal number' }])
  })

  it('lets any other error through: a bug is not a bad value', () => {
    expect(() => processField({}, [], 'x', () => { throw new TypeError('boom') })).toThrow(TypeError)
  })
})
