/**
 * The reference's exported `Uploader` class (sdk.md §4.4): register a file and upload it in 4 MiB parts for a user,
 * for another user or for a group, with the static `Uploader.cancel_upload` switch. `User` and `Group` use it for
 * `createFile` and `uploadFile`; apps may construct it as with the reference SDK.
 */
import { invalidInput } from "../../errors.js";
import { HttpClient } from "../../api/http.js";
import { registerFile as apiRegisterFile } from "../../api/endpoints/files.js";
import type { FileBelongsToType } from "../../api/endpoints/files.js";
import { NON_REGISTERED_KEY_ID } from "../../protocol/algorithms.js";
import { SymKey } from "../sym-key.js";
import type { User } from "../user.js";
import { DEFAULT_PART_SIZE, doneFileRegister, prepareRegisterFile, uploadFileParts, type FileInput } from "./upload.js";
import type { FileTransport, FileUploadOptions } from "./types.js";

/**
 * @internal The transport of `user`, on another API origin or app token when they differ from the user's.
 * @throws {SentcError} `invalid_input` for a `base_url` that is not an http(s) URL, an empty `app_token` or a bad
 * `group_as_member`
 * @example
 * const transport = transportFor(base_url, app_token, user, groupId);
 */
export function transportFor(
  base_url: string,
  app_token: string,
  user: User,
  group_id?: string,
  group_as_member?: string,
): FileTransport {
  const transport = user.fileTransport(group_id, group_as_member);
  const http = new HttpClient({ baseUrl: base_url, appToken: app_token });
  if (http.baseUrl !== transport.http.baseUrl || app_token !== transport.http.appToken) transport.http = http;
  return transport;
}

function fileName(file: FileInput): string | null {
  const name = (file as { name?: unknown }).name;
  return typeof name === "string" && name.length > 0 ? name : null;
}

/**
 * Encrypts and uploads files as the reference's `Uploader`: the file belongs to `group_id`, else to
 * `other_user_id`, else to nobody. Keys are exported key strings (`SymKey.key`).
 */
export class Uploader {
  /**
   * Set to `true` (e.g. in the progress callback) to stop the running upload after the current part. The upload
   * then resolves without error and the flag is reset, as in the reference; the parts sent stay on the server.
   */
  static cancel_upload = false;

  readonly #user: User;
  readonly #transport: FileTransport;
  readonly #belongsTo: FileBelongsToType;
  readonly #belongsToId: string | null;
  readonly #callback: ((progress?: number) => void) | undefined;
  readonly #chunkSize: number;
  readonly #baseUrl: string;
  readonly #appToken: string;

  /**
   * @param upload_callback called with `uploaded parts / all parts` after each part
   * @param group_as_member the connected group the user acts as (`x-sentc-group-access-id`)
   * @param chunk_size plaintext bytes per part (default 4 MiB)
   * @throws {SentcError} `invalid_input` for a `user` that is not a logged-in `User`, a bad origin or app token, or a
   * `group_as_member` that is not a group id
   * @example
   * const uploader = new Uploader(Sentc.options.base_url, Sentc.options.app_token, user, group.data.group_id);
   */
  constructor(
    base_url: string,
    app_token: string,
    user: User,
    group_id?: string,
    other_user_id?: string,
    upload_callback?: (progress?: number) => void,
    group_as_member?: string,
    chunk_size = DEFAULT_PART_SIZE,
  ) {
    if (typeof (user as { fileTransport?: unknown } | undefined)?.fileTransport !== "function")
      throw invalidInput("Uploader needs the logged-in User");
    this.#user = user;
    this.#baseUrl = base_url;
    this.#appToken = app_token;
    this.#transport = transportFor(base_url, app_token, user, group_id || undefined, group_as_member || undefined);
    if (group_id) {
      this.#belongsTo = "Group";
      this.#belongsToId = group_id;
    } else if (other_user_id) {
      this.#belongsTo = "User";
      this.#belongsToId = other_user_id;
    } else {
      this.#belongsTo = "None";
      this.#belongsToId = null;
    }
    this.#callback = upload_callback;
    this.#chunkSize = chunk_size;
  }

