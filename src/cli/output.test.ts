import { describe, expect, it } from 'vitest'
import { registerSecret } from '../redact.ts'
import { createOutput } from './output.ts'

function stream(isTTY: boolean) {
  const written: string[] = []
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream }
}

describe('output', () => {
  const secret = 'session-token-for-output-test'
  registerSecret(secret)

  it('redacts a registered secret in every line', () => {
    const out = stream(true)
    createOutput(false, out.stream, stream(true).stream).line(`token ${secret}`)
    expect(out.written).toEqual(['token [redacted]\n'])
  })

  it('reveals a secret on purpose at a terminal, and writes the other line into a pipe', () => {
    const terminal = stream(true)
    createOutput(false, terminal.stream, stream(true).stream).reveal(`paste ${secret}`, `not shown here: ${secret}`)
    expect(terminal.written).toEqual([`paste ${secret}\n`])
    const pipe = stream(false)
    createOutput(false, pipe.stream, stream(true).stream).reveal(`paste ${secret}`, `not shown here: ${secret}`)
    expect(pipe.written).toEqual(['not shown here: [redacted]\n'])
    const json = stream(true)
    createOutput(true, json.stream, stream(true).stream).reveal(`paste ${secret}`, 'other')
    expect(json.written).toEqual([])
  })
})
