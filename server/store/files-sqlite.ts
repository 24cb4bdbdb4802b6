/**
 * The SQLite side of the sym-key and file storage (better-sqlite3), on the connection of the main store.
 * `attachSqliteFileOps` mixes the methods into the main store: the transaction object gets them directly,
 * the store gets them behind its async mutex, exactly like the main store's own methods.
 * `openSqliteFilesStore` builds a stand-alone store on a connection of its own (tests, tools).
 */
import { SqliteQueries, type Db, type Row } from "./sqlite-queries.js";
import { FILES_MIGRATION } from "./files-migrations.js";
import type {
  BelongsToTypeCode,
  FilePartRecord,
  FileRecord,
  FileSessionRecord,
  FilesStore,
  FilesStoreOps,
  SymKeyRecord,
} from "./files-types.js";
import type { Cursor } from "./types.js";


const s = (v: unknown): string => v as string;
const sn = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const n = (v: unknown): number => Number(v);

export function symKeyFromRow(r: Row): SymKeyRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    masterKeyId: s(r.master_key_id),
    creatorId: s(r.creator_id),
    encryptedKey: s(r.encrypted_key),
    masterKeyAlg: s(r.master_key_alg),
    time: n(r.time),
  };
}

export function fileFromRow(r: Row): FileRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    owner: s(r.owner),
    belongsTo: sn(r.belongs_to),
    belongsToType: n(r.belongs_to_type) as BelongsToTypeCode,
    encryptedKey: s(r.encrypted_key),
    encryptedKeyAlg: s(r.encrypted_key_alg),
    masterKeyId: s(r.master_key_id),
    encryptedFileName: sn(r.encrypted_file_name),
    time: n(r.time),
    status: n(r.status) === 1 ? 1 : 0,
    deleteAt: r.delete_at === null || r.delete_at === undefined ? null : n(r.delete_at),
  };
}

export function partFromRow(r: Row): FilePartRecord {
  return { id: s(r.id), fileId: s(r.file_id), appId: s(r.app_id), size: n(r.size), sequence: n(r.sequence), extern: n(r.extern) !== 0 };
}

export function sessionFromRow(r: Row): FileSessionRecord {
  return {
    id: s(r.id),
    fileId: s(r.file_id),
    appId: s(r.app_id),
    createdAt: n(r.created_at),
    expectedSize: n(r.expected_size),
    maxChunkSize: n(r.max_chunk_size),
  };
}

/** SQLite binds at most 999 variables in old builds; id lists are sent in slices below that. */
const IN_SLICE = 500;

/** The queries; every method runs synchronously on the connection it is given. */
export class SqliteFilesOps extends SqliteQueries implements FilesStoreOps {

  // ---- sym keys
  async insertSymKey(k: SymKeyRecord): Promise<void> {
    this.run(
      "INSERT INTO sym_keys (id, app_id, master_key_id, creator_id, encrypted_key, master_key_alg, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      k.id, k.appId, k.masterKeyId, k.creatorId, k.encryptedKey, k.masterKeyAlg, k.time,
    );
  }
  async getSymKey(appId: string, keyId: string): Promise<SymKeyRecord | null> {
    const r = this.get("SELECT * FROM sym_keys WHERE id = ? AND app_id = ?", keyId, appId);
    return r ? symKeyFromRow(r) : null;
  }
  async listSymKeysByMasterKey(appId: string, masterKeyId: string, c: Cursor): Promise<SymKeyRecord[]> {
    const rows =
      c.time === 0
        ? this.all("SELECT * FROM sym_keys WHERE app_id = ? AND master_key_id = ? ORDER BY time DESC, id LIMIT ?", appId, masterKeyId, c.limit)
        : this.all(
            "SELECT * FROM sym_keys WHERE app_id = ? AND master_key_id = ? AND time <= ? AND (time < ? OR (time = ? AND id > ?)) ORDER BY time DESC, id LIMIT ?",
            appId, masterKeyId, c.time, c.time, c.time, c.id, c.limit,
          );
    return rows.map(symKeyFromRow);
  }
  async deleteSymKey(appId: string, keyId: string, creatorId: string): Promise<boolean> {
    return this.run("DELETE FROM sym_keys WHERE id = ? AND app_id = ? AND creator_id = ?", keyId, appId, creatorId) > 0;
  }

