import { SyncError } from '../../errors.ts'
import { errorBodySchema, type ErrorBody } from './responses.ts'

/** HubSpot's error envelope from an answer's text; an unreadable body is an empty one. */
export function readErrorBody(text: string): ErrorBody {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text)

function detail(body: ErrorBody): string {
  const id = body.correlationId && `correlationId ${body.correlationId}`
  const parts = [body.message && clip(body.message), id]
  return parts.filter(Boolean).join('; ')
}

/** The scopes a 403 says are missing, when it says. */
function missingScopes(body: ErrorBody): string[] {
  const scopes = new Set<string>()
  for (const error of body.errors ?? []) {
    for (const [key, value] of Object.entries(error.context ?? {})) {
      if (/scope/i.test(key) && Array.isArray(value)) for (const scope of value) scopes.add(String(scope))
    }
  }
  return [...scopes]
}

/**
 * The error for an answer that no retry can fix. None of these ever means "the record does not
 * exist": a caller that wants to skip missing records reads a 207's per-input errors instead.
 */
export function terminalError(status: number, body: ErrorBody, operation: string): SyncError {
  if (status === 401) {
    const hint = 'a private-app access token of the portal, not expired or revoked'
    return new SyncError('auth_failed', `HubSpot refused the token (401): check HUBSPOT_API_TOKEN (${hint})`)
  }
  if (status === 403) {
    const scopes = missingScopes(body)
    const what = scopes.length
      ? `the private app lacks the scope ${scopes.join(' or ')}`
      : 'the token may not use it'
    const id = body.correlationId ? ` (correlationId ${body.correlationId})` : ''
    return new SyncError('auth_failed', `HubSpot refused access (403) to ${operation}: ${what}${id}`)
  }
  const category = body.category ? ` ${body.category}` : ''
  const message = `HubSpot rejected ${operation} (${status}${category}): ${detail(body) || 'no message'}`
  return new SyncError('source_bad_response', message)
}

export const isTransientStatus = (status: number) => status >= 500 || status === 408

/** Network failures worth another try: resets, refused or dropped connections, timeouts. */
export function isTransientFailure(error: unknown): boolean {
  const name = (error as Error)?.name
  if (name === 'TimeoutError') return true
  if (name === 'AbortError') return false
  // fetch reports network failures as TypeError('fetch failed') with the system error as its cause
  const text = `${(error as Error)?.message ?? error} ${((error as Error)?.cause as Error)?.message ?? ''}`
  return error instanceof TypeError || /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket|terminated/i.test(text)
}

