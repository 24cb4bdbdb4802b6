/**
 * Files (api.md §3.8, §2.4; crypto.md §11): registration with an upload session, encrypted parts
 * (≤ 5 MiB, sessions live 24 h), metadata and part lists, download, rename, delete, and the cleanup of
 * orphaned parts. The server never sees plaintext: parts are opaque bytes.
 *
 * Storage modes (the app's `file_options.file_storage`): -1 none, 0 parts stored here, 1 parts stored by
 * the customer (registered through the secret-token routes). As in sentc, registering a file does not look
 * at the mode; uploading a part needs 0, registering an external part needs 1 (else 400/520).
 *
 * Group files: the HTTP layer's group middleware (group-access.ts) resolves the caller's access before a
 * group file route runs, as for every other group route.
 */
import { DEFAULT_FILE_OPTIONS, type FileOptions } from "../config.js";
import { newId } from "../crypto.js";
import { E } from "../errors.js";
import type { BlobStore } from "../store/file-blobs.js";
import type { AppRecord, BelongsToTypeCode, FilePartRecord, FileRecord } from "../store/types.js";
import type { JwtUser, ServiceContext } from "./context.js";
import type { GroupAccess } from "./group-access.js";

/** Max bytes of one part (sentc's 5 MiB). */
export const MAX_PART_SIZE = 5 * 1024 * 1024;
/** An upload session lives 24 h. */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** Parts per page (metadata and part_fetch). */
export const PART_PAGE = 500;
/** Blobs without a record are removed once they are this old (an upload in flight has one for a moment). */
export const ORPHAN_BLOB_GRACE_MS = 60 * 60 * 1000;

export type BelongsToType = "None" | "Group" | "User";
const TYPE_CODE: Record<BelongsToType, BelongsToTypeCode> = { None: 0, Group: 1, User: 2 };
const TYPE_NAME: Record<BelongsToTypeCode, BelongsToType> = { 0: "None", 1: "Group", 2: "User" };

/** What the file and sym-key services work with: the services' context and where part bytes live. */
export interface FilesContext {
  ctx: ServiceContext;
  blobs: BlobStore;
  /** Part uploads one user may have running at once (default `MAX_CONCURRENT_UPLOADS`); more get 429/530. */
  maxConcurrentUploads?: number;
}

/** The default of `FilesContext.maxConcurrentUploads`. */
export const MAX_CONCURRENT_UPLOADS = 4;

/** Part uploads running per files context, by app and user (counted in this process). */
const uploadsInFlight = new WeakMap<FilesContext, Map<string, number>>();

/**
 * How many part uploads of this user are running now (in this process).
 * @example uploadsRunning(fx, app.id, userId); // 0
 */
export function uploadsRunning(fx: FilesContext, appId: string, userId: string): number {
  return uploadsInFlight.get(fx)?.get(`${appId}/${userId}`) ?? 0;
}

/** Takes an upload slot of the user, or throws 429/530; the returned function gives it back. */
function takeUploadSlot(fx: FilesContext, appId: string, userId: string): () => void {
  let running = uploadsInFlight.get(fx);
  if (!running) {
    running = new Map();
    uploadsInFlight.set(fx, running);
  }
  const key = `${appId}/${userId}`;
  const max = fx.maxConcurrentUploads ?? MAX_CONCURRENT_UPLOADS;
  const count = running.get(key) ?? 0;
  if (count >= max) throw E.fileUploadsBusy(max);
  running.set(key, count + 1);
  return () => {
    const left = (running.get(key) ?? 1) - 1;
    if (left > 0) running.set(key, left);
    else running.delete(key);
  };
}

// ---- wire types (api.md §3.0)

export interface FileRegisterInput {
  encryptedKey: string;
  encryptedKeyAlg: string;
  masterKeyId: string;
  belongsToId: string | null;
  belongsToType: BelongsToType;
  encryptedFileName: string | null;
}

export interface FilePartListItem {
  part_id: string;
  sequence: number;
  extern_storage: boolean;
}

export interface FileMetaData {
  file_id: string;
  master_key_id: string;
  owner: string;
  belongs_to: string | null;
  belongs_to_type: BelongsToType;
  encrypted_key: string;
  encrypted_key_alg: string;
  time: number;
  encrypted_file_name: string | null;
  part_list: FilePartListItem[];
}

