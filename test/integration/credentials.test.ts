import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger, redactSecrets } from '../../src/log.ts'
import { open, seal } from '../../src/ops/credentials/crypto.ts'
import { loadStoredVariables } from '../../src/ops/credentials/load-variables.ts'
import {
  ensureMasterKey,
  generateKeyBytes,
  keyFilePath,
  pendingKeyPath,
  readKeyFile,
  toMasterKey,
  writeKeyFile,
} from '../../src/ops/credentials/master-key.ts'
import { rotateMasterKey } from '../../src/ops/credentials/rotate.ts'
import {
  deleteCredentials,
  getCredentials,
  listCredentials,
  setCredentials,
  toSealed,
  type CredentialStore,
} from '../../src/ops/credentials/store.ts'
import { selectCredentialsForUpdate, updateCredentialCiphertext } from '../../src/warehouse/sql/credentials.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const SALESPRO = {
  SALESPRO_ACCESS_KEY_ID: 'AKIACREDTEST00001',
  SALESPRO_SECRET_ACCESS_KEY: 'canary-S3CR3T-credentials-test-9f1c',
  SALESPRO_S3_LOCATION: 's3://results-bucket/athena/',
  SALESPRO_DATABASE: 'home_genius_db',
}
const HUBSPOT = { HUBSPOT_API_TOKEN: 'pat-na1-canary-hubspot-token-77aa' }

/** A logger whose lines are kept, to assert what was (and was not) said. */
function capturingLogger() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { log: createLogger({ level: 'debug', destination }), lines }
}

const newHome = () => join(mkdtempSync(join(tmpdir(), 'crmsync-cred-')), 'state')

describe('the credential store without a master key', () => {
  it('degrades to the environment in one log line per process, without opening the warehouse when it need not', async () => {
    const { log, lines } = capturingLogger()
    const home = newHome()
    const never = async () => {
      throw new Error('the warehouse was opened')
    }
    const env = { ...SALESPRO, SALESPRO_SERVER_REGION: 'us-east-1' }
    expect(await loadStoredVariables({ env, home, log, warehouse: never }, 'salespro')).toBe(env)
    expect(await loadStoredVariables({ env: HUBSPOT, home, log, warehouse: never }, 'hubspot')).toBe(HUBSPOT)
    const pglite = await createTestWarehouse('pglite')
    try {
      // the environment leaves variables unset: the store is asked, has nothing, and nothing more is said
      const partial = { SALESPRO_S3_LOCATION: 's3://x-bucket/' }
      expect(await loadStoredVariables({ env: partial, home, log, warehouse: async () => pglite.warehouse }, 'salespro')).toBe(partial)
    } finally {
      await pglite.drop()
    }
    const said = lines.filter((l) => l.includes('no credential store is set up'))
    expect(said).toHaveLength(1)
    expect(JSON.parse(said[0])).toMatchObject({ level: 30, msg: expect.stringContaining('`crmsync init`, then `crmsync credentials set <source>`') })
  })
})

