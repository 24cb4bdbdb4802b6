/**
 * Download and decrypt a file (sdk.md §4.4 "Download"): the meta data (all part pages), the content key, the file
 * name, then the parts in sequence order, each opened with the key the previous one carried.
 *
 * Unlike the reference: the result is the bytes (wrap them with `FileHelper.toObjectUrl` for a blob URL), not a
 * blob URL built through IndexedDB; downloads are not serialized by a global lock; cancelling goes through an
 * `AbortSignal` (`SentcError("aborted")`) and wipes what was decrypted so far; `on_part` streams parts and
 * `resume` continues an interrupted download from its checkpoint.
 */
import { concatBytes } from "../../core/bytes.js";
import { SentcError, invalidInput, invalidServerResponse } from "../../errors.js";
import {
  FILE_PART_PAGE,
  deleteFile as apiDeleteFile,
  downloadPart,
  getFile,
  getFileParts,
  updateFileName as apiUpdateFileName,
  type FilePartListItem,
} from "../../api/endpoints/files.js";
import type { RequestOptions } from "../../api/http.js";
import { prepareFileNameUpdate } from "../../protocol/file.js";
import { exportSymKey, importSymKey, importVerifyKey, type VerifyKey } from "../../protocol/keys.js";
import { ALG } from "../../protocol/algorithms.js";
import { symKeyArg, type SymKey } from "../sym-key.js";
import { decryptPart, releaseBuffer, type AesEngine } from "./part-crypto.js";
import type {
  DownloadCheckpoint,
  FileDownloadContext,
  FileDownloadOptions,
  FileDownloadOutput,
  FileMetaInformation,
  FileTransport,
} from "./types.js";

function requestOptions(transport: FileTransport, signal?: AbortSignal): RequestOptions {
  const options: RequestOptions = {};
  if (signal !== undefined) options.signal = signal;
  if (transport.group_as_member !== undefined) options.groupAccessId = transport.group_as_member;
  return options;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SentcError("aborted", "the download was cancelled", { cause: signal.reason });
}

/**
 * The file's meta data with every part (paging `part_fetch` when the first answer holds 500) in sequence order,
 * without the key (the reference's `downloadFileMetaInformation`).
 * @throws {SentcError} `server` (e.g. `server_512` for an unknown file, `server_521` for no access) when the server
 * refuses; `invalid_server_response` for a malformed answer (e.g. an empty part id); `aborted` when `signal` fires;
 * `network_error` / `timeout`.
 * @example
 * import { getFileMetaData } from "sentc-as";
 *
 * const meta = await getFileMetaData(group.user.fileTransport(groupId), fileId);
 */
export async function getFileMetaData(
  transport: FileTransport,
  file_id: string,
  signal?: AbortSignal,
): Promise<FileMetaInformation> {
  const options = requestOptions(transport, signal);
  const meta = await getFile(transport.http, transport.jwt, file_id, transport.group_id, options);
  if (meta.file_id !== file_id) throw invalidServerResponse("the server answered another file than asked for");
  const parts: FilePartListItem[] = [...meta.part_list];
  let page = meta.part_list;
  while (page.length >= FILE_PART_PAGE) {
    checkAborted(signal);
    const last = page.reduce((max, part) => Math.max(max, part.sequence), Number.MIN_SAFE_INTEGER);
    page = await getFileParts(transport.http, file_id, last, requestOptions(transport, signal));
    if (page.some((part) => part.sequence <= last)) throw invalidServerResponse("the part list did not advance");
    parts.push(...page);
  }
  if (parts.some((part) => !part.part_id)) throw invalidServerResponse("the part list has an empty part_id");
  parts.sort((a, b) => a.sequence - b.sequence);
  return {
    file_id: meta.file_id,
    master_key_id: meta.master_key_id,
    owner: meta.owner,
    belongs_to: meta.belongs_to,
    belongs_to_type: meta.belongs_to_type,
    encrypted_key: meta.encrypted_key,
    encrypted_key_alg: meta.encrypted_key_alg,
    time: meta.time,
    part_list: parts,
    file_name: undefined,
    encrypted_file_name: meta.encrypted_file_name,
  };
}

/**
 * Meta data, content key and clear file name (the reference's `downloadFileMetaInfo`). The name is encrypted
 * unsigned by every SDK, so it is decrypted without verification.
 * @throws {SentcError} `server` (e.g. `server_512`, `server_521`) when the server refuses; `unsupported_algorithm` for
 * a file key that is not AES-GCM; `decryption_failed` when the key or name cannot be decrypted; `aborted`;
 * `network_error` / `timeout`.
 * @example
 * import { downloadFileMetaInfo } from "sentc-as";
 *
 * const ctx = { ...user.fileTransport(), getKey: (id: string, k: string) => user.getNonRegisteredKey(id, k) };
 * const [meta, key] = await downloadFileMetaInfo(ctx, fileId);
 */