/** The part bytes of an upload, read only after every check passed. */
export interface PartBody {
  /** The bytes, or null when there are more than `maxBytes`. */
  read(maxBytes: number): Promise<Uint8Array | null>;
  /**
   * Hands the bytes to `sink` chunk by chunk as they arrive (the next chunk only after `sink` resolved):
   * the number of bytes, or null when there are more than `maxBytes` (the rest is drained, not handed on).
   */
  pipe(maxBytes: number, sink: (chunk: Uint8Array) => Promise<void>): Promise<number | null>;
}

// ---- helpers

/** The app's storage mode; stored options that cannot be read count as "none". */
export function fileStorageOf(app: Pick<AppRecord, "fileOptions">): FileOptions["file_storage"] {
  try {
    const value =
      (JSON.parse(app.fileOptions) as Record<string, unknown> | null)?.file_storage ??
      DEFAULT_FILE_OPTIONS.file_storage;
    return value === 0 || value === 1 ? value : -1;
  } catch {
    return -1;
  }
}

async function liveFile(fx: FilesContext, appId: string, fileId: string): Promise<FileRecord> {
  const file = await fx.ctx.store.getFile(appId, fileId);
  if (file?.status !== 1) throw E.fileNotFound();
  return file;
}

const partItem = (p: FilePartRecord): FilePartListItem => ({
  part_id: p.id,
  sequence: p.sequence,
  extern_storage: p.extern,
});

// ---- registration

/** `POST /file`, `POST /group/:group_id/file` (groupId set, access already checked). */
export async function registerFile(
  fx: FilesContext,
  appId: string,
  user: JwtUser,
  input: FileRegisterInput,
  groupId: string | null,
): Promise<{ file_id: string; session_id: string }> {
  let belongsTo: string | null = null;
  let type: BelongsToType = "None";
  if (input.belongsToType === "Group" && groupId !== null) {
    belongsTo = groupId;
    type = "Group";
  } else if (input.belongsToType === "User" && input.belongsToId !== null) {
    if (!(await fx.ctx.store.getUser(appId, input.belongsToId))) throw E.fileNotFound("User not found");
    belongsTo = input.belongsToId;
    type = "User";
  }
  const now = fx.ctx.now();
  const fileId = newId();
  const sessionId = newId();
  await fx.ctx.store.transaction(async (tx) => {
    await tx.insertFile({
      id: fileId,
      appId,
      owner: user.userId,
      belongsTo,
      belongsToType: TYPE_CODE[type],
      encryptedKey: input.encryptedKey,
      encryptedKeyAlg: input.encryptedKeyAlg,
      masterKeyId: input.masterKeyId,
      encryptedFileName: input.encryptedFileName,
      time: now,
      status: 1,
      deleteAt: null,
    });
    await tx.insertFileSession({
      id: sessionId,
      fileId,
      appId,
      createdAt: now,
      expectedSize: 0,
      maxChunkSize: MAX_PART_SIZE,
    });
  });
  return { file_id: fileId, session_id: sessionId };
}

/** The session of a file that `ownerId` registered, still open (510, 511). */
async function openSession(fx: FilesContext, appId: string, sessionId: string, ownerId: string) {
  const session = await fx.ctx.store.getFileSession(appId, sessionId);
  if (!session) throw E.fileSessionNotFound();
  const file = await fx.ctx.store.getFile(appId, session.fileId);
  if (file?.status !== 1 || file.owner !== ownerId) throw E.fileSessionNotFound();
  if (fx.ctx.now() - session.createdAt > SESSION_TTL_MS) throw E.fileSessionExpired();
  return session;
}

/** Records a part; `end` closes the session. A retried sequence replaces the earlier part. */
async function recordPart(fx: FilesContext, part: FilePartRecord, sessionId: string, end: boolean): Promise<void> {
  const replaced = await fx.ctx.store.transaction(async (tx) => {
    // The session may have ended (or expired into the cleanup) while the bytes were written.
    if (!(await tx.getFileSession(part.appId, sessionId))) throw E.fileSessionNotFound();
    const old = await tx.insertFilePart(part);
    if (end) await tx.deleteFileSession(sessionId);
    return old;
  });
  if (replaced && !replaced.extern) await fx.blobs.delete(replaced.id);
}

/** `POST /file/part/:session_id/:seq/:end` (server storage, mode 0). */
export async function uploadPart(
  fx: FilesContext,
  app: AppRecord,
  user: JwtUser,
  sessionId: string,
  sequence: number,
  end: boolean,
  body: PartBody,
): Promise<"Success"> {
  if (fileStorageOf(app) !== 0) throw E.fileUploadNotAllowed();
  const release = takeUploadSlot(fx, app.id, user.userId);
  try {
    return await storePart(fx, app, user, sessionId, sequence, end, body);
  } finally {
    release();
  }
}

