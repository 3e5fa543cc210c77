import { redactSecrets } from '../redact.ts'

/** Where a command writes: stdout for results (or one JSON document), stderr for everything else. */
export interface Output {
  json: boolean
  /** a human line on stdout (suppressed with --json) */
  line(text?: string): void
  /** the JSON document of a --json command */
  result(value: unknown): void
  /** a notice for humans on stderr */
  note(text: string): void
  /**
   * A line that shows a secret on purpose (a token made for this session, which the person must
   * paste), written as it is, and only to a terminal: into a pipe or a log it would be kept, so
   * `otherwise` (redacted as every line) is written there instead. Suppressed with --json.
   */
  reveal(text: string, otherwise: string): void
  isTTY: boolean
}

/**
 * Every line goes through the redactor: commands print run errors, alert texts and query results
 * from the warehouse, and a secret must not reach a terminal or a script's log by any of them.
 */
export function createOutput(json: boolean, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  return {
    json,
    isTTY: Boolean(stderr.isTTY),
    line: (text = '') => {
      if (!json) stdout.write(`${redactSecrets(text)}\n`)
    },
    result: (value) => stdout.write(`${redactSecrets(JSON.stringify(value, null, json ? 2 : 0))}\n`),
    note: (text) => stderr.write(`${redactSecrets(text)}\n`),
    reveal: (text, otherwise) => {
      if (!json) stdout.write(`${stdout.isTTY ? text : redactSecrets(otherwise)}\n`)
    },
  }
}

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ')).join('\n')
}

export const formatNumber = (n: number) => n.toLocaleString('en-US')
export const formatDuration = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`)
