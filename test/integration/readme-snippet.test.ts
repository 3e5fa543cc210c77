import { execFileSync, spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.ts'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))

/** The README's ```sh block that starts the SalesPro emulator, as a reader would paste it. */
function emulatorSnippet(): string {
  const blocks = [...readFileSync(README, 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1])
  const snippet = blocks.find((block) => block.includes('crmsync emulate salespro'))
  if (!snippet) throw new Error('README.md has no ```sh block running `crmsync emulate salespro`')
  return snippet
}

/** pids of the processes whose command line names `marker` (the project directory: the emulator runs as `node <dir>/node_modules/.bin/crmsync …`) */
function processesNaming(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)
  } catch {
    return [] // pgrep exits 1 when nothing matches
  }
}

/**
 * Stops what the snippet left running: the emulator, which `npx` started apart from the shell (the
 * shell exits, the emulator stays, as the reader's would), found by the project directory in its
 * command line; and waits until none is left.
 */
async function stopProcessesOf(dir: string): Promise<void> {
  const until = Date.now() + 60_000
  for (let pids = processesNaming(dir); pids.length > 0; pids = processesNaming(dir)) {
    if (Date.now() > until) throw new Error(`processes of ${dir} still running: ${pids.join(', ')}`)
    for (const pid of pids) {
      try {
        process.kill(pid, Date.now() > until - 30_000 ? 'SIGKILL' : 'SIGTERM')
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * Runs a script through bash in `dir` as the reader's shell would. Its output goes to files: a
 * process it leaves in the background (the emulator) keeps the shell's stderr open, so a pipe
 * would not close until that ends; the shell's exit is what is awaited, with a deadline.
 */
async function bashIn(dir: string, name: string, script: string, env: NodeJS.ProcessEnv, deadlineMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [out, err] = [join(dir, `${name}.stdout`), join(dir, `${name}.stderr`)]
  const files = [openSync(out, 'w'), openSync(err, 'w')]
  const shell = spawn('bash', ['-e', '-c', script], { cwd: dir, env, stdio: ['ignore', ...files] })
  for (const fd of files) closeSync(fd) // the shell holds its own copies
  const timer = setTimeout(() => shell.kill('SIGKILL'), deadlineMs)
  const code = await new Promise<number | null>((resolve) => shell.once('exit', resolve))
  clearTimeout(timer)
  return { code, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') }
}

describe("the README's emulator snippet", () => {
  // a project of the reader's own: crmsync installed in node_modules, nothing else
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-readme-'))
  afterAll(async () => {
    await stopProcessesOf(dir)
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs as pasted (with fewer rows): every stream synced, every row of the emulator fetched and stored', async () => {
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n')
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true })
    symlinkSync(BIN, join(dir, 'node_modules', '.bin', 'crmsync'))
    const snippet = emulatorSnippet()
    expect(snippet).toContain('--rows 50000')
    // the reader's shell: no DATABASE_URL (the snippet uses the embedded warehouse), crmsync on the PATH as npm puts it
    const env = { PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}`, HOME: process.env.HOME }
    // the snippet waits for the emulator in a loop of its own: a deadline here stops a wait that would never end
    const result = await bashIn(dir, 'snippet', snippet.replace('--rows 50000', '--rows 300'), env, 420_000)
    expect(result.code, result.stderr).toBe(0)

    // the emulator's first line says what it holds
    const { tables } = JSON.parse(readFileSync(join(dir, 'emulator.out'), 'utf8').split('\n')[0]) as { tables: Record<string, number> }
    const { runs } = JSON.parse(result.stdout) as { runs: { stream: string; status: string; fetched: number }[] }
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'succeeded'))
    expect(Object.fromEntries(runs.map((r) => [r.stream, r.fetched]))).toEqual(tables)
    expect(Object.values(tables).every((n) => n > 0)).toBe(true)

    // and the warehouse the snippet named holds them, asked as the reader would (the embedded one has no psql)
    const counts = Object.keys(tables).map((t) => `(SELECT count(*) FROM salespro."${t}") AS "${t}"`)
    const sql = await bashIn(dir, 'sql', `export CRMSYNC_HOME=.crmsync-emulator; npx crmsync sql 'SELECT ${counts.join(', ')}' --json`, env, 300_000)
    expect(sql.code, sql.stderr).toBe(0)
    const [stored] = (JSON.parse(sql.stdout) as { rows: Record<string, number | string>[] }).rows
    expect(Object.fromEntries(Object.entries(stored).map(([t, n]) => [t, Number(n)]))).toEqual(tables)

    // nothing of the reader's left running once the emulator is stopped
    await stopProcessesOf(dir)
    expect(processesNaming(dir)).toEqual([])
  })
})
