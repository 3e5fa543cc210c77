import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createHiddenPrompt } from './hidden-prompt.ts'

describe('hidden prompt', () => {
  it('asks on the output, reads lines, and echoes nothing typed', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let shown = ''
    output.on('data', (d) => (shown += d))
    const prompt = createHiddenPrompt(input, output)
    const first = prompt.ask('TOKEN: ')
    input.write('hunter2-secret\r')
    expect(await first).toBe('hunter2-secret')
    const second = prompt.ask('REGION: ')
    input.write('\r')
    expect(await second).toBe('')
    prompt.close()
    expect(shown).toBe('TOKEN: \nREGION: \n')
  })

  it('input that ends first is cancelled, not an empty answer', async () => {
    const input = new PassThrough()
    const prompt = createHiddenPrompt(input, new PassThrough())
    const answer = prompt.ask('TOKEN: ')
    input.end()
    await expect(answer).rejects.toMatchObject({ code: 'cancelled' })
  })
})