export async function downloadFileMetaInfo(
  ctx: FileDownloadContext,
  file_id: string,
  signal?: AbortSignal,
): Promise<[FileMetaInformation, SymKey]> {
  const meta = await getFileMetaData(ctx, file_id, signal);
  if (meta.encrypted_key_alg !== ALG.aesGcm)
    throw new SentcError("unsupported_algorithm", `file key alg "${meta.encrypted_key_alg}"`);
  const key = await ctx.getKey(meta.master_key_id, meta.encrypted_key);
  if (meta.encrypted_file_name !== undefined && meta.encrypted_file_name !== "")
    meta.file_name = key.decryptString(meta.encrypted_file_name);
  return [meta, key];
}

function checkpoint(nextIndex: number, key: Uint8Array): DownloadCheckpoint {
  return { next_index: nextIndex, key: exportSymKey({ alg: ALG.aesGcm, key, keyId: "" }) };
}

/** One decrypted part and the checkpoint after it. */
interface DecryptedPart {
  plaintext: Uint8Array;
  checkpoint: () => DownloadCheckpoint;
  index: number;
}

/**
 * The decrypted parts of `parts` from `start`, in order. The next part is fetched while the current one is
 * decrypted and handed out (one request ahead, so at most two encrypted parts are held); leaving the loop early
 * aborts that request and wipes the key.
 */
