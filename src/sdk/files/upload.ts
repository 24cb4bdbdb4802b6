/**
 * Encrypt and upload a file (sdk.md §4.4 "Create"): register it (the name encrypted with the content key), then
 * send it in parts of 4 MiB, each under its own key chained from the content key (crypto.md §11).
 *
 * Unlike the reference: an empty file is uploaded as one empty part (the reference uploads no part, so the server
 * answers 512 for it forever); cancelling goes through an `AbortSignal`, which also aborts the request in flight;
 * and a cancelled or failed upload deletes the half-uploaded file on the server (best effort) and wipes the keys.
 */
import { SentcError, isSentcError, invalidInput, invalidServerResponse } from "../../errors.js";
import { parseEnvelope } from "../../api/envelope.js";
import { deleteFile as apiDeleteFile, registerFile as apiRegisterFile, uploadPart } from "../../api/endpoints/files.js";
import type { RequestOptions } from "../../api/http.js";
import { prepareRegisterFile as protocolPrepareRegisterFile } from "../../protocol/file.js";
import { isRecord } from "../../protocol/json.js";
import { importSignKey, type SignKey } from "../../protocol/keys.js";
import { wipeKey } from "../../protocol/keypairs.js";
import { symKeyArg, type SymKey } from "../sym-key.js";
import { encryptPartPieces, releaseBuffer, type AesEngine } from "./part-crypto.js";
import type { FileCreateOutput, FileTransport, FileUploadContext, FileUploadOptions } from "./types.js";

/** sentc's part size: 4 MiB of plaintext. */
export const DEFAULT_PART_SIZE = 4 * 1024 * 1024;
/** The server takes encrypted parts up to 5 MiB; leave room for the head, the nonce, the tag and a hybrid signature. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 - 16 * 1024;

/**
 * What a file upload takes: a `Blob` (a `File` gives its name) or the bytes.
 */
export type FileInput = Blob | Uint8Array;

function requestOptions(transport: FileTransport, signal?: AbortSignal): RequestOptions {
  const options: RequestOptions = {};
  if (signal !== undefined) options.signal = signal;
  if (transport.group_as_member !== undefined) options.groupAccessId = transport.group_as_member;
  return options;
}

function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new SentcError("aborted", `${what} was cancelled`, { cause: signal.reason });
}

function sizeOf(file: FileInput): number {
  if (file instanceof Uint8Array) return file.length;
  if (typeof Blob !== "undefined" && file instanceof Blob) return file.size;
  throw invalidInput("the file must be a Blob (File) or a Uint8Array");
}

/** One part of the file: a view of a Uint8Array, or a slice of a Blob that `encryptPartPieces` reads (maybe in the crypto worker). */
function filePart(file: FileInput, start: number, end: number): Uint8Array | Blob {
  return file instanceof Uint8Array ? file.subarray(start, end) : file.slice(start, end);
}

function partSizeOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PART_SIZE)
    throw invalidInput(`part_size must be an integer from 1 to ${MAX_PART_SIZE}`);
  return value;
}

function defaultName(file: FileInput): string | null {
  const name = (file as { name?: unknown }).name;
  return typeof name === "string" && name.length > 0 ? name : null;
}

function signKeyFor(key: SymKey, options: FileUploadOptions): SignKey | null {
  if (!options.sign) return null;
  const exported = options.sign_key ?? key.signKeyString();
  if (exported === undefined) throw invalidInput("sign = true needs a sign key (options.sign_key)");
  return importSignKey(exported);
}

/**
 * The number of parts a file of `size` bytes is sent in (at least one, also for an empty file).
 * @throws {SentcError} `invalid_input` when `partSize` is not an integer from 1 to `MAX_PART_SIZE`.
 * @example
 * import { partCount } from "sentc-as";
 *
 * const parts = partCount(file.size); // 4 MiB parts
 */
export function partCount(size: number, partSize: number = DEFAULT_PART_SIZE): number {
  return Math.max(1, Math.ceil(size / partSizeOf(partSize)));
}

// ---------- own backend: prepare / done ----------

