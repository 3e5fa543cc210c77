import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { open, seal } from './crypto.ts'
import { toMasterKey } from './master-key.ts'

const key = toMasterKey(randomBytes(32), 'env')
const other = toMasterKey(randomBytes(32), 'env')

describe('seal and open (AES-256-GCM)', () => {
  it('round-trips, with a new IV every time', () => {
    const a = seal(key, '{"HUBSPOT_API_TOKEN":"pat-na1-secret"}', 'hubspot')
    const b = seal(key, '{"HUBSPOT_API_TOKEN":"pat-na1-secret"}', 'hubspot')
    expect(a.iv).toHaveLength(12)
    expect(a.authTag).toHaveLength(16)
    expect(a.iv.equals(b.iv)).toBe(false)
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false)
    expect(a.ciphertext.toString('latin1')).not.toContain('pat-na1-secret')
    expect(open(key, a, 'hubspot')).toBe('{"HUBSPOT_API_TOKEN":"pat-na1-secret"}')
  })

  it('refuses a tampered ciphertext, tag or IV', () => {
    const sealed = seal(key, 'value', 'salespro')
    for (const field of ['ciphertext', 'authTag', 'iv'] as const) {
      const bent = { ...sealed, [field]: Buffer.from(sealed[field]) }
      bent[field][0] ^= 1
      expect(() => open(key, bent, 'salespro')).toThrow(/credentials of salespro cannot be decrypted .*altered/)
    }
  })

  it('refuses another source: the source name is authenticated', () => {
    const sealed = seal(key, 'value', 'salespro')
    expect(() => open(key, sealed, 'hubspot')).toThrow(/credentials of hubspot cannot be decrypted .*belongs to another source/)
  })

  it('refuses another key, naming the key it was sealed with, never the key', () => {
    const sealed = seal(key, 'value', 'salespro')
    const error = (() => {
      try {
        open(other, sealed, 'salespro')
      } catch (e) {
        return e as Error & { code: string }
      }
    })()
    expect(error?.code).toBe('config_invalid')
    expect(error?.message).toContain(`sealed with another master key (${key.keyId})`)
    expect(error?.message).toContain(`the master key in use is ${other.keyId} (CRMSYNC_MASTER_KEY)`)
  })

  it('a key object shows no key material when logged or serialised', () => {
    const bytes = randomBytes(32)
    const k = toMasterKey(bytes, 'file', '/x/master.key')
    const shown = `${inspect(k, { depth: 5 })} ${JSON.stringify(k)}`
    for (const text of [bytes.toString('base64'), bytes.toString('hex')]) expect(shown).not.toContain(text)
  })
})
