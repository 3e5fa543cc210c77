import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { HttpError, sendJson } from '../shared/http.ts'

/** HubSpot's error envelope: `{status:"error", message, correlationId, category, ...}`. */
export class HubSpotError extends HttpError {
  readonly extra: Record<string, unknown>
  constructor(status: number, message: string, extra: Record<string, unknown> = {}) {
    super(status, message)
    this.extra = extra
  }
}

export const CORRELATION_HEADER = 'X-HubSpot-Correlation-Id'

export const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more ' +
  'details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'

export const invalidAuthentication = () =>
  new HubSpotError(401, AUTH_MESSAGE, { category: 'INVALID_AUTHENTICATION' })

export const validationError = (message: string, extra: Record<string, unknown> = {}) =>
  new HubSpotError(400, message, { category: 'VALIDATION_ERROR', ...extra })

// HubSpot answers an unknown object type with a bare envelope: no category
export const unknownObjectType = (name: string) =>
  new HubSpotError(400, `Unable to infer object type from: ${name}`)

export const objectNotFound = (id: string) =>
  new HubSpotError(404, 'Object not found.  objectId are usually numeric.', {
    category: 'OBJECT_NOT_FOUND',
    context: { id: [id] },
  })

/** the correlation id this response already announced in its header, so body and header agree */
export function correlationIdOf(res: ServerResponse): string {
  const existing = res.getHeader(CORRELATION_HEADER)
  if (typeof existing === 'string') return existing
  const id = randomUUID()
  if (!res.headersSent) res.setHeader(CORRELATION_HEADER, id)
  return id
}

export function sendHubSpotError(res: ServerResponse, error: HttpError) {
  const extra = error instanceof HubSpotError ? error.extra : defaultExtra(error.status)
  const { category, ...rest } = extra
  const body = {
    status: 'error',
    message: error.message,
    correlationId: correlationIdOf(res),
    ...(category === undefined ? {} : { category }),
    ...rest,
  }
  sendJson(res, error.status, body)
}

function defaultExtra(status: number): Record<string, unknown> {
  if (status === 400 || status === 413) return { category: 'VALIDATION_ERROR' }
  if (status === 404) return { category: 'OBJECT_NOT_FOUND' }
  return { category: 'INTERNAL_ERROR' }
}