async function* decryptedParts(
  transport: FileTransport,
  parts: FilePartListItem[],
  start: number,
  firstKey: Uint8Array,
  verifyKey: VerifyKey | null,
  engine: AesEngine,
  signal: AbortSignal | undefined,
): AsyncGenerator<DecryptedPart, void, undefined> {
  const ahead = new AbortController();
  const onAbort = () => ahead.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const fetchPart = (i: number): Promise<Uint8Array | PartFailure> => {
    const part = parts[i]!;
    return downloadPart(
      transport.http,
      part.part_id,
      part.extern_storage ? transport.file_part_url : undefined,
      requestOptions(transport, ahead.signal),
    ).catch((error: unknown) => new PartFailure(error));
  };
  let previous = firstKey;
  let next = start < parts.length ? fetchPart(start) : undefined;
  try {
    for (let i = start; i < parts.length; i++) {
      checkAborted(signal);
      const encrypted = await next!;
      next = i + 1 < parts.length ? fetchPart(i + 1) : undefined;
      checkAborted(signal);
      if (encrypted instanceof PartFailure) throw encrypted.error;
      const { plaintext, nextKey } = await decryptPart(previous, encrypted, verifyKey, engine);
      if (plaintext.buffer !== encrypted.buffer) releaseBuffer(encrypted);
      previous.fill(0);
      previous = nextKey;
      yield { plaintext, checkpoint: () => checkpoint(i + 1, nextKey), index: i };
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    ahead.abort();
    if (next !== undefined) await next;
    previous.fill(0);
  }
}

/** A failed part request, kept as a value so that it is not an unhandled rejection while the current part is decrypted. */
class PartFailure {
  constructor(readonly error: unknown) {}
}

function firstKeyOf(
  key: SymKey,
  parts: FilePartListItem[],
  options: FileDownloadOptions,
): { start: number; key: Uint8Array } {
  symKeyArg(key);
  if (!Array.isArray(parts) || !parts.every((part) => typeof part?.part_id === "string" && part.part_id !== ""))
    throw invalidInput("part_list is not a file part list");
  if (parts.length === 0) throw invalidServerResponse("the file has no parts");
  if (!options.resume) return { start: 0, key: key.protocolKey().key };
  const { next_index } = options.resume;
  if (!Number.isSafeInteger(next_index) || next_index < 0 || next_index > parts.length)
    throw invalidInput("resume.next_index is out of range");
  return { start: next_index, key: importSymKey(options.resume.key).key };
}

/**
 * Downloads and decrypts the parts of `meta` with the content `key` (the reference's `downloadFileWithMetaInfo`),
 * in order; resolves to the file's bytes (empty when `on_part` streams them). Progress is `(i + 1) / parts`.
 * @throws {SentcError} `invalid_server_response` when the file has no parts; `invalid_input` for a `key` that is not a
 * `SymKey`, a `part_list` that is not a part list or a bad `resume.next_index`; `decryption_failed` for a wrong key or
 * tampered part; `verification_failed` / `wrong_verify_key` / `missing_signature` with `options.verify_key`;
 * `aborted`; `server`; `network_error` / `timeout`.
 * @example
 * import { downloadFileWithMetaInfo } from "sentc-as";
 *
 * const bytes = await downloadFileWithMetaInfo(user.fileTransport(), key, meta);
 */
export async function downloadFileWithMetaInfo(
  transport: FileTransport,
  key: SymKey,
  meta: Pick<FileMetaInformation, "part_list">,
  options: FileDownloadOptions = {},
): Promise<Uint8Array> {
  const { signal } = options;
  const engine: AesEngine = options.engine ?? "auto";
  const verifyKey: VerifyKey | null = options.verify_key ? importVerifyKey(options.verify_key) : null;
  const parts = meta?.part_list;
  const first = firstKeyOf(key, parts, options);
  const collected: Uint8Array[] = [];
  try {
    for await (const { plaintext, checkpoint: after, index } of decryptedParts(
      transport,
      parts,
      first.start,
      first.key,
      verifyKey,
      engine,
      signal,
    )) {
      if (options.on_part) await options.on_part(plaintext, after());
      else collected.push(plaintext);
      options.download_callback?.((index + 1) / parts.length);
      if (options.stop?.()) break;
    }
    return options.on_part ? new Uint8Array(0) : concatBytes(collected);
  } finally {
    // A cancelled or failed download leaves no decrypted bytes behind; a finished one hands out a copy. The parts
    // are the SDK's own buffers: their memory goes back at once instead of waiting for the garbage collector.
    for (const chunk of collected) {
      chunk.fill(0);
      releaseBuffer(chunk);
    }
  }
}

/**
 * Meta data, key, name and content in one call (the reference's `downloadFile`, returning bytes instead of a blob URL).
 * @throws {SentcError} what `downloadFileMetaInfo` and `downloadFileWithMetaInfo` throw: `server` (e.g. `server_512`),
 * `decryption_failed`, `verification_failed`, `aborted`, `network_error`.
 * @example
 * import { downloadFile } from "sentc-as";
 *
 * const ctx = { ...user.fileTransport(), getKey: (id: string, k: string) => user.getNonRegisteredKey(id, k) };
 * const { data, file_name } = await downloadFile(ctx, fileId);
 */
export async function downloadFile(
  ctx: FileDownloadContext,
  file_id: string,
  options: FileDownloadOptions = {},
): Promise<FileDownloadOutput> {
  const [meta, key] = await downloadFileMetaInfo(ctx, file_id, options.signal);
  const data = await downloadFileWithMetaInfo(ctx, key, meta, options);
  return { data, file_name: meta.file_name, meta, key };
}

/** True when this runtime's `ReadableStream` takes a byte source (`type: "bytes"`, BYOB readers). */
function hasByteStreams(): boolean {
  try {
    new ReadableStream({ type: "bytes" }).cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * The decrypted content of the parts of `meta` as a `ReadableStream` of one chunk per part: a part is fetched and
 * decrypted when the reader asks for it (plus one request ahead), so the stream itself holds a few parts whatever
 * the file size. Where the runtime has byte streams it is one (`type: "bytes"`): a default reader receives each
 * part's plaintext without a copy (it then owns the chunk, and the garbage collector frees it once dropped); a
 * BYOB reader (`getReader({ mode: "byob" })`) has the plaintext copied into its own buffer, and the stream frees
 * every part at once, so reading a large file that way leaves no garbage behind. Cancelling the stream (or
 * `options.signal`) aborts the request in flight; a failure errors the stream with the `SentcError`. `on_part`
 * and `stop` are not used here.
 * @throws {SentcError} `invalid_server_response` for a file without parts, `invalid_input` for a bad `key`,
 *   `part_list` or `resume`,
 *   `unsupported_environment` without `ReadableStream`; while reading: `server`, `network_error`,
 *   `decryption_failed`, `verification_failed`, `aborted`
 * @example
 * const stream = downloadStreamWithMetaInfo(transport, key, meta);
 * const reader = stream.getReader({ mode: "byob" });
 * let buffer = new ArrayBuffer(1 << 20);
 * for (let r = await reader.read(new Uint8Array(buffer)); !r.done; r = await reader.read(new Uint8Array(buffer))) {
 *   sink.write(r.value);
 *   buffer = r.value.buffer;
 * }
 */
export function downloadStreamWithMetaInfo(
  transport: FileTransport,
  key: SymKey,
  meta: Pick<FileMetaInformation, "part_list">,
  options: FileDownloadOptions = {},
): ReadableStream<Uint8Array> {
  if (typeof ReadableStream !== "function")
    throw new SentcError("unsupported_environment", "ReadableStream is not available");
  const engine: AesEngine = options.engine ?? "auto";
  const verifyKey: VerifyKey | null = options.verify_key ? importVerifyKey(options.verify_key) : null;
  const parts = meta?.part_list;
  const first = firstKeyOf(key, parts, options);
  const source = decryptedParts(transport, parts, first.start, first.key, verifyKey, engine, options.signal);
  /** The next plaintext with bytes in it, or undefined at the end (an empty part is no chunk). */
  const nextPlaintext = async (): Promise<Uint8Array | undefined> => {
    for (;;) {
      const step = await source.next();
      if (step.done) return undefined;
      options.download_callback?.((step.value.index + 1) / parts.length);
      if (step.value.plaintext.length > 0) return step.value.plaintext;
    }
  };
  if (!hasByteStreams()) {
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const plaintext = await nextPlaintext();
          if (plaintext === undefined) controller.close();
          else controller.enqueue(plaintext);
        },
        async cancel() {
          await source.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }
  // The part being copied into BYOB views, and how far.
  let current: Uint8Array | undefined;
  let offset = 0;
  const drop = () => {
    if (current !== undefined) releaseBuffer(current);
    current = undefined;
    offset = 0;
  };
  return new ReadableStream({
    type: "bytes",
    async pull(controller: ReadableByteStreamController) {
      if (current === undefined) {
        current = await nextPlaintext();
        if (current === undefined) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
      }
      const request = controller.byobRequest;
      const view = request?.view;
      if (request && view) {
        const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        const n = Math.min(target.length, current.length - offset);
        target.set(current.subarray(offset, offset + n));
        offset += n;
        if (offset === current.length) drop();
        request.respond(n);
        return;
      }
      // A default reader: the chunk (its buffer moves to the reader) is no longer the stream's to free.
      const chunk = offset === 0 ? current : current.subarray(offset);
      current = undefined;
      offset = 0;
      controller.enqueue(chunk as Uint8Array<ArrayBuffer>);
    },
    async cancel() {
      drop();
      await source.return(undefined);
    },
  }) as ReadableStream<Uint8Array>;
}

/**
 * Meta data, key and a `ReadableStream` of the decrypted content (see `downloadStreamWithMetaInfo`) in one call.
 * Resolves once the meta data and the key are there; the parts are fetched while the stream is read.
 * @throws {SentcError} as `downloadFileMetaInfo` (`server`, `network_error`, `invalid_server_response`) and
 *   `downloadStreamWithMetaInfo` (`unsupported_environment`)
 * @example
 * const [stream, meta] = await downloadFileStream(ctx, fileId);
 * await saveFileStream(stream, { file_name: meta.file_name });
 */
export async function downloadFileStream(
  ctx: FileDownloadContext,
  file_id: string,
  options: FileDownloadOptions = {},
): Promise<[ReadableStream<Uint8Array>, FileMetaInformation, SymKey]> {
  const [meta, key] = await downloadFileMetaInfo(ctx, file_id, options.signal);
  return [downloadStreamWithMetaInfo(ctx, key, meta, options), meta, key];
}

/**
 * `PUT /file/<id>`: a new name (encrypted with the file's key), or none when `file_name` is empty (owner only).
 * @throws {SentcError} `invalid_input` for a `key` that is not a `SymKey`; `server` (e.g. `server_521` for no access)
 * when the server refuses; `network_error` / `timeout`.
 * @example
 * import { updateFileName } from "sentc-as";
 *
 * await updateFileName(user.fileTransport(), fileId, key, "report.pdf");
 */
export async function updateFileName(
  transport: FileTransport,
  file_id: string,
  key: SymKey,
  file_name?: string | null,
): Promise<void> {
  const content = symKeyArg(key).protocolKey();
  let body: string;
  try {
    body = prepareFileNameUpdate(content, file_name ?? null);
  } finally {
    content.key.fill(0);
  }
  await apiUpdateFileName(transport.http, transport.jwt, file_id, body, requestOptions(transport));
}

/**
 * `DELETE /file/<id>` (or the group route with `group_id`).
 * @throws {SentcError} `server` (e.g. `server_512`, `server_521`) when the server refuses; `network_error` / `timeout`.
 * @example
 * import { deleteFile } from "sentc-as";
 *
 * await deleteFile(user.fileTransport(), fileId);
 */
export async function deleteFile(transport: FileTransport, file_id: string): Promise<void> {
  await apiDeleteFile(transport.http, transport.jwt, file_id, transport.group_id, requestOptions(transport));
}