/**
 * `FileRegisterInput` JSON for `POST /api/v1/file` or `/api/v1/group/<id>/file` (the reference's
 * `prepareRegisterFile` without the key generation): the name is encrypted with the content key.
 * Returns the body and the encrypted name.
 * @throws {SentcError} `invalid_format` when the content key is not an exported symmetric key.
 * @example
 * import { prepareRegisterFile } from "sentc-as";
 *
 * const [key, encryptedKey] = await group.generateNonRegisteredKey();
 * const { server_input } = prepareRegisterFile({ key, encrypted_key: encryptedKey, belongs_to_type: "Group", belongs_to_id: groupId }, "report.pdf");
 */
export function prepareRegisterFile(
  ctx: Pick<FileUploadContext, "key" | "encrypted_key" | "belongs_to_type" | "belongs_to_id">,
  file_name?: string | null,
): { server_input: string; encrypted_file_name: string | undefined } {
  const key = ctx.key.protocolKey();
  try {
    const type = ctx.belongs_to_type;
    const serverInput = protocolPrepareRegisterFile(
      ctx.key.master_key_id,
      key,
      ctx.encrypted_key,
      ctx.belongs_to_id ?? null,
      type,
      file_name ?? null,
    );
    const name = (JSON.parse(serverInput) as { encrypted_file_name: string | null }).encrypted_file_name;
    return { server_input: serverInput, encrypted_file_name: name ?? undefined };
  } finally {
    key.key.fill(0);
  }
}

/**
 * Reads the envelope of the file register call an own backend forwards → `[file_id, session_id]`.
 * @throws {SentcError} `server` (e.g. `server_520` when uploads are not allowed) when the envelope carries the server's
 * error; `invalid_server_response` when it is not sentc's envelope or lacks `file_id` / `session_id`.
 * @example
 * import { doneFileRegister } from "sentc-as";
 *
 * const [fileId, sessionId] = doneFileRegister(await response.text());
 */
export function doneFileRegister(server_output: string | Record<string, unknown>): [string, string] {
  const result = parseEnvelope(typeof server_output === "string" ? server_output : JSON.stringify(server_output), 200);
  const what = "POST /file result";
  if (!isRecord(result) || typeof result.file_id !== "string" || typeof result.session_id !== "string") {
    throw invalidServerResponse(`${what}: expected {file_id, session_id}`);
  }
  return [result.file_id, result.session_id];
}

// ---------- parts ----------

/**
 * Encrypts and uploads `file` into the open session `session_id` (the reference's `uploadFile` / `checkFileUpload`).
 * Sequences start at 1; the last part is sent with `end = true`, which closes the session.
 * @throws {SentcError} `invalid_input` for a file that is neither Blob nor bytes, a `key` that is not a `SymKey`, a bad
 * `part_size` or `sign` without a sign key; `aborted` when `options.signal` fires; `server` (e.g. `server_510` for an
 * unknown session, `server_511` for an expired one) when the server refuses a part; `network_error` / `timeout`.
 * @example
 * import { uploadFileParts } from "sentc-as";
 *
 * await uploadFileParts(user.fileTransport(), sessionId, key, file, { upload_callback: (p) => console.log(p) });
 */
export async function uploadFileParts(
  transport: FileTransport,
  session_id: string,
  key: SymKey,
  file: FileInput,
  options: FileUploadOptions = {},
): Promise<void> {
  const size = sizeOf(file);
  const partSize = partSizeOf(options.part_size);
  const engine: AesEngine = options.engine ?? "auto";
  const signKey = signKeyFor(symKeyArg(key), options);
  const count = partCount(size, partSize);
  const { signal } = options;
  const request = requestOptions(transport, signal);
  const contentKey = key.protocolKey().key;
  let previous = contentKey;
  // One part is uploaded while the next is read and encrypted: at most two parts are held at a time.
  let inFlight: Promise<unknown> | undefined;
  const settle = async (): Promise<boolean> => {
    if (inFlight === undefined) return false;
    const outcome = await inFlight;
    inFlight = undefined;
    if (outcome instanceof UploadFailure) throw outcome.error;
    return options.stop?.() === true;
  };
  try {
    for (let i = 0; i < count; i++) {
      checkAborted(signal, "the upload");
      const start = i * partSize;
      const plaintext = filePart(file, start, Math.min(size, start + partSize));
      checkAborted(signal, "the upload");
      const { pieces, nextKey } = await encryptPartPieces(previous, plaintext, signKey, engine);
      if (previous !== contentKey) previous.fill(0);
      previous = nextKey;
      if (await settle()) return;
      checkAborted(signal, "the upload");
      const sequence = i + 1;
      const body = partBody(pieces);
      // The Blob holds its own copy: the encrypted body (pieces after the head and its 0x00) can go now.
      if (body instanceof Blob)
        for (const piece of pieces.slice(2)) if (piece instanceof Uint8Array) releaseBuffer(piece);
      inFlight = uploadPart(
        transport.http,
        transport.jwt,
        session_id,
        sequence,
        sequence === count,
        body,
        transport.file_part_url,
        request,
      ).then(
        () => options.upload_callback?.(sequence / count),
        (error: unknown) => new UploadFailure(error),
      );
    }
    await settle();
  } finally {
    // A failure while a part is on its way: let that request end (its signal aborts it) before the caller cleans up.
    if (inFlight !== undefined) await inFlight;
    previous.fill(0);
    contentKey.fill(0);
    if (signKey) wipeKey(signKey);
  }
}

