import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

// /proc counts CPU time in clock ticks (100 a second on Linux unless the kernel says otherwise)
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
  } catch {
    return 100
  }
})()

/** /proc/PID/stat's times in ms: the process's own (utime+stime) and its reaped children's (cutime+cstime); undefined once it is gone. */
function processTimes(pid: number): { ppid: number; ownMs: number; childrenMs: number } | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // the command name, in parentheses, may hold spaces: the fields are counted after it
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ms = (i: number) => (Number(fields[i]) * 1000) / TICKS_PER_SECOND
  // fields from "state" (3rd in proc(5)): ppid is the 4th, utime..cstime the 14th..17th
  return { ppid: Number(fields[1]), ownMs: ms(11) + ms(12), childrenMs: ms(13) + ms(14) }
}

/** CPU time used so far by one process (user and system), in ms; NaN once it is gone. */
export function processCpuMs(pid: number): number {
  const times = processTimes(pid)
  return times ? times.ownMs : NaN
}

/** The postmaster's pid, from the server's pid file; undefined when this machine's PostgreSQL keeps it elsewhere. */
function postmasterPid(): number | undefined {
  const dir = '/var/run/postgresql'
  try {
    const file = readdirSync(dir).find((name) => name.endsWith('.pid'))
    return file ? Number(readFileSync(`${dir}/${file}`, 'utf8').split('\n')[0]) : undefined
  } catch {
    return undefined
  }
}

/**
 * CPU time used so far by the whole PostgreSQL server, in ms: the postmaster's own, its live
 * children's (backends, checkpointer, WAL writer…) and that of the children it has reaped (a
 * backend's time moves to the postmaster's cutime+cstime when its connection ends). The
 * difference of two readings is the server's CPU in between. NaN without a pid file.
 */
export function postgresCpuMs(): number {
  const pid = postmasterPid()
  const postmaster = pid === undefined ? undefined : processTimes(pid)
  if (!postmaster) return NaN
  let total = postmaster.ownMs + postmaster.childrenMs
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const child = processTimes(Number(entry))
    if (child && child.ppid === pid) total += child.ownMs
  }
  return total
}
