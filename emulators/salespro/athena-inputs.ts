import { z } from 'zod'
import { invalidRequest } from './athena-errors.ts'

/** request shapes of the four operations (PascalCase members, as the SDK sends them) */
export const startQueryExecutionInput = z.looseObject({
  QueryString: z.string().min(1).max(262_144),
  ClientRequestToken: z.string().min(32).max(128).optional(),
  QueryExecutionContext: z
    .looseObject({ Database: z.string().min(1).max(255).optional(), Catalog: z.string().min(1).optional() })
    .optional(),
  ResultConfiguration: z.looseObject({ OutputLocation: z.string().optional() }).optional(),
  WorkGroup: z.string().min(1).optional(),
  ExecutionParameters: z.array(z.string().min(1).max(1024)).min(1).optional(),
})

export const queryExecutionIdInput = z.looseObject({ QueryExecutionId: z.string().min(1).max(128) })

export const getQueryResultsInput = z.looseObject({
  QueryExecutionId: z.string().min(1).max(128),
  NextToken: z.string().min(1).max(1024).optional(),
  MaxResults: z.number().int().min(1).max(1000).optional(),
})

const camel = (member: PropertyKey) => String(member).replace(/^[A-Z]/, (c) => c.toLowerCase())

/** parses an operation's input; a mismatch is Athena's "validation error detected" answer */
export function parseInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues
  const details = issues.map((issue) => {
    const path = issue.path.map(camel).join('.')
    const value = issue.path.reduce<unknown>(
      (at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key],
      body,
    )
    const shown = value === undefined ? '' : ` '${typeof value === 'string' ? value : JSON.stringify(value)}'`
    return `Value${shown} at '${path}' failed to satisfy constraint: ${constraint(issue)}`
  })
  const plural = issues.length > 1 ? 's' : ''
  throw invalidRequest(`${issues.length} validation error${plural} detected: ${details.join('; ')}`)
}

function constraint(issue: z.core.$ZodIssue): string {
  const what = 'origin' in issue && issue.origin === 'string' ? 'length' : 'value'
  if (issue.code === 'too_big') return `Member must have ${what} less than or equal to ${issue.maximum}`
  if (issue.code === 'too_small') return `Member must have ${what} greater than or equal to ${issue.minimum}`
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'Member must not be null'
  return issue.message
}
