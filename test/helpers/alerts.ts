import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { SMTPServer } from 'smtp-server'
import { createLogger, type Logger } from '../../src/log.ts'
import type { AlertChannel } from '../../src/ops/alerts/channels/channel.ts'
import type { Notification } from '../../src/ops/alerts/types.ts'
import type { Queryable } from '../../src/warehouse/types.ts'

export interface SeedRun {
  source?: string
  stream: string
  status: 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'running'
  /** when the run finished (started one second earlier) */
  minutesAgo?: number
  mode?: string
  fetched?: number
  rejected?: number
  coerced?: number
  error?: string
  pages?: { fetchMs: number; writeMs: number }[]
}

/** Writes a finished run (and its pages and stream state) the way the engine would have. */
export async function seedRun(db: Queryable, run: SeedRun): Promise<number> {
  const source = run.source ?? 'salespro'
  const secondsAgo = (run.minutesAgo ?? 1) * 60
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO crmsync.sync_runs (source, stream, mode, status, started_at, finished_at, heartbeat_at, fetched, rejected, pages, error, error_code, coerced)
     VALUES ($1, $2, $3, $4::text, now() - make_interval(secs => $5::float8 + 1),
       CASE WHEN $4::text <> 'running' THEN now() - make_interval(secs => $5::float8) END,
       now() - make_interval(secs => $5::float8), $6, $7, $8, $9, CASE WHEN $4::text = 'failed' THEN 'source_unavailable' END, $10) RETURNING id`,
    [source, run.stream, run.mode ?? 'incremental', run.status, secondsAgo, run.fetched ?? 0, run.rejected ?? 0, run.pages?.length ?? 0, run.status === 'failed' ? (run.error ?? 'emulated failure') : null, run.coerced ?? 0],
  )
  const id = rows[0].id
  for (const [i, page] of (run.pages ?? []).entries())
    await db.query(
      `INSERT INTO crmsync.run_pages (run_id, page_no, fetched, inserted, updated, unchanged, rejected, deleted, fetch_ms, write_ms)
       VALUES ($1, $2, 10, 10, 0, 0, 0, 0, $3, $4)`,
      [id, i + 1, page.fetchMs, page.writeMs],
    )
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, last_run_id) VALUES ($1, $2, $3)
     ON CONFLICT (source, stream) DO UPDATE SET last_run_id = EXCLUDED.last_run_id`,
    [source, run.stream, id],
  )
  return id
}

/** A channel that keeps what it was sent; `fail` makes it throw that many times first. */
export function recordingChannel(name = 'recorder', options: { fail?: number } = {}): AlertChannel & { sent: Notification[] } {
  let failures = options.fail ?? 0
  const sent: Notification[] = []
  return {
    name,
    minSeverity: 'info',
    sent,
    async send(n) {
      if (failures-- > 0) throw new Error('recorder refused')
      sent.push(n)
    },
  }
}

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** A local HTTP receiver; `status(n)` is the answer to the nth request (1-based). */
export async function startReceiver(status: (n: number) => number = () => 200) {
  const requests: ReceivedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = status(requests.length)
      res.end(res.statusCode < 300 ? 'ok' : 'nope')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export interface ReceivedMail {
  from: string | undefined
  to: string[]
  user: string | undefined
  raw: string
}

/** A local SMTP server (plain text on loopback, optional login) that keeps every message. */
export async function startSmtp(credentials?: { user: string; password: string }) {
  const messages: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: !credentials,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.password) callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Decodes a quoted-printable body (nodemailer's choice for text with long lines or non-ASCII). */
export const decodeQuotedPrintable = (text: string) =>
  Buffer.from(
    text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')

/** A logger whose lines are kept in memory, to assert what was (and was not) logged. */
export function memoryLogger(): { log: Logger; lines: () => string } {
  let text = ''
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString()
      callback()
    },
  })
  return { log: createLogger({ level: 'debug', destination }), lines: () => text }
}
