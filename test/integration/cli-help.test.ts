import { describe, expect, it } from 'vitest'
import { COMMANDS, usage } from '../../src/cli/main.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'

// words that speak of the system crmsync replaced, which its users never saw
const FOREIGN = /\bthe seed\b|seed's|\bthe original\b|original's|init_enterprise/i

describe('help', () => {
  it('`crmsync help sync` prints what `crmsync sync --help` prints', async () => {
    const [viaHelp, viaFlag] = await Promise.all([runCli(['help', 'sync'], cliEnv()), runCli(['sync', '--help'], cliEnv())])
    expect(viaHelp.code).toBe(0)
    expect(viaHelp.stdout).toBe(viaFlag.stdout)
    expect(viaHelp.stdout).toMatch(/^crmsync sync/)
  })

  it('`crmsync help nosuch` exits 2 naming the command', async () => {
    const result = await runCli(['help', 'nosuch'], cliEnv())
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown command "nosuch"')
  })

  it.each(Object.keys(COMMANDS))('the help of %s speaks of crmsync, not of the system it replaced', async (name) => {
    const { help } = await COMMANDS[name].load()
    expect(help).not.toMatch(FOREIGN)
    expect(COMMANDS[name].summary).not.toMatch(FOREIGN)
  })

  it('the usage names every command', () => {
    for (const name of Object.keys(COMMANDS)) expect(usage()).toMatch(new RegExp(`^ {2}${name}\\s`, 'm'))
  })
})
