import type { ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

/**
 * An Athena error answer: `{"__type": …, "Message": …}` plus extra members such as
 * `AthenaErrorCode` or `Reason`. The SDK takes the error name from `__type`.
 */
export class AthenaApiError extends Error {
  readonly status: number
  readonly type: string
  readonly extra: Record<string, unknown>
  /** some services answer `message` in lower case (throttling, auth); the SDK reads both */
  readonly lowerCaseMessage: boolean
  constructor(
    status: number,
    type: string,
    message: string,
    extra: Record<string, unknown> = {},
    lowerCaseMessage = false,
  ) {
    super(message)
    this.status = status
    this.type = type
    this.extra = extra
    this.lowerCaseMessage = lowerCaseMessage
  }
}

export const invalidRequest = (message: string, athenaErrorCode?: string) =>
  new AthenaApiError(
    400,
    'InvalidRequestException',
    message,
    athenaErrorCode ? { AthenaErrorCode: athenaErrorCode } : {},
  )

export const executionNotFound = (id: string) =>
  invalidRequest(`QueryExecution ${id} was not found`, 'QUERY_EXECUTION_NOT_FOUND')

export const unrecognizedClient = () =>
  new AthenaApiError(
    400,
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
    {},
    true,
  )

/** no Authorization header and no presigned query */
export const missingAuthenticationToken = () =>
  new AthenaApiError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token', {}, true)

/** an Authorization header that lacks a part (Credential, SignedHeaders, Signature, the date) */
export const incompleteSignature = (message: string) =>
  new AthenaApiError(400, 'IncompleteSignatureException', message, {}, true)

/** a signature that does not verify, or one made for another day, region or service */
export const invalidSignature = (message: string) =>
  new AthenaApiError(400, 'InvalidSignatureException', message, {}, true)

export const throttling = () => new AthenaApiError(400, 'ThrottlingException', 'Rate exceeded', {}, true)

export const tooManyRequests = () =>
  new AthenaApiError(
    400,
    'TooManyRequestsException',
    'You have exceeded the limit for the number of queries you can run concurrently. ' +
      'Reduce the number of concurrent queries submitted by this account. ' +
      'Contact customer support to request a concurrent query limit increase.',
    { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' },
  )

export function sendAthenaJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  })
  res.end(text)
}

export function sendAthenaError(res: ServerResponse, error: AthenaApiError) {
  const message = error.lowerCaseMessage ? { message: error.message } : { Message: error.message }
  sendAthenaJson(res, error.status, { __type: error.type, ...message, ...error.extra })
}
