import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * bin/crmsync.js, found by walking up from this module: the same from the sources and from the
 * bundle in dist/, whose modules sit at a different depth.
 */
export function binPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'bin', 'crmsync.js')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find bin/crmsync.js above the crmsync modules')
    dir = parent
  }
}
