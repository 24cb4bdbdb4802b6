/**
 * The small async interface the SQL store (sql-store.ts) is written against, and that each database
 * driver implements: sqlite.ts (better-sqlite3) and postgres.ts (node-postgres).
 *
 * SQL is written once, in the common subset of SQLite and PostgreSQL, with `?` placeholders (the
 * PostgreSQL driver numbers them). Upserts (`ON CONFLICT … DO UPDATE SET x = excluded.x`, `DO NOTHING`)
 * and `RETURNING` are spelled the same in both. The few real differences are `SqlDialect`'s.
 */
import type { ConnectionStats } from "./health.js";
import type { Row } from "./rows.js";

/** Statements on one connection: outside a transaction (each statement on its own) or inside one. */
export interface SqlSession {
  /** The first row, or undefined. */
  get(sql: string, args: readonly unknown[]): Promise<Row | undefined>;
  all(sql: string, args: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, args: readonly unknown[]): Promise<number>;
  /**
   * Runs a statement that may break a uniqueness rule: the number of changed rows, or null when it broke
   * one. The session (and its transaction) stays usable either way.
   */
  runUnlessConflict(sql: string, args: readonly unknown[]): Promise<number | null>;
}

/** What differs between the dialects beyond placeholders. */
export interface SqlDialect {
  /**
   * Appended to a SELECT that claims a row for the calling transaction, skipping rows another
   * transaction holds (`FOR UPDATE SKIP LOCKED`); empty where a transaction is exclusive anyway.
   */
  readonly claimRow: string;
  /** Appended to a SELECT that locks a row until the transaction ends (`FOR UPDATE`); empty where not needed. */
  readonly lockRow: string;
}

export interface SqlDriver {
  /** A short description for logs and benchmarks, e.g. "sqlite (WAL)". */
  readonly kind: string;
  readonly dialect: SqlDialect;
  /** Statements outside any transaction. */
  readonly direct: SqlSession;
  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back when it throws. A driver may run
   * `fn` again from the start when the database aborted the transaction for a conflict with another one.
   */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** How the driver's connections are used right now (the `sentc_db_connections` metrics). */
  connectionStats(): ConnectionStats;
  close(): Promise<void>;
}
