import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/crmsync.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A clean environment for a crmsync child process: no inherited source credentials or DATABASE_URL. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'crmsync-cli-'))
  // CRMSYNC_CONFIG must name a file that exists (only `init` may create it): an empty config
  writeFileSync(join(home, 'crmsync.config.json'), '{}\n')
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CRMSYNC_HOME: join(home, 'state'),
    CRMSYNC_CONFIG: join(home, 'crmsync.config.json'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) base[k] = v
  return base
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
}

// the child is killed (and its output shown) before vitest's 600 s hang guard fires
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 480_000): Promise<CliResult> {
  const child = startCli(args, env)
  return collect(child, timeoutMs)
}

export function collect(child: ChildProcess, timeoutMs = 480_000): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => (stdout += d))
  child.stderr?.on('data', (d) => (stderr += d))
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
