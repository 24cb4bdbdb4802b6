/**
 * What the operations endpoints ask a store (GET /ready, the metrics): whether its schema is complete,
 * and how its connections are used. Shared by both stores so that they answer alike.
 */
import { MIGRATIONS } from "./migrations.js";

/** Connection use of a store at one moment (the `sentc_db_connections` metrics). */
export interface ConnectionStats {
  /** Connections open (PostgreSQL: the pool's `totalCount`; SQLite: 1). */
  total: number;
  /** Open connections not running a query or transaction (PostgreSQL: `idleCount`; SQLite: 1 or 0). */
  idle: number;
  /** Callers waiting for a connection (PostgreSQL: `waitingCount`; SQLite: calls queued behind the one running). */
  waiting: number;
}

/** Thrown by a store's `checkReady` when the database answers but lacks migrations of this version. */
export class MigrationsPendingError extends Error {
  override readonly name = "MigrationsPendingError";
  constructor(readonly missing: number[]) {
    super(`schema migrations not applied: ${missing.join(", ")}`);
  }
}

/**
 * Checks the versions recorded in `schema_migrations` against every migration this server knows.
 *
 * @throws MigrationsPendingError when one or more are missing.
 * @example
 * assertMigrationsApplied(rows.map((r) => Number(r.version)));
 */
export function assertMigrationsApplied(applied: Iterable<number>): void {
  const have = new Set(applied);
  const missing = MIGRATIONS.map((m) => m.version).filter((version) => !have.has(version));
  if (missing.length > 0) throw new MigrationsPendingError(missing);
}
