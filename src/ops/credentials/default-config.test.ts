import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { writeDefaultConfig } from './default-config.ts'

describe('the default config file', () => {
  it('is written once, parses with loadConfig, and changes no default', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crmsync-config-')), 'crmsync.config.json')
    expect(writeDefaultConfig(path)).toEqual({ created: true, item: `config ${path}`, path })
    const config = loadConfig({ CRMSYNC_CONFIG: path })
    expect(config.configFileFound).toBe(true)
    expect(config.poolSize).toBe(10)
    expect(config.file.sources).toEqual({ salespro: { enabled: true }, hubspot: { enabled: true }, salesrabbit: { enabled: true } })
    expect(config.file.alerts).toBeUndefined()
    expect(config.file.server).toBeUndefined()
    for (const key of ['lookbackSeconds', 'horizonSeconds', 'batchSize', 'expectedIntervalMinutes', '"alerts"', '"server"']) {
      expect(readFileSync(path, 'utf8')).toContain(key)
    }
  })

  it('still parses, under the strict schema, with every commented setting switched on', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crmsync-config-')), 'crmsync.config.json')
    writeDefaultConfig(path)
    // `// "key": value,` lines are settings; the other comments are prose
    const enabled = readFileSync(path, 'utf8').replace(/^(\s*)\/\/ ("[A-Za-z]+": )/gm, '$1$2')
    writeFileSync(path, enabled)
    const config = loadConfig({ CRMSYNC_CONFIG: path })
    expect(config.file.sources.salespro).toMatchObject({ batchSize: 20000, database: 'home_genius_db' })
    expect(config.poolSize).toBe(10)
  })

  it('never touches an existing file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crmsync-config-')), 'crmsync.config.json')
    writeFileSync(path, '{ "sources": { "salespro": { "batchSize": 7 } } }')
    expect(writeDefaultConfig(path).created).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('{ "sources": { "salespro": { "batchSize": 7 } } }')
  })
})
