import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { SyncError } from '../../errors.ts'

export interface HiddenPrompt {
  /** writes the question, reads one line without echoing it */
  ask(question: string): Promise<string>
  close(): void
}

/**
 * Reads lines from a terminal without echo: readline in terminal mode puts the TTY in raw mode
 * (so the terminal itself does not echo) and writes its own echo to a sink that drops it. The
 * questions go to `output` (stderr), keeping stdout for results. Nothing typed is kept in history.
 */
export function createHiddenPrompt(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): HiddenPrompt {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = createInterface({ input, output: muted, terminal: true, historySize: 0 })
  const lines: string[] = []
  let waiting: ((line: string | undefined) => void) | undefined
  let closed = false
  rl.on('line', (line) => {
    if (waiting) waiting(line)
    else lines.push(line)
    waiting = undefined
  })
  rl.on('close', () => {
    closed = true
    waiting?.(undefined)
  })
  // ctrl-c in raw mode reaches readline, not the process: stop asking
  rl.on('SIGINT', () => rl.close())
  return {
    async ask(question) {
      output.write(question)
      const line = lines.length || closed ? lines.shift() : await new Promise<string | undefined>((r) => (waiting = r))
      output.write('\n')
      if (line === undefined) {
        throw new SyncError('cancelled', 'input ended before every value was given: nothing was stored')
      }
      return line
    },
    close: () => rl.close(),
  }
}
