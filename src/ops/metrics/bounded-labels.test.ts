import { describe, expect, it } from 'vitest'
import { createLabelGuard, OVERFLOW_LABEL } from './bounded-labels.ts'

describe('createLabelGuard', () => {
  it('passes known values through and folds newcomers past the cap into "other", per label name', () => {
    const label = createLabelGuard({ maxValues: 2 })
    expect(label('operation', 'a')).toBe('a')
    expect(label('operation', 'b')).toBe('b')
    expect(label('operation', 'c')).toBe(OVERFLOW_LABEL)
    expect(label('operation', 'a')).toBe('a')
    expect(label('status', 429)).toBe('429')
  })

  it('cuts long values', () => {
    expect(createLabelGuard({ maxLength: 5 })('stream', 'contacts')).toBe('conta')
  })
})
