/**
 * The context objects the file functions take, so `User` and `Group` can call them with their own HTTP client,
 * JWT and keys, and the data shapes they return (named as in the reference SDK, sdk.md §4.4).
 */
import type { HttpClient, JwtInput } from "../../api/http.js";
import type { FileBelongsToType, FilePartListItem } from "../../api/endpoints/files.js";
import type { SymKey } from "../sym-key.js";
import type { AesEngine } from "./part-crypto.js";

/** How to reach the file routes. */
export interface FileTransport {
  http: HttpClient;
  /** The user's JWT (a `JwtManager` or a string). Part uploads accept an expired JWT. */
  jwt: JwtInput;
  /** Set for group files: register, meta data and delete go through `/group/<group_id>/file`. */
  group_id?: string;
  /** `x-sentc-group-access-id`: the connected group the user acts as. */
  group_as_member?: string;
  /** The app's own part storage (sdk.md §4.4 "Own storage"); default `<base>/api/v1/file/part`. */
  file_part_url?: string;
}

/** What `uploadFile` needs besides the transport: the content key and how it is wrapped, and who the file belongs to. */
export interface FileUploadContext extends FileTransport {
  /** The file's content key (from `generateNonRegisteredKey*`). */
  key: SymKey;
  /** The wrapped content key (`GeneratedSymKeyHeadServerOutput` JSON) stored with the file. */
  encrypted_key: string;
  /** `Group` (with `group_id`), `User` (the user the file is for) or `None`. */
  belongs_to_type: FileBelongsToType;
  /** The group or user id; without it the file belongs to nobody (`None`), as in sentc. */
  belongs_to_id?: string | null;
}

/** What `downloadFile` needs besides the transport: recovering the content key from the file's meta data. */
export interface FileDownloadContext extends FileTransport {
  /** `getNonRegisteredKey(master_key_id, encrypted_key)` of the user or group. */
  getKey(master_key_id: string, encrypted_key: string): Promise<SymKey> | SymKey;
}

/** Reports progress as `done parts / all parts`, from `> 0` up to exactly `1`. */
export type FileProgressCallback = (progress: number) => void;

/**
 * Not in the reference: further options of `createFile` and `uploadFile` (file name, signing, part size, cancellation).
 */
export interface FileUploadOptions {
  /** The clear file name; encrypted with the content key. Default: the `name` of a `File`. `null` for none. */
  file_name?: string | null;
  /** Sign every part with `sign_key` (or the content key's sign key). */
  sign?: boolean;
  /** The exported sign key for `sign`. */
  sign_key?: string;
  upload_callback?: FileProgressCallback;
  /** Stops between parts and aborts the request in flight; the upload then rejects with `SentcError("aborted")`. */
  signal?: AbortSignal;
  /** Plaintext bytes per part; default 4 MiB (sentc's chunk size). */
  part_size?: number;
  engine?: AesEngine;
  /**
   * Asked after each part (after `upload_callback`): `true` ends the upload there and it resolves without error,
   * the rest unsent (the reference's `Uploader.cancel_upload`; prefer `signal`, which also removes the file).
   */
  stop?: () => boolean;
}

/** The result of `uploadFile` (the reference's `FileCreateOutput`). */
export interface FileCreateOutput {
  file_id: string;
  master_key_id: string;
  encrypted_file_name: string | undefined;
}

/** The reference's `FileMetaInformation`, with the name decrypted. */
export interface FileMetaInformation {
  file_id: string;
  master_key_id: string;
  owner: string;
  belongs_to: string | undefined;
  belongs_to_type: FileBelongsToType;
  encrypted_key: string;
  encrypted_key_alg: string;
  time: number;
  /** Every part, in download (sequence) order. */
  part_list: FilePartListItem[];
  file_name: string | undefined;
  encrypted_file_name: string | undefined;
}

/**
 * Where a download stands: the next part to fetch and the key that opens it (the exported previous part key, or
 * the content key for part 0). Pass it as `resume` to continue an interrupted download.
 */
export interface DownloadCheckpoint {
  next_index: number;
  key: string;
}

/**
 * Not in the reference: further options of `downloadFileData` (verify key, cancellation, streaming and resume).
 */
export interface FileDownloadOptions {
  /** The sender's exported verify key: every part must carry a valid signature by it. */
  verify_key?: string;
  download_callback?: FileProgressCallback;
  /** Stops between parts and aborts the request in flight (`SentcError("aborted")`). */
  signal?: AbortSignal;
  engine?: AesEngine;
  /**
   * Streams the parts instead of collecting them: called in order with each decrypted part and the checkpoint after
   * it. The result's `data` is then empty.
   */
  on_part?: (data: Uint8Array, checkpoint: DownloadCheckpoint) => void | Promise<void>;
  /** Continue after the parts a previous download already delivered. */
  resume?: DownloadCheckpoint;
  /**
   * Asked after each part (after `download_callback`): `true` ends the download there and it resolves with the
   * parts so far (the reference's `Downloader.cancel_download`; prefer `signal`).
   */
  stop?: () => boolean;
}

/** The result of `downloadFile`. */
export interface FileDownloadOutput {
  data: Uint8Array;
  file_name: string | undefined;
  meta: FileMetaInformation;
  key: SymKey;
}

/** What `prepareRegisterFile` returns (the reference's `FilePrepareCreateOutput`). */
export interface FilePrepareCreateOutput {
  /** The body for `POST /api/v1/file` (or `/api/v1/group/<id>/file`), sent by your backend. */
  server_input: string;
  encrypted_file_name: string | undefined;
  /** The file's content key: pass it to `uploadFile`. */
  key: SymKey;
  master_key_id: string;
}
