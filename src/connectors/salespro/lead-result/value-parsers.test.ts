import { describe, expect, it } from 'vitest'
import { answerToText, parseBool, parseMoney, parseText } from './value-parsers.ts'

describe('parseBool', () => {
  it.each(['yes', 'Y', 'TRUE', ' true ', '1', 'On', 1, true])('reads %j as true', (raw) => {
    expect(parseBool(raw)).toEqual({ value: true })
  })

  it.each(['no', 'N', 'false', 'False', '0', 'off', 0, false])('reads %j as false', (raw) => {
    expect(parseBool(raw)).toEqual({ value: false })
  })

  it('reads unanswered as null, silently', () => {
    for (const raw of [null, undefined, '', '  ', 'N/A', 'none', '-']) {
      expect(parseBool(raw)).toEqual({ value: null })
    }
  })

  it('reads anything else as null and says why', () => {
    for (const raw of ['maybe', 'Yes - both', 2, {}]) {
      expect(parseBool(raw)).toEqual({ value: null, problem: 'is not a yes/no answer' })
    }
  })
})

describe('parseMoney', () => {
  it.each([
    ['$12,450.00', '12450.00'],
    ['12450', '12450'],
    [' $0.00 ', '0.00'],
    ['-$250.5', '-250.5'],
    ['USD 1,234', '1234'],
    [12450.5, '12450.5'],
    [0, '0'],
    ['(15.00)', '-15.00'],
    ['1,234.50 USD', '1234.50'],
    [1e21, '1000000000000000000000'],
  ])('reads %j as %j', (raw, value) => {
    expect(parseMoney(raw)).toEqual({ value })
  })

  it('reads unanswered as null, silently', () => {
    for (const raw of [null, undefined, '', 'null', 'N/A', 'None', '-']) {
      expect(parseMoney(raw)).toEqual({ value: null })
    }
  })

  it.each(['abc', 'TBD', '12.50.1', '1-2', '$100 - $200', '12450 (5% off)', Number.NaN, true, ['1']])(
    'refuses %j instead of guessing',
    (raw) => {
      expect(parseMoney(raw)).toEqual({ value: null, problem: 'is not an amount' })
    },
  )
})

describe('parseText', () => {
  it('trims and keeps the text', () => {
    expect(parseText('  Sold  ')).toEqual({ value: 'Sold' })
    expect(parseText('[HRE] - Sold')).toEqual({ value: '[HRE] - Sold' })
  })

  it('strips a leading dash', () => {
    expect(parseText('-Roofing')).toEqual({ value: 'Roofing' })
    expect(parseText(' - Gutters')).toEqual({ value: 'Gutters' })
    expect(parseText('Re-roof')).toEqual({ value: 'Re-roof' })
  })

  it('reads the empty markers as null', () => {
    for (const raw of [null, undefined, '', '   ', 'null', 'NULL', 'None', 'n/a', 'N/A', '-', ' - ']) {
      expect(parseText(raw)).toEqual({ value: null })
    }
  })

  it('coerces non-strings', () => {
    expect(parseText(42)).toEqual({ value: '42' })
    expect(parseText(false)).toEqual({ value: 'false' })
    expect(parseText(['Roofing', '', 'Gutters '])).toEqual({ value: 'Roofing, Gutters' })
    expect(parseText({ a: 1 })).toEqual({ value: '{"a":1}' })
  })
})

describe('answerToText', () => {
  it('keeps "" distinct from null', () => {
    expect(answerToText('')).toBe('')
    expect(answerToText(null)).toBeNull()
    expect(answerToText([])).toBeNull()
  })
})
