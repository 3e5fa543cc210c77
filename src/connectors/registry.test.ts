import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { RULE_DEFAULTS } from '../ops/alerts/rule-settings.ts'
import { CONNECTORS, manifests, SOURCE_NAMES } from './registry.ts'

const SRC = fileURLToPath(new URL('..', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

// comments and --help texts may use a source as an example; code may not (lines are kept, for the report)
const blank = (match: string) => match.replace(/[^\n]/g, '')
const withoutProse = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    .replace(/_HELP = `(?:\\[\s\S]|[^\\`])*`/g, blank)

describe('the registry is the one list of sources (issue 15)', () => {
  it('outside src/connectors/, no file imports a source folder or names a source in code', () => {
    const names = SOURCE_NAMES.join('|')
    const literal = new RegExp(`['"\`](${names})['"\`]|\\b(${names})\\s*:`)
    const folder = new RegExp(`connectors/(${names})/`)
    const offenders = sourceFiles(SRC)
      .filter((path) => !relative(SRC, path).startsWith('connectors/'))
      .flatMap((path) => {
        const code = withoutProse(readFileSync(path, 'utf8'))
        return code.split('\n').flatMap((line, i) => (literal.test(line) || folder.test(line) ? [`${relative(SRC, path)}:${i + 1}: ${line.trim()}`] : []))
      })
    expect(offenders).toEqual([])
  })

  it('each connector is built on its own manifest', async () => {
    for (const manifest of manifests()) {
      const connector = await CONNECTORS[manifest.name]()
      expect(connector.manifest).toBe(manifest)
      expect(connector.name).toBe(manifest.name)
    }
  })

  it('a manifest’s alert defaults name rules that exist', () => {
    for (const manifest of manifests()) for (const rule of Object.keys(manifest.alerts ?? {})) expect(Object.keys(RULE_DEFAULTS)).toContain(rule)
  })
})
