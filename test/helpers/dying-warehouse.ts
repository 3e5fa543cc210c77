import type { Session, Transaction, Warehouse } from '../../src/warehouse/types.ts'

/**
 * A warehouse whose process "dies" right after its `afterCommits`-th transaction commits: from then
 * on every statement fails, as it would for a SIGKILLed process, so nothing more of the run reaches
 * the database (its history row stays `running`, for the next run to mark abandoned). Releasing a
 * session still goes through and frees its stream locks, as a dead process's closed connections do.
 * Counting commits, not statements, puts the death between two transactions, where a real kill
 * leaves the warehouse; every crash point of a run is visited by raising `afterCommits` one by one.
 */
export interface DyingWarehouse {
  warehouse: Warehouse
  /** whether the death happened: false once the run needed fewer transactions than `afterCommits` */
  died(): boolean
}

export function dyingWarehouse(inner: Warehouse, afterCommits: number): DyingWarehouse {
  let commits = 0
  let dead = false
  const alive = () => {
    if (dead) throw new Error('the process is dead (simulated crash)')
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
            query: async (sql, params) => (alive(), tx.query(sql, params)),
            exec: async (sql) => (alive(), tx.exec(sql)),
            statement: async (sql) => (alive(), tx.statement(sql)),
            copyIn: async (table, columns, text) => (alive(), tx.copyIn(table, columns, text)),
          }),
        )
        if (++commits === afterCommits) dead = true
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

/**
 * A warehouse whose process dies at the first statement of a transaction that `at` picks, before
 * it runs: the transaction never commits (PostgreSQL rolls it back as the connection goes), and
 * from then on every statement fails, as `dyingWarehouse`'s do. For a crash inside a commit:
 * between a page's write and its COMMIT.
 */
export function dyingAtStatement(inner: Warehouse, at: (sql: string) => boolean): DyingWarehouse {
  let dead = false
  const alive = () => {
    if (dead) throw new Error('the process is dead (simulated crash)')
  }
  const check = (sql: string) => {
    alive()
    if (at(sql)) {
      dead = true
      throw new Error('the process is dead (simulated crash inside a transaction)')
    }
  }
  const session = async (): Promise<Session> => {
    alive()
    const real = await inner.session()
    return {
      query: async (sql, params) => (alive(), real.query(sql, params)),
      transaction: <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> => {
        alive()
        return real.transaction((tx) =>
          fn({
            query: async (sql, params) => (check(sql), tx.query(sql, params)),
            exec: async (sql) => (check(sql), tx.exec(sql)),
            statement: async (sql) => (check(sql), tx.statement(sql)),
            copyIn: async (table, columns, text) => (alive(), tx.copyIn(table, columns, text)),
          }),
        )
      },
      async release() {
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
    close: async () => {},
  }
  return { warehouse, died: () => dead }
}