async function storePart(
  fx: FilesContext,
  app: AppRecord,
  user: JwtUser,
  sessionId: string,
  sequence: number,
  end: boolean,
  body: PartBody,
): Promise<"Success"> {
  const session = await openSession(fx, app.id, sessionId, user.userId);
  const partId = newId();
  // Streamed to a temporary file of the blob store: renamed into place (after fsync) only when whole.
  const size = await fx.blobs.putStream(partId, (sink) => body.pipe(MAX_PART_SIZE, sink));
  if (size === null) throw E.filePartTooLarge(MAX_PART_SIZE);
  try {
    await recordPart(
      fx,
      { id: partId, fileId: session.fileId, appId: app.id, size, sequence, extern: false },
      sessionId,
      end,
    );
  } catch (error) {
    await fx.blobs.delete(partId).catch(() => undefined);
    throw error;
  }
  return "Success";
}

/** `PATCH /file/part/:session_id/:seq/:end/:user_id` (customer storage, mode 1): the bytes live elsewhere. */
export async function registerExternPart(
  fx: FilesContext,
  app: AppRecord,
  ownerId: string,
  sessionId: string,
  sequence: number,
  end: boolean,
): Promise<{ part_id: string }> {
  if (fileStorageOf(app) !== 1) throw E.fileUploadNotAllowed();
  const session = await openSession(fx, app.id, sessionId, ownerId);
  const partId = newId();
  await recordPart(
    fx,
    { id: partId, fileId: session.fileId, appId: app.id, size: 0, sequence, extern: true },
    sessionId,
    end,
  );
  return { part_id: partId };
}

/** `DELETE /file/part/:part_id` (customer storage, mode 1): forgets a registered part; unknown ids are fine. */
export async function deleteExternPart(fx: FilesContext, app: AppRecord, partId: string): Promise<"Success"> {
  if (fileStorageOf(app) !== 1) throw E.fileUploadNotAllowed();
  const part = await fx.ctx.store.deleteFilePart(app.id, partId);
  if (part && !part.extern) await fx.blobs.delete(part.id);
  return "Success";
}

// ---- reading

/**
 * `GET /file/:file_id` (JWT optional; groupId null) and `GET /group/:group_id/file/:file_id`. Access: a
 * group file only through its own group's route; a user file for its owner and the user it belongs to;
 * a file of nobody for anyone with the app token. No parts yet → 400/512, as in sentc.
 */
export async function getFile(
  fx: FilesContext,
  appId: string,
  user: JwtUser | null,
  fileId: string,
  groupId: string | null,
): Promise<FileMetaData> {
  const file = await liveFile(fx, appId, fileId);
  if (file.belongsToType === 1) {
    if (groupId === null || file.belongsTo !== groupId) throw E.fileAccess();
  } else if (file.belongsToType === 2) {
    if (!user || (user.userId !== file.owner && user.userId !== file.belongsTo)) throw E.fileAccess();
  }
  const parts = await fx.ctx.store.listFileParts(file.id, Number.MIN_SAFE_INTEGER, PART_PAGE);
  if (parts.length === 0) throw E.fileNotFound();
  return {
    file_id: file.id,
    master_key_id: file.masterKeyId,
    owner: file.owner,
    belongs_to: file.belongsTo,
    belongs_to_type: TYPE_NAME[file.belongsToType],
    encrypted_key: file.encryptedKey,
    encrypted_key_alg: file.encryptedKeyAlg,
    time: file.time,
    encrypted_file_name: file.encryptedFileName,
    part_list: parts.map(partItem),
  };
}

/** `GET /file/:file_id/part_fetch/:last_sequence`: the next page; an empty page is 400/512, as in sentc. */
export async function listParts(
  fx: FilesContext,
  appId: string,
  fileId: string,
  lastSequence: number,
): Promise<FilePartListItem[]> {
  const file = await liveFile(fx, appId, fileId);
  const parts = await fx.ctx.store.listFileParts(file.id, lastSequence, PART_PAGE);
  if (parts.length === 0) throw E.fileNotFound();
  return parts.map(partItem);
}

/** `GET /file/part/:part_id`: the stored bytes (400/500 when there are none here). */
export async function downloadPart(fx: FilesContext, appId: string, partId: string): Promise<Buffer> {
  const part = await fx.ctx.store.getLiveFilePart(appId, partId);
  if (!part || part.extern) throw E.filePartOpen();
  const bytes = await fx.blobs.get(part.id);
  if (!bytes) throw E.filePartOpen();
  return bytes;
}