  // ---- files
  async insertFile(f: FileRecord): Promise<void> {
    this.run(
      `INSERT INTO files (id, app_id, owner, belongs_to, belongs_to_type, encrypted_key, encrypted_key_alg, master_key_id, encrypted_file_name, time, status, delete_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      f.id, f.appId, f.owner, f.belongsTo, f.belongsToType, f.encryptedKey, f.encryptedKeyAlg, f.masterKeyId, f.encryptedFileName, f.time, f.status, f.deleteAt,
    );
  }
  async getFile(appId: string, fileId: string): Promise<FileRecord | null> {
    const r = this.get("SELECT * FROM files WHERE id = ? AND app_id = ?", fileId, appId);
    return r ? fileFromRow(r) : null;
  }
  async updateFileName(fileId: string, encryptedFileName: string | null): Promise<void> {
    this.run("UPDATE files SET encrypted_file_name = ? WHERE id = ?", encryptedFileName, fileId);
  }
  async markFileDeleted(fileId: string, deleteAt: number): Promise<void> {
    this.run("UPDATE files SET status = 0, delete_at = ? WHERE id = ? AND status = 1", deleteAt, fileId);
    this.run("DELETE FROM file_sessions WHERE file_id = ?", fileId);
  }

  // ---- sessions
  async insertFileSession(x: FileSessionRecord): Promise<void> {
    this.run(
      "INSERT INTO file_sessions (id, file_id, app_id, created_at, expected_size, max_chunk_size) VALUES (?, ?, ?, ?, ?, ?)",
      x.id, x.fileId, x.appId, x.createdAt, x.expectedSize, x.maxChunkSize,
    );
  }
  async getFileSession(appId: string, sessionId: string): Promise<FileSessionRecord | null> {
    const r = this.get("SELECT * FROM file_sessions WHERE id = ? AND app_id = ?", sessionId, appId);
    return r ? sessionFromRow(r) : null;
  }
  async deleteFileSession(sessionId: string): Promise<void> {
    this.run("DELETE FROM file_sessions WHERE id = ?", sessionId);
  }

  // ---- parts
  async insertFilePart(p: FilePartRecord): Promise<FilePartRecord | null> {
    const old = this.get("SELECT * FROM file_parts WHERE file_id = ? AND sequence = ?", p.fileId, p.sequence);
    if (old) this.run("DELETE FROM file_parts WHERE id = ?", old.id);
    this.run(
      "INSERT INTO file_parts (id, file_id, app_id, size, sequence, extern) VALUES (?, ?, ?, ?, ?, ?)",
      p.id, p.fileId, p.appId, p.size, p.sequence, p.extern ? 1 : 0,
    );
    return old ? partFromRow(old) : null;
  }
  async getLiveFilePart(appId: string, partId: string): Promise<FilePartRecord | null> {
    const r = this.get(
      "SELECT p.* FROM file_parts p JOIN files f ON f.id = p.file_id WHERE p.id = ? AND p.app_id = ? AND f.status = 1",
      partId, appId,
    );
    return r ? partFromRow(r) : null;
  }
  async listFileParts(fileId: string, afterSequence: number, limit: number): Promise<FilePartRecord[]> {
    return this.all("SELECT * FROM file_parts WHERE file_id = ? AND sequence > ? ORDER BY sequence LIMIT ?", fileId, afterSequence, limit).map(partFromRow);
  }
  async deleteFilePart(appId: string, partId: string): Promise<FilePartRecord | null> {
    const r = this.get("SELECT * FROM file_parts WHERE id = ? AND app_id = ?", partId, appId);
    if (!r) return null;
    this.run("DELETE FROM file_parts WHERE id = ?", partId);
    return partFromRow(r);
  }

  // ---- cleanup
  async listSessionsCreatedBefore(time: number, limit: number): Promise<FileSessionRecord[]> {
    return this.all("SELECT * FROM file_sessions WHERE created_at < ? ORDER BY created_at, id LIMIT ?", time, limit).map(sessionFromRow);
  }
  async listPartsOfDeletedFiles(limit: number): Promise<FilePartRecord[]> {
    return this.all("SELECT p.* FROM file_parts p JOIN files f ON f.id = p.file_id WHERE f.status = 0 ORDER BY p.file_id, p.sequence LIMIT ?", limit).map(partFromRow);
  }
  async deleteFilePartsById(partIds: string[]): Promise<void> {
    for (let i = 0; i < partIds.length; i += IN_SLICE) {
      const slice = partIds.slice(i, i + IN_SLICE);
      this.db.prepare(`DELETE FROM file_parts WHERE id IN (${slice.map(() => "?").join(", ")})`).run(...slice);
    }
  }
  async purgeDeletedFilesWithoutParts(): Promise<number> {
    return this.run("DELETE FROM files WHERE status = 0 AND NOT EXISTS (SELECT 1 FROM file_parts p WHERE p.file_id = files.id)");
  }
  async existingFilePartIds(partIds: string[]): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < partIds.length; i += IN_SLICE) {
      const slice = partIds.slice(i, i + IN_SLICE);
      const rows = this.db.prepare(`SELECT id FROM file_parts WHERE id IN (${slice.map(() => "?").join(", ")})`).all(...slice) as Row[];
      for (const r of rows) found.push(s(r.id));
    }
    return found;
  }
}

/** The names of the query methods (everything but the private helpers). */
export const SQLITE_FILES_OP_NAMES: readonly string[] = Object.getOwnPropertyNames(SqliteFilesOps.prototype).filter(
  (name) => name !== "constructor" && !["st", "get", "all", "run"].includes(name),
);

/**
 * Mixes the sym-key and file methods into the main SQLite store (sqlite.ts `openSqliteStore`): `ops` is the
 * object its transactions hand out, `store` the store itself, `lock` its mutex. Call it once, after the
 * store's own methods are set up.
 */
export function attachSqliteFileOps(db: Db, ops: object, store: object, lock: () => Promise<() => void>): void {
  const files = new SqliteFilesOps(db);
  const proto = SqliteFilesOps.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of SQLITE_FILES_OP_NAMES) {
    const method = proto[name]!;
    (ops as Record<string, unknown>)[name] = (...args: unknown[]) => method.apply(files, args);
    (store as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const release = await lock();
      try {
        return await method.apply(files, args);
      } finally {
        release();
      }
    };
  }
}

/** Creates the tables when they are missing (stand-alone use; the main store runs FILES_MIGRATION itself). */
export function ensureFilesSchema(db: Db): void {
  const exists = db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'files'").get();
  if (exists) return;
  db.transaction(() => {
    for (const statement of FILES_MIGRATION.statements) db.exec(statement);
  }).immediate();
}

/** A FIFO async mutex (as in sqlite.ts). */
function createLock(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => next);
    return ready;
  };
}

/**
 * A stand-alone sym-key/file store on its own connection, with the same mutex and transaction rules as
 * the main store. The caller owns (and closes) `db`.
 */
export function openSqliteFilesStore(db: Db): FilesStore {
  ensureFilesSchema(db);
  const lock = createLock();
  const ops = {} as FilesStoreOps;
  const store = {
    async transaction<T>(fn: (tx: FilesStoreOps) => Promise<T>): Promise<T> {
      const release = await lock();
      try {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(ops);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      } finally {
        release();
      }
    },
  } as FilesStore;
  attachSqliteFileOps(db, ops, store, lock);
  return store;
}
