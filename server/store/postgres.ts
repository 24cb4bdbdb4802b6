/**
 * The PostgreSQL driver (node-postgres) for the SQL store of sql-store.ts: the same tables and queries as
 * with SQLite, for several server processes on one database (behind a load balancer).
 *
 * Concurrency. SQLite serialises everything through one connection; here every `transaction` gets a
 * dedicated pooled client and runs `BEGIN ISOLATION LEVEL SERIALIZABLE … COMMIT`. The services' transactions
 * are check-then-write (invites, join requests, ranks, the last admin, key sessions, rotations, the default
 * app); SERIALIZABLE makes any interleaving of two processes equivalent to one after the other, and a
 * transaction PostgreSQL aborts for that (40001) or for a deadlock (40P01) is run again from the start.
 * Services' transaction callbacks only touch the store, so running them again is safe.
 *
 * Statements outside a transaction run on the pool. PostgreSQL aborts a transaction on any failed
 * statement (SQLite does not), so `runUnlessConflict` guards its statement with a savepoint.
 *
 * The key rotation worker claims a rotation with `FOR UPDATE SKIP LOCKED` (`lockUnfinishedRotation`), so
 * two processes never work on the same batch.
 *
 * Schema: the migrations of migrations.ts with one dialect change: text columns compare and sort bytewise
 * (`COLLATE "C"`), as SQLite does, so that ids order and page identically on both stores whatever the
 * database's locale. They run in one transaction under an advisory lock, so several server processes
 * starting at the same time on a new database apply them once.
 */
import pg from "pg";
import type { SqlDialect, SqlDriver, SqlSession } from "./driver.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import type { Row } from "./rows.js";
import { SqlStore } from "./sql-store.js";
import { StoreBusyError, type Store } from "./types.js";

type Queryable = pg.Pool | pg.PoolClient;

const POSTGRES_DIALECT: SqlDialect = { claimRow: " FOR UPDATE SKIP LOCKED", lockRow: " FOR UPDATE" };

/** True for `postgres://` and `postgresql://` URLs (how `--db` picks this store). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The shared SQL uses `?` placeholders; PostgreSQL numbers them. No statement has a literal `?`. */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

const UNIQUE_VIOLATION = "23505";
/** serialization_failure, deadlock_detected: the transaction runs again. */
const RETRY_CODES = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 12;

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can). Nothing of sentc's contains it, so such a value is
 * bad input: the `statusCode` makes the HTTP layer answer 422/11 instead of 500.
 */
export class NulInTextError extends Error {
  override readonly name = "NulInTextError";
  readonly statusCode = 422;
  constructor() {
    super("text with a NUL character");
  }
}

/** Statements on the pool (`inTransaction` false) or on a transaction's client. */
function pgSession(q: Queryable, inTransaction: boolean): SqlSession {
  const query = async (sql: string, args: readonly unknown[]): Promise<pg.QueryResult<Row>> => {
    for (const arg of args) if (typeof arg === "string" && arg.includes("\u0000")) throw new NulInTextError();
    return q.query<Row>(numbered(sql), args as unknown[]);
  };
  const run = async (sql: string, args: readonly unknown[]) => (await query(sql, args)).rowCount ?? 0;
  return {
    get: async (sql, args) => (await query(sql, args)).rows[0],
    all: async (sql, args) => (await query(sql, args)).rows,
    run,
    async runUnlessConflict(sql, args) {
      if (inTransaction) await q.query("SAVEPOINT guarded");
      try {
        const count = await run(sql, args);
        if (inTransaction) await q.query("RELEASE SAVEPOINT guarded");
        return count;
      } catch (error) {
        if (inTransaction) await q.query("ROLLBACK TO SAVEPOINT guarded");
        if (pgCode(error) === UNIQUE_VIOLATION) return null;
        throw error;
      }
    },
  };
}

/** Turns a portable statement of migrations.ts into PostgreSQL's dialect. */
function pgStatement(sql: string): string {
  return sql.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"');
}

const PG_MIGRATIONS: Migration[] = MIGRATIONS.map((m) => ({ ...m, statements: m.statements.map(pgStatement) }));

/** An arbitrary constant: the first half of the advisory lock key (the second is the schema). */
const LOCK_CLASS = 0x5e7c;

async function migratePostgres(client: pg.ClientBase): Promise<void> {
  // READ COMMITTED (not SERIALIZABLE): after waiting for the lock, the next statements see what the
  // process that held it committed.
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", [LOCK_CLASS]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    );
    const applied = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) =>
        Number(r.version),
      ),
    );
    for (const migration of PG_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq query parameters such as `options=-c search_path=…` work). */
  url: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Errors of idle pooled connections (default: written to stderr). */
  onPoolError?: (error: Error) => void;
}

/**
 * Connects a pool to the database and migrates it: the driver of the SQL store.
 * @throws what node-postgres throws when the database cannot be reached or migrated.
 * @example const driver = await openPostgresDriver({ url: "postgres://sentc:secret@127.0.0.1:5432/sentc" });
 */
export async function openPostgresDriver(options: PostgresStoreOptions): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on(
    "error",
    options.onPoolError ?? ((error) => process.stderr.write(`sentc-server: postgres: ${error.message}\n`)),
  );
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  let closed = false;
  async function transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
        const result = await fn(pgSession(client, true));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is gone: the pool drops it
        }
        if (!RETRY_CODES.has(pgCode(error) ?? "")) throw error;
        if (attempt >= MAX_ATTEMPTS)
          throw new StoreBusyError(`the transaction conflicted ${attempt} times with concurrent ones`, {
            cause: error,
          });
      } finally {
        client.release(broken);
      }
      // Another transaction won; back off a little (randomised, growing) before running again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
    }
  }

  return {
    kind: "postgres",
    dialect: POSTGRES_DIALECT,
    direct: pgSession(pool, false),
    transaction,
    connectionStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * Opens the PostgreSQL store: the SQL store on a PostgreSQL driver.
 * @throws what node-postgres throws when the database cannot be reached or migrated.
 * @example const store = await openPostgresStore({ url: process.env.DATABASE_URL! });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  return new SqlStore(await openPostgresDriver(options));
}
