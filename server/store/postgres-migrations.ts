/**
 * The PostgreSQL schema: the portable migrations of migrations.ts (the same tables, columns and indexes as
 * the SQLite store), with one dialect change: text columns compare and sort bytewise (`COLLATE "C"`), as
 * SQLite does, so that ids order and page identically on both stores whatever the database's locale.
 *
 * Migrations run in one transaction under an advisory lock, so several server processes starting at the
 * same time on a new database apply them once.
 */
import type pg from "pg";
import { MIGRATIONS, type Migration } from "./migrations.js";

/** Turns a portable statement into PostgreSQL's dialect. */
export function pgStatement(sql: string): string {
  return sql.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"');
}

export const PG_MIGRATIONS: Migration[] = MIGRATIONS.map((m) => ({ ...m, statements: m.statements.map(pgStatement) }));

/** An arbitrary constant: the first half of the advisory lock key (the second is the schema). */
const LOCK_CLASS = 0x5e7c;

export async function migratePostgres(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", [LOCK_CLASS]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    const applied = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => Number(r.version)));
    for (const migration of PG_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [migration.version, migration.name, Date.now()]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
