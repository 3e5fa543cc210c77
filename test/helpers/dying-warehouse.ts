import type { Session, Transaction, Warehouse } from '../../src/warehouse/types.ts'

/**
 * A warehouse whose process "dies": from then on every statement fails, as it would for a
 * SIGKILLed process, so nothing more of the run reaches the database (its history row stays
 * `running`, for the next run to mark abandoned). Releasing a session still goes through and frees
 * its stream locks, as a dead process's closed connections do.
 */
export interface DyingWarehouse {
  warehouse: Warehouse
  /** whether the death happened: false once the run needed fewer transactions than asked */
  died(): boolean
}

/** When the process dies: inside a transaction, before one of its statements, or after a commit. */
interface DeathRule {
  /** true: die now, before this statement of a transaction runs (it never commits) */
  atStatement?(sql: string): boolean
  /** true: die right after this commit */
  afterCommit?(): boolean
}

/**
 * Dies right after its `afterCommits`-th transaction commits. Counting commits, not statements,
 * puts the death between two transactions, where a real kill leaves the warehouse; every crash
 * point of a run is visited by raising `afterCommits` one by one.
 */
export function dyingWarehouse(inner: Warehouse, afterCommits: number): DyingWarehouse {
  let commits = 0
  return dying(inner, { afterCommit: () => ++commits === afterCommits })
}

/**
 * Dies at the first statement of a transaction that `at` picks, before it runs: the transaction
 * never commits (PostgreSQL rolls it back as the connection goes). For a crash inside a commit:
 * between a page's write and its COMMIT.
 */
export const dyingAtStatement = (inner: Warehouse, at: (sql: string) => boolean): DyingWarehouse => dying(inner, { atStatement: at })

function dying(inner: Warehouse, rule: DeathRule): DyingWarehouse {
  let dead = false
  const alive = () => {
    if (dead) throw new Error('the process is dead (simulated crash)')
  }
  const check = (sql: string) => {
    alive()
    if (rule.atStatement?.(sql)) {
      dead = true
      throw new Error('the process is dead (simulated crash inside a transaction)')
    }
  }
  const session = async (): Promise<Session> => {
    alive()
    const real = await inner.session()
    return {
      query: async (sql, params) => (alive(), real.query(sql, params)),
      async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
        alive()
        const result = await real.transaction((tx) =>
          fn({
            query: async (sql, params) => (check(sql), tx.query(sql, params)),
            exec: async (sql) => (check(sql), tx.exec(sql)),
            statement: async (sql) => (check(sql), tx.statement(sql)),
            copyIn: async (table, columns, text) => (alive(), tx.copyIn(table, columns, text)),
          }),
        )
        if (rule.afterCommit?.()) dead = true
        return result
      },
      async release() {
        // a dead process's locks are gone the moment it is; a destroyed pg connection's only once
        // the server has noticed, which the next run must not race
        if (dead) await real.query('SELECT pg_advisory_unlock_all()')
        await real.release()
      },
    }
  }
  const warehouse: Warehouse = {
    kind: inner.kind,
    location: inner.location,
    store: inner.store,
    query: async (sql, params) => (alive(), inner.query(sql, params)),
    session,
    poolStats: () => inner.poolStats(),
    // the test's own warehouse outlives the dead one
    close: async () => {},
  }
  return { warehouse, died: () => dead }
}
