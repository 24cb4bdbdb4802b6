/**
 * The file endpoints (api.md §3.8, sdk.md Appendix A). Register, meta data, rename and delete are JSON calls in
 * sentc's envelope; part upload sends the encrypted part as the raw body (the server accepts an expired JWT
 * there), and part download answers raw bytes, or an error envelope when the status is ≥ 400 (sdk.md §7.1).
 *
 * Part URLs: by default `<base>/api/v1/file/part`; an app with its own storage passes its `file_part_url`
 * (sdk.md §4.4 "Own storage"), which receives the same `/<session_id>/<seq>/<end>` and `/<part_id>` suffixes.
 */
import { SentcError, invalidInput, invalidServerResponse } from "../../errors.js";
import type { HttpClient, JwtInput, RequestOptions } from "../http.js";
import { pathSegment } from "../http.js";
import { expectArray, expectBoolean, expectObject, expectString, optionalString, type JsonObject } from "./result.js";

export type FileBelongsToType = "Group" | "User" | "None";

/** `FileRegisterOutput`. */
export interface FileRegisterResult {
  file_id: string;
  session_id: string;
}

/** `FilePartListItem`. */
export interface FilePartListItem {
  part_id: string;
  sequence: number;
  extern_storage: boolean;
}

/** `FileMetaData` as the server answers it (the first 500 parts in `part_list`). */
export interface FileMetaData {
  file_id: string;
  master_key_id: string;
  owner: string;
  belongs_to: string | undefined;
  belongs_to_type: FileBelongsToType;
  encrypted_key: string;
  encrypted_key_alg: string;
  time: number;
  encrypted_file_name: string | undefined;
  part_list: FilePartListItem[];
}

/** The server answers at most this many parts per page (meta data and `part_fetch`). */
export const FILE_PART_PAGE = 500;

function fileRoute(groupId: string | undefined): string {
  return groupId === undefined ? "/file" : `/group/${pathSegment(groupId, "the group id")}/file`;
}

/** The part URL base: the app's `file_part_url` or the API's `/api/v1/file/part` (no trailing slash). */
export function filePartBase(http: HttpClient, filePartUrl?: string): string {
  if (filePartUrl === undefined || filePartUrl === "") return http.apiUrl("/file/part");
  if (!/^https?:\/\/[^/]/i.test(filePartUrl)) throw invalidInput("file_part_url must be an http(s) URL");
  return filePartUrl.replace(/\/+$/, "");
}

function partItem(value: unknown, what: string): FilePartListItem {
  const item = expectObject(value, what);
  const sequence = item.sequence;
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence))
    throw invalidServerResponse(`${what}: "sequence" must be an integer`);
  return {
    part_id: expectString(item, "part_id", what),
    sequence,
    extern_storage: expectBoolean(item, "extern_storage", what),
  };
}

function belongsToType(object: JsonObject, what: string): FileBelongsToType {
  const type = object.belongs_to_type;
  if (type !== "Group" && type !== "User" && type !== "None")
    throw invalidServerResponse(`${what}: "belongs_to_type" must be Group, User or None`);
  return type;
}

function fileMetaData(value: unknown, what: string): FileMetaData {
  const meta = expectObject(value, what);
  const time = meta.time;
  if (typeof time !== "number") throw invalidServerResponse(`${what}: "time" must be a number`);
  return {
    file_id: expectString(meta, "file_id", what),
    master_key_id: expectString(meta, "master_key_id", what),
    owner: expectString(meta, "owner", what),
    belongs_to: optionalString(meta, "belongs_to", what),
    belongs_to_type: belongsToType(meta, what),
    encrypted_key: expectString(meta, "encrypted_key", what),
    encrypted_key_alg: expectString(meta, "encrypted_key_alg", what),
    time,
    encrypted_file_name: optionalString(meta, "encrypted_file_name", what),
    part_list: expectArray(meta.part_list, `${what} part_list`).map((item, i) =>
      partItem(item, `${what} part_list[${i}]`),
    ),
  };
}