// ---- changing

/** `PUT /file/:file_id`: owner only. */
export async function renameFile(
  fx: FilesContext,
  appId: string,
  user: JwtUser,
  fileId: string,
  encryptedFileName: string | null,
): Promise<"Success"> {
  const file = await liveFile(fx, appId, fileId);
  if (file.owner !== user.userId) throw E.fileAccess();
  await fx.ctx.store.updateFileName(file.id, encryptedFileName);
  return "Success";
}

/**
 * `DELETE /file/:file_id` (groupId null: owner only) and `DELETE /group/:group_id/file/:file_id` (owner,
 * or a member of rank ≤ 3 of the group the file belongs to — sentc does not compare the group, §7.26).
 * The file is marked deleted at once; its parts go with the next cleanup.
 */
export async function deleteFile(
  fx: FilesContext,
  appId: string,
  user: JwtUser,
  fileId: string,
  group: { id: string; access: GroupAccess } | null,
): Promise<"Success"> {
  const file = await liveFile(fx, appId, fileId);
  if (file.owner !== user.userId) {
    const groupAdmin =
      group !== null && file.belongsToType === 1 && file.belongsTo === group.id && group.access.rank <= 3;
    if (!groupAdmin) throw E.fileAccess();
  }
  await fx.ctx.store.transaction((tx) => tx.markFileDeleted(file.id, fx.ctx.now()));
  return "Success";
}

// ---- cleanup

export interface FileCleanupResult {
  /** Upload sessions older than 24 h: their unfinished files were deleted. */
  expiredSessions: number;
  /** Parts of deleted files removed (records and bytes). */
  removedParts: number;
  /** Deleted files whose records are gone now. */
  purgedFiles: number;
  /** Stored bytes without a part record, removed. */
  orphanBlobs: number;
}

const CLEANUP_BATCH = 500;

/**
 * Removes what nobody can reach any more: unfinished uploads whose session is older than 24 h (the file
 * is deleted), the parts of deleted files, the records of deleted files, and stored bytes without a
 * record (a crash between writing and recording, or a failed delete). Safe to run at any time.
 */
export async function cleanupFiles(fx: FilesContext): Promise<FileCleanupResult> {
  const now = fx.ctx.now();
  const result: FileCleanupResult = { expiredSessions: 0, removedParts: 0, purgedFiles: 0, orphanBlobs: 0 };

  for (;;) {
    const sessions = await fx.ctx.store.listSessionsCreatedBefore(now - SESSION_TTL_MS, CLEANUP_BATCH);
    if (sessions.length === 0) break;
    await fx.ctx.store.transaction(async (tx) => {
      for (const session of sessions) {
        await tx.markFileDeleted(session.fileId, now);
        await tx.deleteFileSession(session.id);
      }
    });
    result.expiredSessions += sessions.length;
  }

  for (;;) {
    const parts = await fx.ctx.store.listPartsOfDeletedFiles(CLEANUP_BATCH);
    if (parts.length === 0) break;
    for (const part of parts) if (!part.extern) await fx.blobs.delete(part.id);
    await fx.ctx.store.transaction((tx) => tx.deleteFilePartsById(parts.map((p) => p.id)));
    result.removedParts += parts.length;
  }

  result.purgedFiles = await fx.ctx.store.transaction((tx) => tx.purgeDeletedFilesWithoutParts());

  const candidates = await fx.blobs.listModifiedBefore(now - ORPHAN_BLOB_GRACE_MS);
  for (let i = 0; i < candidates.length; i += CLEANUP_BATCH) {
    const slice = candidates.slice(i, i + CLEANUP_BATCH);
    const known = new Set(await fx.ctx.store.existingFilePartIds(slice));
    for (const id of slice) {
      if (known.has(id)) continue;
      await fx.blobs.delete(id);
      result.orphanBlobs++;
    }
  }
  return result;
}

export interface FileCleanupTimer {
  /** Stops the timer and waits for a running cleanup. */
  stop(): Promise<void>;
}

/** Runs `cleanupFiles` every `intervalMs` (default 1 h); runs never overlap; the timer does not keep the process alive. */
export function startFileCleanup(
  fx: FilesContext,
  intervalMs = 60 * 60 * 1000,
  onError: (error: unknown) => void = (error) => console.error("sentc-server: file cleanup failed", error),
): FileCleanupTimer {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = cleanupFiles(fx)
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}
