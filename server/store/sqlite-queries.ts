import type Database from "better-sqlite3";

export type Row = Record<string, unknown>;
export type Db = Database.Database;

/** Prepared statements, cached per SQL text, on one better-sqlite3 connection: what every SQLite query class uses. */
export abstract class SqliteQueries {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(protected readonly db: Db) {}

  protected st(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
  protected get(sql: string, ...args: unknown[]): Row | undefined {
    return this.st(sql).get(...args) as Row | undefined;
  }
  protected all(sql: string, ...args: unknown[]): Row[] {
    return this.st(sql).all(...args) as Row[];
  }
  protected run(sql: string, ...args: unknown[]): number {
    return this.st(sql).run(...args).changes;
  }
}