/**
 * `POST /file` (`groupId` undefined) or `POST /group/<groupId>/file` with `FileRegisterInput` (JSON text from
 * src/protocol `prepareRegisterFile`) → the file id and the upload session.
 */
export async function registerFile(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  groupId?: string,
  options?: RequestOptions,
): Promise<FileRegisterResult> {
  const path = fileRoute(groupId);
  const what = `POST ${path} result`;
  const result = expectObject(await http.requestJson("POST", path, body, jwt, options), what);
  return { file_id: expectString(result, "file_id", what), session_id: expectString(result, "session_id", what) };
}

/**
 * `POST <part base>/<session_id>/<sequence>/<end>` with the encrypted part (bytes or a `Blob`) as raw body. The JWT may be expired
 * (the server's `jwt_expire_transform`), so a plain string JWT is fine for long uploads.
 */
export async function uploadPart(
  http: HttpClient,
  jwt: JwtInput,
  sessionId: string,
  sequence: number,
  end: boolean,
  part: Uint8Array | Blob,
  filePartUrl?: string,
  options?: RequestOptions,
): Promise<void> {
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > 0x7fffffff)
    throw invalidInput("the part sequence must be a non-negative 32-bit integer");
  const url = `${filePartBase(http, filePartUrl)}/${pathSegment(sessionId, "the upload session id")}/${sequence}/${end ? "true" : "false"}`;
  await http.uploadBytes("POST", url, part, jwt, options);
}

/**
 * `GET /file/<id>` (JWT optional: files of nobody can be read with the app token alone) or
 * `GET /group/<groupId>/file/<id>` → `FileMetaData` with the first 500 parts. A file without parts yet is
 * `server` 512.
 */
export async function getFile(
  http: HttpClient,
  jwt: JwtInput | undefined,
  fileId: string,
  groupId?: string,
  options?: RequestOptions,
): Promise<FileMetaData> {
  const path = `${fileRoute(groupId)}/${pathSegment(fileId, "the file id")}`;
  return fileMetaData(await http.requestJson("GET", path, undefined, jwt, options), `GET ${path} result`);
}

/**
 * `GET /file/<id>/part_fetch/<last_sequence>` (no JWT) → the next ≤ 500 parts with a sequence above
 * `lastSequence`. The server answers an empty page as `server` 512; this resolves to `[]` instead.
 */
export async function getFileParts(
  http: HttpClient,
  fileId: string,
  lastSequence: number,
  options?: RequestOptions,
): Promise<FilePartListItem[]> {
  if (!Number.isSafeInteger(lastSequence)) throw invalidInput("lastSequence must be an integer");
  const path = `/file/${pathSegment(fileId, "the file id")}/part_fetch/${lastSequence}`;
  try {
    return expectArray(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`).map(
      (item, i) => partItem(item, `GET ${path} result[${i}]`),
    );
  } catch (error) {
    if (error instanceof SentcError && error.code === "server" && error.serverCode === 512) return [];
    throw error;
  }
}

/** `GET <part base>/<part_id>` (no JWT) → the encrypted part bytes; status ≥ 400 → the error envelope as `server`. */
export async function downloadPart(
  http: HttpClient,
  partId: string,
  filePartUrl?: string,
  options?: RequestOptions,
): Promise<Uint8Array> {
  return http.downloadBytes(
    `${filePartBase(http, filePartUrl)}/${pathSegment(partId, "the part id")}`,
    undefined,
    options,
  );
}

/** `PUT /file/<id>` with `FileNameUpdate` (owner only, `server` 521 otherwise). */
export async function updateFileName(
  http: HttpClient,
  jwt: JwtInput,
  fileId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PUT", `/file/${pathSegment(fileId, "the file id")}`, body, jwt, options);
}

/** `DELETE /file/<id>` or `DELETE /group/<groupId>/file/<id>` (owner, or a group admin of rank ≤ 3). */
export async function deleteFile(
  http: HttpClient,
  jwt: JwtInput,
  fileId: string,
  groupId?: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `${fileRoute(groupId)}/${pathSegment(fileId, "the file id")}`,
    undefined,
    jwt,
    options,
  );
}