  #key(content_key: string, master_key_id: string): SymKey {
    return new SymKey(this.#baseUrl, this.#appToken, content_key, NON_REGISTERED_KEY_ID, master_key_id);
  }

  /**
   * Own backend: the body for `POST /api/v1/file` (or the group route) and the file name encrypted with the content
   * key. Returns `[server_input, encrypted_file_name]`.
   * @throws {SentcError} `invalid_input` for a bad key
   * @example
   * const [input, encryptedName] = uploader.prepareFileRegister(file, key.key, encryptedKey, key.master_key_id);
   */
  prepareFileRegister(
    file: FileInput,
    content_key: string,
    encrypted_content_key: string,
    master_key_id: string,
  ): [string, string | undefined] {
    const out = prepareRegisterFile(
      {
        key: this.#key(content_key, master_key_id),
        encrypted_key: encrypted_content_key,
        belongs_to_type: this.#belongsTo,
        belongs_to_id: this.#belongsToId,
      },
      fileName(file),
    );
    return [out.server_input, out.encrypted_file_name];
  }

  /**
   * Own backend: reads the envelope of the register call → `[file_id, session_id]`.
   * @throws {SentcError} `server` with the server's code (e.g. `server_520`), `invalid_server_response`
   * @example
   * const [fileId, sessionId] = uploader.doneFileRegister(responseText);
   */
  doneFileRegister(server_output: string): [string, string] {
    return doneFileRegister(server_output);
  }

  /**
   * Encrypts and uploads `file` into the open session in parts, each signed with the user's sign key when `sign`.
   * Stops after the current part when `Uploader.cancel_upload` is set (and resolves).
   * @throws {SentcError} `server` when the server refuses a part, `network_error` / `timeout`, `invalid_input` for
   * bad input
   * @example
   * await uploader.checkFileUpload(file, key.key, sessionId);
   */
  async checkFileUpload(file: FileInput, content_key: string, session_id: string, sign = false): Promise<void> {
    const options: FileUploadOptions = { part_size: this.#chunkSize, sign, stop: takeCancelUpload };
    if (sign) options.sign_key = await this.#user.getSignKey();
    if (this.#callback) options.upload_callback = this.#callback;
    Uploader.cancel_upload = false;
    await uploadFileParts(this.#transport, session_id, this.#key(content_key, ""), file, options);
  }

  /**
   * Registers the file and uploads it; resolves to `[file_id, encrypted_file_name]`.
   * @throws {SentcError} `server` when the server refuses, `network_error` / `timeout`, `invalid_input` for bad input
   * @example
   * const [fileId] = await uploader.uploadFile(file, key.key, encryptedKey, key.master_key_id, true);
   */
  async uploadFile(
    file: FileInput,
    content_key: string,
    encrypted_content_key: string,
    master_key_id: string,
    sign = false,
  ): Promise<[string, string | undefined]> {
    const [input, encryptedFileName] = this.prepareFileRegister(
      file,
      content_key,
      encrypted_content_key,
      master_key_id,
    );
    const options =
      this.#transport.group_as_member === undefined ? {} : { groupAccessId: this.#transport.group_as_member };
    const { file_id, session_id } = await apiRegisterFile(
      this.#transport.http,
      this.#transport.jwt,
      input,
      this.#transport.group_id,
      options,
    );
    await this.checkFileUpload(file, content_key, session_id, sign);
    return [file_id, encryptedFileName];
  }
}

/**
 * @internal `Uploader.cancel_upload` as a `stop` option: true once, then reset. Throws nothing.
 * @example
 * const options = { stop: takeCancelUpload };
 */
export function takeCancelUpload(): boolean {
  if (!Uploader.cancel_upload) return false;
  Uploader.cancel_upload = false;
  return true;
}
