import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../../log.ts'
import type { CrmsyncMetrics } from './create-metrics.ts'

export interface MetricsListenerOptions {
  metrics: Pick<CrmsyncMetrics, 'render' | 'contentType'>
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port */
  port: number
  log?: Logger
}

export interface MetricsListener {
  /** `http://host:port/metrics` */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * A bare `GET /metrics` listener for processes without a web app (the worker); `serve` answers
 * `/metrics` from its dashboard app instead. The text holds counts and names, never secrets or
 * record data, so it needs no token; it still binds to loopback unless told otherwise.
 */
export async function listenForScrapes(options: MetricsListenerOptions): Promise<MetricsListener> {
  const host = options.host ?? '127.0.0.1'
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return
    }
    options.metrics
      .render()
      .then((body) => {
        res.writeHead(200, { 'Content-Type': options.metrics.contentType })
        res.end(req.method === 'HEAD' ? '' : body)
      })
      .catch((error: unknown) => {
        options.log?.error({ err: error }, 'metrics: could not render /metrics')
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n')
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`
  options.log?.info({ url }, `metrics at ${url}`)
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
