import type { Store } from './store.ts'

/**
 * The warehouse seam: the few operations crmsync needs from PostgreSQL, implemented once for a
 * server (`pg` Pool) and once for the embedded default (PGlite), with the same SQL on both.
 */
export interface QueryResult<R> {
  rows: R[]
  rowCount: number
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>
}

/** A connection inside a transaction: queries, plus COPY of text-format rows. */
export interface Transaction extends Queryable {
  /** runs a script of several statements (migrations); no parameters */
  exec(sql: string): Promise<void>
  /**
   * Runs exactly one statement, typed by a person (`crmsync sql`), through the extended query
   * protocol: PostgreSQL refuses a text holding several statements there, so no `;` can smuggle
   * a `COMMIT` or a second statement past the caller's checks.
   */
  statement<R = Record<string, unknown>>(sql: string): Promise<QueryResult<R>>
  /**
   * COPY rows in PostgreSQL's text format (one row per line, UTF-8) into `table` (already
   * quoted). The text comes in pieces of whole lines, encoded as they are sent, so a page never
   * exists as one multi-megabyte string.
   */
  copyIn(table: string, columns: readonly string[], text: Iterable<Uint8Array<ArrayBuffer>>): Promise<void>
}

/** One dedicated connection, held for a whole run: the stream lock lives on it. */
export interface Session extends Queryable {
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  release(): Promise<void>
}

export interface PoolStats {
  /** the most connections the pool opens */
  max: number
  /** connections open now */
  size: number
  /** connections checked out */
  inUse: number
  /** callers waiting for a connection */
  waiting: number
}

export interface Warehouse extends Queryable {
  readonly kind: 'postgres' | 'pglite'
  /** what the engine asks of this warehouse (src/warehouse/store.ts) */
  readonly store: Store
  /** where it is, without credentials: `postgres://host:port/db` or the PGlite directory */
  readonly location: string
  session(): Promise<Session>
  poolStats(): PoolStats
  close(): Promise<void>
}
