/**
 * The file methods that `User` and `Group` share (sdk.md §4.4): the own-backend register steps 2 and 3, downloading
 * (the reference's object URL tuple, plus bytes and streams), renaming and deleting a file. Each class says where its files live through `fileMethods()`;
 * the methods that differ between the two (`createFile`, `prepareRegisterFile`, …) stay on the classes.
 */
import type { FileMethods } from "./file-methods.js";
import type * as files from "./files/index.js";
import { doneFileRegister } from "./files/index.js";
import type { SymKey } from "./sym-key.js";

/**
 * The base of `User` and `Group` for their shared file methods, as the reference shares its crypto methods through
 * `AbstractSymCrypto` / `AbstractAsymCrypto`. Not used on its own.
 * @example
 * const [url, meta] = await user.downloadFile(fileId); // or group.downloadFile(fileId)
 */
export abstract class FileOwnerApi {
  /**
   * Where this user's or group's files go and how their keys are opened.
   * @internal
   */
  protected abstract fileMethods(): FileMethods;

  /**
   * Own backend, step 2: reads the envelope of the file register call your backend forwards → `[file_id, session_id]`.
   * @throws {SentcError} `server` with the server's code (e.g. `server_520`), `invalid_server_response`
   * @example
   * const [fileId, sessionId] = user.doneFileRegister(responseText); // or group.doneFileRegister
   */
  doneFileRegister(server_output: string): [string, string] {
    return doneFileRegister(server_output);
  }

  /**
   * Own backend, step 3: encrypts and uploads the registered file (of `prepareRegisterFile`) in 4 MiB parts (signed
   * with `sign`); progress through `upload_callback`, `Uploader.cancel_upload` stops after the current part.
   * @throws {SentcError} `server`, `network_error`, `invalid_input`
   * @example
   * await user.uploadFile(file, prepared.key, sessionId, false, (p) => console.log(p)); // or group.uploadFile
   */
  uploadFile(
    file: files.FileInput,
    content_key: SymKey,
    session_id: string,
    sign = false,
    upload_callback?: (progress?: number) => void,
  ): Promise<void> {
    return this.fileMethods().uploadRegistered(file, content_key, session_id, sign, upload_callback);
  }

  /**
   * The file's (of this user, or of this group) meta data (name decrypted) and its content key, without the content.
   * @throws {SentcError} `server` (e.g. `server_512` not found, `server_521` no access), `key_not_found` when the key
   * is not for this user or group
   * @example
   * const [meta, key] = await user.downloadFileMetaInfo(fileId);
   */
  downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[files.FileMetaInformation, SymKey]> {
    return this.fileMethods().metaInfo(file_id, verify_key);
  }

  /**
   * The content of a file whose meta data and key `downloadFileMetaInfo` gave, as an object URL (`""` when
   * `Downloader.cancel_download` stopped it); `verify_key` checks every part's signature.
   * @throws {SentcError} `decryption_failed`, `verification_failed`, `server`, `network_error`
   * @example
   * const url = await user.downloadFileWithMetaInfo(key, meta);
   */
  downloadFileWithMetaInfo(
    key: SymKey,
    file_meta: files.FileMetaInformation,
    verify_key?: string,
    updateProgressCb?: (progress: number) => void,
  ): Promise<string> {
    return this.fileMethods().withMetaInfo(key, file_meta, verify_key, updateProgressCb);
  }

  /**
   * Downloads and decrypts a file as the reference does: `[objectUrl, meta, key]` (`objectUrl` is `""` when
   * `Downloader.cancel_download` stopped it). For the bytes (e.g. in Node) use `downloadFileData`.
   * @throws {SentcError} `server`, `key_not_found`, `decryption_failed`, `verification_failed`,
   * `unsupported_environment` (no `URL.createObjectURL`)
   * @example
   * const [url, meta] = await user.downloadFile(fileId);
   */
  async downloadFile(
    file_id: string,
    verify_key?: string,
    updateProgressCb?: (progress: number) => void,
  ): Promise<[string, files.FileMetaInformation, SymKey]> {
    return this.fileMethods().download(file_id, verify_key, updateProgressCb);
  }

  /**
   * Not in the reference: downloads and decrypts a file into bytes (`{data, file_name, meta, key}`), with
   * cancellation (`options.signal`), streaming (`on_part`) and `resume`.
   * @throws {SentcError} `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `aborted`
   * @example
   * const { data, file_name } = await user.downloadFileData(fileId);
   */
  async downloadFileData(
    file_id: string,
    verify_key?: string,
    download_callback?: files.FileProgressCallback,
    options: files.FileDownloadOptions = {},
  ): Promise<files.FileDownloadOutput> {
    return this.fileMethods().data(file_id, verify_key, download_callback, options);
  }

  /**
   * Not in the reference: downloads and decrypts a file as a `ReadableStream` of the plaintext (one chunk per part,
   * fetched while the stream is read), with its meta data and key: memory stays at a few parts whatever the file
   * size. Save it with `saveFileStream`, or read it with a reader.
   * @throws {SentcError} `server` (e.g. `server_512`, `server_304`) when the server refuses the meta data or the key;
   *   `network_error`; the stream errors with `decryption_failed`, `verification_failed`, `network_error`, `aborted`
   * @example
   * const [stream, meta] = await user.downloadFileStream(fileId);
   * await saveFileStream(stream, { file_name: meta.file_name });
   */
  downloadFileStream(
    file_id: string,
    verify_key?: string,
    options: files.FileDownloadOptions = {},
  ): Promise<[ReadableStream<Uint8Array>, files.FileMetaInformation, SymKey]> {
    return this.fileMethods().downloadStream(file_id, verify_key, options);
  }

  /**
   * Sets (or with `null` / `undefined` removes) a file's name, encrypted with its content key (`PUT /api/v1/file/<id>`).
   * @throws {SentcError} `server` (e.g. `server_521` for no access, `server_512` for an unknown file) when the server
   * refuses; `network_error` / `timeout`.
   * @example
   * const [meta, key] = await user.downloadFileMetaInfo(fileId);
   * await user.updateFileName(fileId, key, "report.pdf");
   */
  updateFileName(file_id: string, content_key: SymKey, file_name?: string | null): Promise<void> {
    return this.fileMethods().rename(file_id, content_key, file_name);
  }

  /**
   * Deletes a file of this user (`DELETE /api/v1/file/<id>`).
   * @throws {SentcError} `server` (e.g. `server_521` for no access, `server_512` for an unknown file) when the server
   * refuses; `network_error` / `timeout`.
   * @example
   * await user.deleteFile(fileId);
   */
  deleteFile(file_id: string): Promise<void> {
    return this.fileMethods().remove(file_id);
  }
}
