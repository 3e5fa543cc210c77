import { SyncError } from '../errors.ts'
import type { Warehouse } from './types.ts'

/**
 * The words that start a statement which controls the transaction itself. `crmsync sql` runs its
 * statement inside a read-only transaction of its own; one of these would end that transaction or
 * change its mode, so it is refused before it reaches the warehouse.
 */
const TRANSACTION_CONTROL = /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|set\s+(session\s+characteristics|transaction|local\s+transaction|session\s+transaction)|set\s+(session\s+|local\s+)?(default_)?transaction_read_only|reset\s+(all|(default_)?transaction_read_only))\b/i

// a setting only our transaction carries: gone after a COMMIT or ROLLBACK the checks missed
const MARKER = 'crmsync.read_only_statement'

/** The statement's text without the comments and blanks in front of it. */
export function leadingText(sql: string): string {
  let rest = sql
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, '')
    if (trimmed.startsWith('--')) rest = trimmed.replace(/^--[^\n]*\n?/, '')
    else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/')
      rest = end < 0 ? '' : trimmed.slice(end + 2)
    } else return trimmed
  }
}

/**
 * Runs one statement, read only, and returns its rows: for `crmsync sql`, where a person looks at
 * the warehouse and a typo must never change it. Several statements, a write or a statement that
 * controls the transaction are config_invalid (exit 2), and the warehouse is left as it was.
 */
export async function runReadOnlyStatement(warehouse: Warehouse, sql: string): Promise<Record<string, unknown>[]> {
  if (TRANSACTION_CONTROL.test(leadingText(sql))) throw transactionControl()
  const session = await warehouse.session()
  try {
    // the session default too, so even a statement that escaped the transaction could not write
    await session.query('SET default_transaction_read_only = on')
    return await session.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY')
      // this also takes the transaction's snapshot, after which it can no longer become read-write
      await tx.query(`SELECT set_config('${MARKER}', 'on', true)`)
      const { rows } = await tx.statement(sql)
      const after = await tx.query<{ marker: string | null; read_only: string }>(
        `SELECT current_setting('${MARKER}', true) AS marker, current_setting('transaction_read_only') AS read_only`,
      )
      if (after.rows[0]?.marker !== 'on' || after.rows[0]?.read_only !== 'on') throw transactionControl()
      return rows
    })
  } catch (error) {
    throw describeFailure(error)
  } finally {
    // PGlite has one connection for the whole process: give it back as it was
    if (warehouse.kind === 'pglite') await session.query('RESET default_transaction_read_only').catch(() => {})
    await session.release()
  }
}

const transactionControl = () =>
  new SyncError(
    'config_invalid',
    'crmsync sql runs its statement in a read-only transaction of its own: transaction control ' +
      '(BEGIN, COMMIT, ROLLBACK, SET TRANSACTION, ...) is not allowed',
  )

function describeFailure(error: unknown): SyncError {
  if (error instanceof SyncError) return error
  const { code, message } = error as { code?: string; message?: string }
  if (code === '42601' && /multiple commands/.test(message ?? ''))
    return new SyncError('config_invalid', 'crmsync sql runs exactly one statement: give one, without `;` between statements', { cause: error })
  if (code === '25006') return new SyncError('config_invalid', `crmsync sql is read-only: ${message}`, { cause: error })
  // a PostgreSQL error (SQLSTATE) is the query's fault; anything else is the warehouse's
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return new SyncError('config_invalid', `the query failed: ${message}`, { cause: error })
  return new SyncError('warehouse_failed', `the query failed: ${message ?? String(error)}`, { cause: error })
}
