import { describe, expect, it } from 'vitest'
// through log.ts, the redactor's long-standing home, so these cases also ran against the value-only version
import { redactSecrets } from './log.ts'

describe('redactSecrets by shape (secrets nobody registered)', () => {
  it.each([
    ['a password in a URL', 'GET http://admin:UrlPassw0rd@127.0.0.1:1/leads?page=1 failed', 'GET http://admin:***@127.0.0.1:1/leads?page=1 failed'],
    ['a password holding an @', 'https://u:p@ss@host.example/x', 'https://u:***@host.example/x'],
    ['a PostgreSQL connection string', 'connect postgres://crm:pg-S3cret@db.internal:5432/warehouse', 'connect postgres://crm:***@db.internal:5432/warehouse'],
    ['an empty URL password', 'redis://user:@cache:6379', 'redis://user:***@cache:6379'],
    ['an Authorization header', 'Authorization: Basic YWRtaW46c2VjcmV0', 'Authorization: Basic [redacted]'],
    ['an authorization field in JSON', '{"authorization":"Bearer pat-na1-abcdef123"}', '{"authorization":"Bearer [redacted]"}'],
    ['a bearer token in prose', 'sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc_DEF-123 to the API', 'sent Bearer [redacted] to the API'],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE refused', 'key AKIA[redacted] refused'],
    ['an AWS session key id', 'ASIAY34FZKBOKMUTVV7A', 'ASIA[redacted]'],
    ['an AWS secret key in prose', 'secret access key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY was refused', 'secret access key [redacted] was refused'],
    ['an AWS secret key in an ini line', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = [redacted]'],
    ['query parameters', '/cb?user=x&password=hunter22&token=t0k&api_key=k3y&ok=1', '/cb?user=x&password=[redacted]&token=[redacted]&api_key=[redacted]&ok=1'],
    ['environment assignments', 'SALESRABBIT_API_TOKEN=sr-123456 HUBSPOT_API_TOKEN="pat-1"', 'SALESRABBIT_API_TOKEN=[redacted] HUBSPOT_API_TOKEN="[redacted]"'],
    ['JSON fields', '{"clientSecret":"abc","password": "p4ss","x-api-key":"k"}', '{"clientSecret":"[redacted]","password": "[redacted]","x-api-key":"[redacted]"}'],
    ['a libpq key/value string', 'host=db user=crm password=pg-S3cret dbname=w', 'host=db user=crm password=[redacted] dbname=w'],
    ['a secret in HTML', '<td>http://admin:UrlPassw0rd@127.0.0.1:1/users</td>', '<td>http://admin:***@127.0.0.1:1/users</td>'],
  ])('%s', (_, text, expected) => {
    expect(redactSecrets(text)).toBe(expected)
  })

  it('is idempotent: redacting twice changes nothing more', () => {
    const once = redactSecrets('x http://a:b@h/ Authorization: Bearer abcdefgh123 token=zz AKIAIOSFODNN7EXAMPLE')
    expect(redactSecrets(once)).toBe(once)
  })

  it('keeps JSON valid: a non-string value after a secret-like key is left alone', () => {
    const json = JSON.stringify({ hasToken: true, password: 'x"y', tokenCount: 3, nested: { apiKey: null, url: 'https://u:pw-secret@h/' } })
    const out = redactSecrets(json)
    expect(() => JSON.parse(out)).not.toThrow()
    expect(JSON.parse(out)).toMatchObject({ hasToken: true, tokenCount: 3, nested: { apiKey: null } })
    expect(out).not.toContain('pw-secret')
  })

  it.each([
    'http://127.0.0.1:8000/monitoring/',
    'postgres://postgres@127.0.0.1:5432/test',
    'run 1234 started 2026-12-05T07:28:45.706Z and ended at 10:11:12',
    'content hash 3f786850e387550fdab836ed7e6dc881de23001b (sha1) and da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'secret rotation done: hash 3f786850e387550fdab836ed7e6dc881de23001b',
    'run 00000000-0000-4000-8000-000000000000 / cursor {"updatedAt":"2026-01-01 00:00:00.123456+00","id":"42"}',
    'SalesRabbit refused the token (401 Unauthorized: the token is not valid); check SALESRABBIT_API_TOKEN',
    'this action needs the dashboard token in an Authorization: Bearer or X-Crmsync-Token header',
    'WWW-Authenticate: Bearer realm="crmsync"',
    '<input id="token-input" name="token" type="password" placeholder="CRMSYNC_DASHBOARD_TOKEN">',
    'tokens=3 token_type=bearer secrets_found=0 bypass=1',
    'open the dashboard once with ?token=… or send an Authorization: Bearer header',
    'crmsync_runs_total{source="salesrabbit",stream="leads",status="failed"} 2',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text)
  })
})
