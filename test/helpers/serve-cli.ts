import { collect, startCli, type CliResult } from './cli.ts'
import { waitFor } from './server.ts'

export interface ServingCli {
  /** the dashboard's URL, `http://127.0.0.1:<port>/monitoring/` */
  url: string
  /** a path on this server, e.g. `/metrics` */
  at(path: string): string
  /** ends the server with SIGTERM, as a person's Ctrl-C would, and answers everything it wrote */
  stop(): Promise<CliResult>
}

/** A real `crmsync serve --port 0 --json` child process, once it says where it listens. */
export async function startServeCli(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ServingCli> {
  const child = startCli(['serve', '--port', '0', '--json'], env)
  const finished = collect(child, 10 * 60_000)
  let stdout = ''
  let exited = false
  child.stdout?.on('data', (d) => (stdout += d))
  child.on('exit', () => (exited = true))
  const line = await waitFor(() => {
    if (exited) throw new Error(`crmsync serve ended before listening: ${stdout}`)
    return stdout.split('\n').find((l) => l.startsWith('{"url"'))
  }, 'crmsync serve to print its URL', timeoutMs).catch(async (error) => {
    child.kill('SIGKILL')
    const result = await finished
    throw new Error(`${(error as Error).message}; stderr: ${result.stderr}`)
  })
  const { url } = JSON.parse(line) as { url: string }
  return {
    url,
    at: (path) => new URL(path, url).toString(),
    async stop() {
      if (!exited) child.kill('SIGTERM')
      return finished
    },
  }
}
