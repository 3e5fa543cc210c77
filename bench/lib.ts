import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const BIN = fileURLToPath(new URL('../bin/crmsync.js', import.meta.url))

/** A home and an empty config file for the bench's CLI runs: a CRMSYNC_CONFIG must name a file that exists. */
export function benchHome(settings: object = {}, name = 'crmsync-bench-config.json'): { CRMSYNC_HOME: string; CRMSYNC_CONFIG: string } {
  const config = join(tmpdir(), name)
  writeFileSync(config, `${JSON.stringify(settings)}\n`)
  return { CRMSYNC_HOME: join(tmpdir(), 'crmsync-bench-home'), CRMSYNC_CONFIG: config }
}

/** Starts `crmsync emulate …` as its own process and returns its env, tables and a stop function. */
export async function startEmulatorProcess(args: string[]): Promise<{ env: Record<string, string>; tables: Record<string, number>; stop(): Promise<void>; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args, '--port', '0', '--parent-pid', String(process.pid)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)))
  })
  const { env, tables } = JSON.parse(line)
  // stopped once it has exited (its memory given back before the next emulator starts); stopping again is a no-op
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return { env, tables, child, stop: () => (child.kill('SIGTERM'), exited) }
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** peak resident memory of the crmsync process, from /usr/bin/time */
  maxRssMb: number
  /** the crmsync process's CPU time, user and system, from /usr/bin/time */
  cpuMs: number
  /** from the process's start to its exit, as a person running the command waits */
  wallMs: number
}

/** Runs the CLI under /usr/bin/time to learn its peak RSS and CPU time; `nodeArgs` go to node before the script. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<CliRun> {
  const started = performance.now()
  const child = spawn('/usr/bin/time', ['-f', '__MAXRSS__ %M %U %S', process.execPath, ...nodeArgs, '--', BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => (stdout += d))
  child.stderr?.on('data', (d) => (stderr += d))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const wallMs = performance.now() - started
  const time = /__MAXRSS__ (\d+) ([\d.]+) ([\d.]+)/.exec(stderr)
  return { code, stdout, stderr, maxRssMb: time ? Number(time[1]) / 1024 : NaN, cpuMs: time ? (Number(time[2]) + Number(time[3])) * 1000 : NaN, wallMs }
}

export async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin.end()
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a')

export async function admin(url: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json()
}
