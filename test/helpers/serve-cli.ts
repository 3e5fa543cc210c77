import { collect, startCli, type CliResult } from './cli.ts'
import { waitFor } from './server.ts'

/** A crmsync child process that keeps running (a server, the demo's dashboard) once it printed what `find` looks for. */
export interface RunningCli<T> {
  /** what `find` found in its stdout */
  found: T
  /** its stdout so far */
  stdout(): string
  /** ends it with `signal`, as a person's Ctrl-C would, and answers everything it wrote */
  stop(signal?: NodeJS.Signals): Promise<CliResult>
}

/** Starts `crmsync <args>` and waits (generously: a loaded machine) until `find` finds something in its stdout. */
export async function startCliUntil<T>(args: string[], env: NodeJS.ProcessEnv, find: (stdout: string) => T | undefined, what: string, timeoutMs: number): Promise<RunningCli<T>> {
  const child = startCli(args, env)
  const finished = collect(child, 10 * 60_000)
  let stdout = ''
  let exited = false
  child.stdout?.on('data', (d) => (stdout += d))
  child.on('exit', () => (exited = true))
  const found = await waitFor(() => {
    if (exited) throw new Error(`crmsync ${args[0]} ended while waiting for ${what}: ${stdout}`)
    return find(stdout)
  }, what, timeoutMs).catch(async (error) => {
    child.kill('SIGKILL')
    const result = await finished
    throw new Error(`${(error as Error).message}; stderr: ${result.stderr.slice(-3000)}`)
  })
  return {
    found,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal)
      return finished
    },
  }
}

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
  const serving = await startCliUntil(['serve', '--port', '0', '--json'], env, (stdout) => stdout.split('\n').find((l) => l.startsWith('{"url"')), 'crmsync serve to print its URL', timeoutMs)
  const { url } = JSON.parse(serving.found) as { url: string }
  return { url, at: (path) => new URL(path, url).toString(), stop: () => serving.stop() }
}
