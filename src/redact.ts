/**
 * The one redactor: every text crmsync persists or shows (log lines, run and alert records,
 * automation events, CLI output, the dashboard's pages and API answers) goes through
 * `redactSecrets` on its way out.
 *
 * Two nets, because either alone misses things:
 * - by value: secrets registered at start (environment, credential store, config) are replaced
 *   wherever they appear, whatever surrounds them;
 * - by shape: a secret we were never told about (a password inside SALESRABBIT_API_URL, a token
 *   echoed by a source, a connection string in a driver's error) is recognised by its context.
 *
 * The shapes are matched on context (a URL's userinfo, a key name, an auth scheme), never on the
 * value alone, so run ids, timestamps and 40-character hex hashes in ordinary text stay intact.
 * Replacements contain no quote, backslash, `<` or `&`, so redacting JSON or HTML keeps it valid,
 * and redacting twice changes nothing.
 */

export const REDACTED = '[redacted]'

const secrets = new Set<string>()

/** Registers a secret value; shorter than 6 characters it would scrub ordinary words, so it is not kept. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value)
}

// a URL's password: `scheme://user:password@host`. The password may hold an unescaped `@` (the
// authority ends at the last one), so it runs to the last `@` before the path. The user name is
// kept: it says which account failed, and `postgres://postgres@host` has nothing to hide.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:/?#@"'<>\\]*):([^\s/?#"'<>\\]*)@/gi

// an Authorization header's credentials, in any dress: `Authorization: Basic …`, `"authorization":"Bearer …"`
const AUTH_HEADER = /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|Digest|Token|Negotiate|AWS4-HMAC-SHA256)\s+)?([^\s"'<>\\,;]{8,})/gi

// a bearer token anywhere (RFC 6750 token68), as the header spells it: capital B, so prose ("token_type=bearer
// secrets…") stays; 8 characters at least, so "Bearer realm" and "Bearer or" stay too
const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/g

// AWS access key ids (long-term AKIA…, temporary ASIA…): not secret by AWS's book, but crmsync treats
// SALESPRO_ACCESS_KEY_ID as a credential. The prefix stays, to tell a long-term key from a session's.
const AWS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g

// an AWS secret access key (40 base64 characters) after its name, in prose too ("secret access key wJalr…")
const AWS_SECRET = /\b((?:aws[_-]?)?secret[ _-]?(?:access[ _-]?)?key[^A-Za-z0-9/+]{1,5})[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/gi

// `password=…`, `api_key: …`, `"clientSecret":"…"`, `SALESRABBIT_API_TOKEN=…`: a value after a key whose
// name ends in a secret's word. Only the end counts, so `tokens=3` and `token_type=bearer` are left alone;
// an ellipsis is our own placeholder (`?token=…` in help texts), never part of a value.
const KEY_WORD = '(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)'
const KEY_VALUE = new RegExp(`(?<![A-Za-z0-9])([A-Za-z0-9_.-]*?${KEY_WORD})(?![A-Za-z0-9])(["']?)(\\s*[:=]\\s*)(["']?)([^\\s"'<>\\\\&,;…]+)`, 'gi')

function keyValue(match: string, key: string, keyQuote: string, separator: string, valueQuote: string, value: string): string {
  // a JSON number or boolean (`"hasToken": true`) is no secret, and `[redacted]` in its place would break the JSON
  if (keyQuote && !valueQuote) return match
  if (value === REDACTED) return match
  return `${key}${keyQuote}${separator}${valueQuote}${REDACTED}`
}

/** Scrubs secrets recognised by their shape; ordinary text comes back unchanged. */
export function redactShapes(text: string): string {
  return text
    .replace(URL_USERINFO, '$1$2:***@')
    .replace(AUTH_HEADER, (_, prefix: string, scheme: string | undefined) => `${prefix}${scheme ? `${scheme} ` : ''}${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(AWS_KEY_ID, `$1${REDACTED}`)
    .replace(AWS_SECRET, `$1${REDACTED}`)
    .replace(KEY_VALUE, keyValue)
}

/** Scrubs registered secret values, then secrets by shape. */
export function redactSecrets(text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  return redactShapes(out)
}
