/**
 * The SQLite driver (better-sqlite3, WAL) for the SQL store of sql-store.ts. better-sqlite3 is
 * synchronous and one connection serves every request, so an async mutex serialises access: a
 * transaction holds it from BEGIN IMMEDIATE to COMMIT, and statements outside a transaction wait for it,
 * so they never run inside somebody else's open transaction.
 */
import Database from "better-sqlite3";
import type { SqlDialect, SqlDriver, SqlSession } from "./driver.js";
import { MIGRATIONS } from "./migrations.js";
import type { Row } from "./rows.js";
import { SqlStore } from "./sql-store.js";
import type { Store } from "./types.js";

type Db = Database.Database;

/** One connection, one writer: no row locks to take or skip. */
const SQLITE_DIALECT: SqlDialect = { claimRow: "", lockRow: "" };

/** Prepared statements kept per connection (by SQL text); the least recently used go first. */
const STATEMENT_CACHE_SIZE = 500;

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT") && code !== "SQLITE_CONSTRAINT_NOTNULL";
}

/** The statements, run synchronously on the connection (the caller holds the mutex). */
class SqliteStatements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Db) {}

  private statement(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (statement) {
      this.cache.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.cache.size >= STATEMENT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(sql, statement);
    return statement;
  }
  get(sql: string, args: readonly unknown[]): Row | undefined {
    return this.statement(sql).get(...args) as Row | undefined;
  }
  all(sql: string, args: readonly unknown[]): Row[] {
    return this.statement(sql).all(...args) as Row[];
  }
  run(sql: string, args: readonly unknown[]): number {
    return this.statement(sql).run(...args).changes;
  }
  /** SQLite rolls back only the failing statement, so the transaction stays usable. */
  runUnlessConflict(sql: string, args: readonly unknown[]): number | null {
    try {
      return this.run(sql, args);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}

/** A FIFO async mutex. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** Lock calls not yet released: the holder and those queued behind it (connection metrics). */
  queued = 0;
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    this.queued++;
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      this.queued--;
      release();
    };
    const ready = this.tail.then(() => releaseOnce);
    this.tail = this.tail.then(() => next);
    return ready;
  }
  async with<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

export interface SqliteStoreOptions {
  /** File path or ":memory:". */
  path: string;
}

function migrate(db: Db): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => Number(r.version)),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      for (const statement of migration.statements) db.exec(statement);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }).immediate();
  }
}

/**
 * Opens (and migrates) a SQLite database as the driver of the SQL store.
 * @throws what better-sqlite3 throws when the file cannot be opened or migrated.
 * @example const driver = openSqliteDriver({ path: "./data/sentc.sqlite" });
 */
export function openSqliteDriver(options: SqliteStoreOptions): SqlDriver {
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the answer leaves, so an acknowledged write survives a crash.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);

  const statements = new SqliteStatements(db);
  const mutex = new Mutex();
  /** Inside a transaction the caller already holds the mutex. */
  const inTransaction: SqlSession = {
    get: async (sql, args) => statements.get(sql, args),
    all: async (sql, args) => statements.all(sql, args),
    run: async (sql, args) => statements.run(sql, args),
    runUnlessConflict: async (sql, args) => statements.runUnlessConflict(sql, args),
  };
  const direct: SqlSession = {
    get: (sql, args) => mutex.with(() => statements.get(sql, args)),
    all: (sql, args) => mutex.with(() => statements.all(sql, args)),
    run: (sql, args) => mutex.with(() => statements.run(sql, args)),
    runUnlessConflict: (sql, args) => mutex.with(() => statements.runUnlessConflict(sql, args)),
  };
  return {
    kind: options.path === ":memory:" ? "sqlite (memory)" : "sqlite (WAL)",
    dialect: SQLITE_DIALECT,
    direct,
    transaction: <T>(fn: (session: SqlSession) => Promise<T>) =>
      mutex.with(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(inTransaction);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      }),
    // One connection; calls queue on the mutex.
    connectionStats: () => ({
      total: db.open ? 1 : 0,
      idle: db.open && mutex.queued === 0 ? 1 : 0,
      waiting: Math.max(0, mutex.queued - 1),
    }),
    close: () =>
      mutex.with(() => {
        db.close();
      }),
  };
}

/**
 * Opens the SQLite store: the SQL store on a SQLite driver.
 * @throws what better-sqlite3 throws when the file cannot be opened or migrated.
 * @example const store = openSqliteStore({ path: ":memory:" });
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  return new SqlStore(openSqliteDriver(options));
}
