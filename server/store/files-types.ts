/**
 * The storage interface for symmetric keys (api.md §3.7) and files (§3.8). Async and free of SQLite
 * semantics, like `StoreOps` in types.ts; once wired, `StoreOps` extends both interfaces so that
 * `ctx.store` (and every `tx`) serves them. The bytes of file parts are not here: they live in a
 * `BlobStore` (services/files.ts), the store only records them.
 *
 * Times are milliseconds since the epoch.
 */
import type { Cursor } from "./types.js";

export interface SymKeyRecord {
  id: string;
  appId: string;
  masterKeyId: string;
  /** The user that registered the key (only they can delete it). */
  creatorId: string;
  encryptedKey: string;
  masterKeyAlg: string;
  time: number;
}

export interface SymKeyStoreOps {
  insertSymKey(key: SymKeyRecord): Promise<void>;
  getSymKey(appId: string, keyId: string): Promise<SymKeyRecord | null>;
  /** Descending by time ("older than" cursor, api.md §1.7). */
  listSymKeysByMasterKey(appId: string, masterKeyId: string, cursor: Cursor): Promise<SymKeyRecord[]>;
  /** Deletes the key when `creatorId` registered it; false when nothing matched. */
  deleteSymKey(appId: string, keyId: string, creatorId: string): Promise<boolean>;
}

/** sentc's `belongs_to_type` as stored: 0 None, 1 Group, 2 User. */
export type BelongsToTypeCode = 0 | 1 | 2;

export interface FileRecord {
  id: string;
  appId: string;
  /** The user that registered the file. */
  owner: string;
  belongsTo: string | null;
  belongsToType: BelongsToTypeCode;
  encryptedKey: string;
  encryptedKeyAlg: string;
  masterKeyId: string;
  encryptedFileName: string | null;
  time: number;
  /** 1 available, 0 deleted (parts are removed by the cleanup). */
  status: 0 | 1;
  deleteAt: number | null;
}

export interface FilePartRecord {
  id: string;
  fileId: string;
  appId: string;
  size: number;
  sequence: number;
  /** Stored in the customer's storage (file_storage 1), not here. */
  extern: boolean;
}

export interface FileSessionRecord {
  id: string;
  fileId: string;
  appId: string;
  createdAt: number;
  /** Unused by sentc's clients; kept for the wire-compatible schema. */
  expectedSize: number;
  maxChunkSize: number;
}

export interface FileStoreOps {
  insertFile(file: FileRecord): Promise<void>;
  /** A file of the app, deleted ones included (status tells). */
  getFile(appId: string, fileId: string): Promise<FileRecord | null>;
  updateFileName(fileId: string, encryptedFileName: string | null): Promise<void>;
  /** Sets status 0 and `delete_at` and drops the file's upload sessions. */
  markFileDeleted(fileId: string, deleteAt: number): Promise<void>;

  insertFileSession(session: FileSessionRecord): Promise<void>;
  getFileSession(appId: string, sessionId: string): Promise<FileSessionRecord | null>;
  deleteFileSession(sessionId: string): Promise<void>;

  /**
   * Inserts a part. A part with the same file and sequence (a retried upload) is replaced; its record is
   * returned so that its bytes can be removed.
   */
  insertFilePart(part: FilePartRecord): Promise<FilePartRecord | null>;
  /** A part of an available (status 1) file of the app. */
  getLiveFilePart(appId: string, partId: string): Promise<FilePartRecord | null>;
  /** Parts with `sequence > afterSequence`, ascending by sequence. */
  listFileParts(fileId: string, afterSequence: number, limit: number): Promise<FilePartRecord[]>;
  /** Deletes one part of the app; returns it, or null when there was none. */
  deleteFilePart(appId: string, partId: string): Promise<FilePartRecord | null>;

  // ---- cleanup (all apps)
  /** Upload sessions created before `time`. */
  listSessionsCreatedBefore(time: number, limit: number): Promise<FileSessionRecord[]>;
  /** Parts of deleted (status 0) files. */
  listPartsOfDeletedFiles(limit: number): Promise<FilePartRecord[]>;
  deleteFilePartsById(partIds: string[]): Promise<void>;
  /** Removes deleted files that have no parts left; returns how many. */
  purgeDeletedFilesWithoutParts(): Promise<number>;
  /** Which of the ids are recorded parts (any app, any status). */
  existingFilePartIds(partIds: string[]): Promise<string[]>;
}

export type FilesStoreOps = FileStoreOps & SymKeyStoreOps;

/**
 * What the sym-key and file services need: the operations plus atomic transactions. The main `Store`
 * satisfies it once `StoreOps` extends `FilesStoreOps`.
 */
export interface FilesStore extends FilesStoreOps {
  transaction<T>(fn: (tx: FilesStoreOps) => Promise<T>): Promise<T>;
}