for (const kind of WAREHOUSE_KINDS) {
  const skip = kind === 'postgres' ? postgresUnavailable() : undefined
  describe.skipIf(!!skip)(`the credential store on ${kind} ${skip ?? ''}`, () => {
    let test: TestWarehouse
    let home: string
    let store: CredentialStore
    const logged = capturingLogger()
    beforeAll(async () => {
      test = await createTestWarehouse(kind)
    })
    afterAll(async () => {
      await test?.drop()
    })
    const fresh = async () => {
      await test.warehouse.query('DELETE FROM crmsync.credentials')
      home = newHome()
      ensureMasterKey(home, {})
      store = { warehouse: test.warehouse, home, env: {}, log: logged.log }
    }

    it('sets, gets, lists and deletes; the database holds only ciphertext', async () => {
      await fresh()
      const { keyId } = await setCredentials(store, 'salespro', SALESPRO)
      await setCredentials(store, 'hubspot', HUBSPOT)
      expect(await getCredentials(store, 'salespro')).toEqual(SALESPRO)
      expect(await getCredentials(store, 'salesrabbit')).toBeUndefined()
      const listed = await listCredentials(store)
      expect(listed.map((c) => [c.source, c.variables, c.keyId])).toEqual([
        ['hubspot', ['HUBSPOT_API_TOKEN'], keyId],
        ['salespro', Object.keys(SALESPRO).sort(), keyId],
      ])
      expect(JSON.stringify(listed)).not.toContain(SALESPRO.SALESPRO_SECRET_ACCESS_KEY)
      const { rows } = await test.warehouse.query<{ dump: string }>(`SELECT string_agg(c::text, ' ') AS dump FROM crmsync.credentials c`)
      for (const value of [...Object.values(SALESPRO), ...Object.values(HUBSPOT)]) {
        expect(rows[0].dump).not.toContain(value)
        expect(rows[0].dump).not.toContain(Buffer.from(value).toString('hex'))
      }
      // replacing keeps one row per source
      await setCredentials(store, 'hubspot', { HUBSPOT_API_TOKEN: 'pat-na1-second-token-0000' })
      expect(await getCredentials(store, 'hubspot')).toEqual({ HUBSPOT_API_TOKEN: 'pat-na1-second-token-0000' })
      expect(await deleteCredentials(store, 'hubspot')).toBe(true)
      expect(await deleteCredentials(store, 'hubspot')).toBe(false)
      expect((await listCredentials(store)).map((c) => c.source)).toEqual(['salespro'])
    })

    it('decrypted secrets are registered with the log redactor; names it does not know are refused', async () => {
      await fresh()
      const token = `pat-na1-redact-${randomBytes(6).toString('hex')}`
      await setCredentials(store, 'hubspot', { HUBSPOT_API_TOKEN: token })
      expect(redactSecrets(`Bearer ${token}`)).toBe('Bearer [redacted]')
      await expect(setCredentials(store, 'hubspot', { HUBSPOT_BASE_URL: 'http://x' })).rejects.toThrow(/hubspot credentials are HUBSPOT_API_TOKEN; not HUBSPOT_BASE_URL/)
      await expect(setCredentials(store, 'nosuch', {})).rejects.toThrow(/unknown source "nosuch"/)
    })

    it('refuses a tampered row, a row copied to another source, and another key, with clear errors', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      await setCredentials(store, 'hubspot', HUBSPOT)
      await test.warehouse.query(`UPDATE crmsync.credentials SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE source = 'hubspot'`)
      await expect(getCredentials(store, 'hubspot')).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringMatching(/the credentials of hubspot cannot be decrypted with master key \w{16}: the stored row was altered/),
      })
      // the salespro row pasted over hubspot's: same key, but the source is authenticated
      await test.warehouse.query(
        `UPDATE crmsync.credentials h SET ciphertext = s.ciphertext, iv = s.iv, auth_tag = s.auth_tag, variables = s.variables
         FROM crmsync.credentials s WHERE h.source = 'hubspot' AND s.source = 'salespro'`,
      )
      await expect(getCredentials(store, 'hubspot')).rejects.toThrow(/cannot be decrypted .* or it belongs to another source/)
      const other = generateKeyBytes()
      const withOtherKey = { ...store, env: { CRMSYNC_MASTER_KEY: other.toString('base64') } }
      const stored = readKeyFile(keyFilePath(home), 'file').keyId
      await expect(getCredentials(withOtherKey, 'salespro')).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining(`the credentials of salespro were sealed with another master key (${stored}); the master key in use is ${toMasterKey(other, 'env').keyId} (CRMSYNC_MASTER_KEY)`),
      })
    })

    it('rotation re-encrypts every row under a new key; the old key no longer opens them', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      await setCredentials(store, 'hubspot', HUBSPOT)
      const oldText = readFileSync(keyFilePath(home), 'utf8').trim()
      const old = readKeyFile(keyFilePath(home), 'file')
      const before = await test.warehouse.query<{ source: string; ciphertext: Uint8Array }>(`SELECT source, ciphertext FROM crmsync.credentials ORDER BY source`)
      const result = await rotateMasterKey(store)
      expect(result).toMatchObject({ previousKeyId: old.keyId, sources: ['hubspot', 'salespro'], outcome: 'replaced', keyFile: keyFilePath(home) })
      expect(result.keyId).not.toBe(old.keyId)
      expect(existsSync(pendingKeyPath(home))).toBe(false)
      expect(statSync(keyFilePath(home)).mode & 0o777).toBe(0o600)
      expect(readKeyFile(keyFilePath(home), 'file').keyId).toBe(result.keyId)
      expect((await listCredentials(store)).map((c) => c.keyId)).toEqual([result.keyId, result.keyId])
      const after = await test.warehouse.query<{ source: string; ciphertext: Uint8Array }>(`SELECT source, ciphertext FROM crmsync.credentials ORDER BY source`)
      for (const [i, row] of after.rows.entries()) expect(Buffer.from(row.ciphertext).equals(Buffer.from(before.rows[i].ciphertext))).toBe(false)
      expect(await getCredentials(store, 'salespro')).toEqual(SALESPRO)
      expect(await getCredentials(store, 'hubspot')).toEqual(HUBSPOT)
      await expect(getCredentials({ ...store, env: { CRMSYNC_MASTER_KEY: oldText } }, 'salespro')).rejects.toThrow(
        new RegExp(`sealed with another master key \\(${result.keyId}\\); the master key in use is ${old.keyId}`),
      )
    })

    it('a crash between the commit and the rename loses nothing: the next open finishes the rotation', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      const old = readKeyFile(keyFilePath(home), 'file')
      // what rotateMasterKey does up to its commit, then the process "dies" before renaming
      const bytes = generateKeyBytes()
      const next = toMasterKey(bytes, 'pending')
      writeKeyFile(pendingKeyPath(home), bytes)
      const session = await test.warehouse.session()
      await session.transaction(async (tx) => {
        for (const row of await selectCredentialsForUpdate(tx)) {
          await updateCredentialCiphertext(tx, { source: row.source, ...seal(next, open(old, toSealed(row), row.source), row.source) })
        }
      })
      await session.release()
      expect(readKeyFile(keyFilePath(home), 'file').keyId).toBe(old.keyId)

      const { log, lines } = capturingLogger()
      const vars = await loadStoredVariables({ env: {}, home, log, warehouse: async () => test.warehouse }, 'salespro')
      expect(vars).toMatchObject(SALESPRO)
      expect(existsSync(pendingKeyPath(home))).toBe(false)
      expect(readKeyFile(keyFilePath(home), 'file').keyId).toBe(next.keyId)
      expect(lines.some((l) => l.includes('finished an interrupted key rotation'))).toBe(true)
    })

    it('a crash before the commit leaves master.key in force, and the next rotation clears the stray file', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      const old = readKeyFile(keyFilePath(home), 'file')
      writeKeyFile(pendingKeyPath(home), generateKeyBytes())
      expect(await getCredentials(store, 'salespro')).toEqual(SALESPRO)
      expect(readKeyFile(keyFilePath(home), 'file').keyId).toBe(old.keyId)
      expect(existsSync(pendingKeyPath(home))).toBe(true) // a rotation may be writing it: readers leave it alone
      const result = await rotateMasterKey(store)
      expect(result.previousKeyId).toBe(old.keyId)
      expect(existsSync(pendingKeyPath(home))).toBe(false)
      expect(await getCredentials(store, 'salespro')).toEqual(SALESPRO)
    })

    it('a rotation that cannot open a row changes nothing', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      const foreign = toMasterKey(generateKeyBytes(), 'env')
      await setCredentials({ ...store, env: { CRMSYNC_MASTER_KEY: foreign.key.export().toString('hex') } }, 'hubspot', HUBSPOT)
      const old = readKeyFile(keyFilePath(home), 'file')
      await expect(rotateMasterKey(store)).rejects.toThrow(new RegExp(`credentials of hubspot were sealed with another master key \\(${foreign.keyId}\\)`))
      expect(existsSync(pendingKeyPath(home))).toBe(false)
      expect(readKeyFile(keyFilePath(home), 'file').keyId).toBe(old.keyId)
      expect((await listCredentials(store)).map((c) => c.keyId)).toEqual([foreign.keyId, old.keyId])
    })

    it('with CRMSYNC_MASTER_KEY, rotation leaves the new key in master.key.new for the operator', async () => {
      await fresh()
      const envKey = generateKeyBytes().toString('hex')
      const envStore = { ...store, env: { CRMSYNC_MASTER_KEY: envKey } }
      await setCredentials(envStore, 'salespro', SALESPRO)
      const result = await rotateMasterKey(envStore)
      expect(result).toMatchObject({ outcome: 'pending-env', keyFile: pendingKeyPath(home), sources: ['salespro'] })
      expect(statSync(pendingKeyPath(home)).mode & 0o777).toBe(0o600)
      const newText = readFileSync(pendingKeyPath(home), 'utf8').trim()
      expect(JSON.stringify(result)).not.toContain(newText)
      // until the operator copies it, the old variable still works, through the file, with a warning
      const { log, lines } = capturingLogger()
      expect(await getCredentials({ ...envStore, log }, 'salespro')).toEqual(SALESPRO)
      expect(lines.some((l) => l.includes('set CRMSYNC_MASTER_KEY from that file'))).toBe(true)
      await expect(rotateMasterKey(envStore)).rejects.toThrow(/the last rotation is not finished: set CRMSYNC_MASTER_KEY from .*master.key.new/)
      // the operator sets the variable (and forgets to delete the file, which the next rotation replaces)
      const updated = { ...store, env: { CRMSYNC_MASTER_KEY: newText } }
      expect(await getCredentials(updated, 'salespro')).toEqual(SALESPRO)
      expect((await rotateMasterKey(updated)).previousKeyId).toBe(result.keyId)
    })

    it('environment values win over stored ones; stored ones fill what the environment leaves unset', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      const { log } = capturingLogger()
      const env = { SALESPRO_SECRET_ACCESS_KEY: 'from-the-environment', SALESPRO_ATHENA_ENDPOINT: 'http://127.0.0.1:1', SALESPRO_DATABASE: '' }
      const vars = await loadStoredVariables({ env, home, log, warehouse: async () => test.warehouse }, 'salespro')
      expect(vars).toEqual({ ...SALESPRO, ...env, SALESPRO_SECRET_ACCESS_KEY: 'from-the-environment', SALESPRO_DATABASE: SALESPRO.SALESPRO_DATABASE })
    })

    it('stored credentials with no key to open them are config_invalid naming the missing key', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      const { log } = capturingLogger()
      const elsewhere = newHome()
      await expect(loadStoredVariables({ env: {}, home: elsewhere, log, warehouse: async () => test.warehouse }, 'salespro')).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining(`the master key that opens them is missing: set CRMSYNC_MASTER_KEY, or restore ${keyFilePath(elsewhere)}`),
      })
    })

    it.skipIf(process.platform === 'win32')('a group-readable key file is refused, not used', async () => {
      await fresh()
      await setCredentials(store, 'salespro', SALESPRO)
      chmodSync(keyFilePath(home), 0o644)
      await expect(getCredentials(store, 'salespro')).rejects.toThrow(/can be read by group or others \(mode 0644\).*chmod 600/)
      const { log } = capturingLogger()
      await expect(loadStoredVariables({ env: {}, home, log, warehouse: async () => test.warehouse }, 'salespro')).rejects.toThrow(/mode 0644/)
    })
  })
}