/** A rejected part upload, kept as a value so that it is not an unhandled rejection while the next part is encrypted. */
class UploadFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The encrypted part as the request body: a `Blob` of its pieces where there is one (no concatenation, no inline
 * copy); `encryptPartPieces` already answers `[blob]` there. Without `Blob` every piece is a `Uint8Array`.
 */
function partBody(pieces: (Uint8Array | Blob)[]): Blob | Uint8Array {
  if (typeof Blob === "function")
    return pieces.length === 1 && pieces[0] instanceof Blob ? pieces[0] : new Blob(pieces as BlobPart[]);
  const bytes = pieces as Uint8Array[];
  const out = new Uint8Array(bytes.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of bytes) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

// ---------- all in one ----------

/**
 * Registers `file`, uploads it encrypted and resolves to `{file_id, master_key_id, encrypted_file_name}` (the
 * reference's `createFile` after the key generation). When the upload is cancelled or fails after the file was
 * registered, the file is deleted on the server (best effort) and the error is rethrown (`aborted` for a cancel).
 * @throws {SentcError} `invalid_input` for a file that is neither Blob nor bytes, a bad `part_size` or `sign` without a
 * sign key; `aborted` when `options.signal` fires; `server` (e.g. `server_520` when uploads are not allowed) when the
 * server refuses; `network_error` / `timeout`.
 * @example
 * import { uploadFile } from "sentc-as";
 *
 * const [key, encrypted_key] = await user.generateNonRegisteredKey(user.user_data.user_id);
 * const { file_id } = await uploadFile({ ...user.fileTransport(), key, encrypted_key, belongs_to_type: "None" }, file);
 */
export async function uploadFile(
  ctx: FileUploadContext,
  file: FileInput,
  options: FileUploadOptions = {},
): Promise<FileCreateOutput> {
  sizeOf(file);
  partSizeOf(options.part_size);
  checkAborted(options.signal, "the upload");
  const fileName = options.file_name === undefined ? defaultName(file) : options.file_name;
  const belongsToId =
    ctx.belongs_to_type === "Group" ? (ctx.belongs_to_id ?? ctx.group_id ?? null) : (ctx.belongs_to_id ?? null);
  const { server_input, encrypted_file_name } = prepareRegisterFile({ ...ctx, belongs_to_id: belongsToId }, fileName);
  const { file_id, session_id } = await apiRegisterFile(
    ctx.http,
    ctx.jwt,
    server_input,
    ctx.group_id,
    requestOptions(ctx, options.signal),
  );
  try {
    await uploadFileParts(ctx, session_id, ctx.key, file, options);
  } catch (error) {
    // No signal here: the caller's may be the one that fired.
    await apiDeleteFile(ctx.http, ctx.jwt, file_id, ctx.group_id, requestOptions(ctx)).catch(() => undefined);
    if (options.signal?.aborted && !(isSentcError(error) && error.code === "aborted")) {
      throw new SentcError("aborted", "the upload was cancelled", { cause: error });
    }
    throw error;
  }
  return { file_id, master_key_id: ctx.key.master_key_id, encrypted_file_name };
}
