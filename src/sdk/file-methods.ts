/**
 * The bodies of the file methods of `User` and `Group` (sdk.md §4.4): registering, uploading, downloading,
 * renaming and deleting files as that user or group. The classes keep the public methods and call into this.
 */
import { symKeyArg, type SymKey } from "./sym-key.js";
import * as files from "./files/index.js";
import { takeCancelUpload } from "./files/uploader.js";

/** Where a user's or a group's files go and how their content keys are opened. */
export interface FileOwner {
  /** The file routes as this user (or group: `group_id`, `group_as_member`). */
  transport(): files.FileTransport;
  /** An `Uploader` for this user's (for `otherUserId`) or group's files. */
  uploader(uploadCallback?: (progress?: number) => void, otherUserId?: string): files.Uploader;
  /** A `Downloader` as this user or group. */
  downloader(): files.Downloader;
  /** `getNonRegisteredKey`: opens a file's content key. */
  contentKey(masterKeyId: string, encryptedKey: string): Promise<SymKey>;
  /** The user's newest sign key (exported). */
  signKey(): string;
}

/** Who a new file belongs to, with its new content key. */
export type NewFileTarget = Pick<
  files.FileUploadContext,
  "key" | "encrypted_key" | "belongs_to_type" | "belongs_to_id"
>;

/** The file methods over one `FileOwner`. */
export class FileMethods {
  readonly #owner: FileOwner;

  /**
   * @example
   * const fileMethods = new FileMethods({ transport, uploader, downloader, contentKey, signKey });
   */
  constructor(owner: FileOwner) {
    this.#owner = owner;
  }

  #downloadContext(): files.FileDownloadContext {
    return {
      ...this.#owner.transport(),
      getKey: (masterKeyId, encryptedKey) => this.#owner.contentKey(masterKeyId, encryptedKey),
    };
  }

  /**
   * `prepareRegisterFile`: the register body for the new content key (the file name encrypted with it).
   * @throws SentcError `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * return fileMethods.prepareRegister(file, key, encryptedKey, replyId);
   */
  prepareRegister(
    file: files.FileInput,
    key: SymKey,
    encrypted_key: string,
    otherUserId?: string,
  ): files.FilePrepareCreateOutput {
    const [server_input, encrypted_file_name] = this.#owner
      .uploader(undefined, otherUserId)
      .prepareFileRegister(file, key.key, encrypted_key, key.master_key_id);
    return { server_input, encrypted_file_name, key, master_key_id: key.master_key_id };
  }

  /**
   * `uploadFile`: encrypts and uploads a registered file.
   * @throws SentcError `server`, `network`, `invalid_input` (also for a `content_key` that is not a `SymKey`)
   * @example
   * return fileMethods.uploadRegistered(file, key, sessionId, sign, callback);
   */
  async uploadRegistered(
    file: files.FileInput,
    content_key: SymKey,
    session_id: string,
    sign: boolean,
    upload_callback?: (progress?: number) => void,
  ): Promise<void> {
    return this.#owner.uploader(upload_callback).checkFileUpload(file, symKeyArg(content_key).key, session_id, sign);
  }

  /**
   * `downloadFileStream`: meta data, content key and a `ReadableStream` of the decrypted parts.
   * @throws {SentcError} `server`, `network_error`, `invalid_server_response` while the meta data and key are fetched
   * @example
   * return fileMethods.downloadStream(fileId, verifyKey, {});
   */
  downloadStream(
    file_id: string,
    verify_key: string | undefined,
    options: files.FileDownloadOptions,
  ): Promise<[ReadableStream<Uint8Array>, files.FileMetaInformation, SymKey]> {
    return files.downloadFileStream(this.#downloadContext(), file_id, {
      ...options,
      verify_key: verify_key ?? options.verify_key,
    });
  }

  /**
   * `createFile`: registers, encrypts and uploads a file under a new content key.
   * @throws SentcError `server`, `network`, `invalid_input`, `aborted` (signal only)
   * @example
   * return fileMethods.create({ key, encrypted_key, belongs_to_type: "None" }, file, false, undefined, {});
   */
  create(
    target: NewFileTarget,
    file: files.FileInput,
    sign: boolean,
    upload_callback: files.FileProgressCallback | undefined,
    options: files.FileUploadOptions,
  ): Promise<files.FileCreateOutput> {
    const context: files.FileUploadContext = { ...this.#owner.transport(), ...target };
    files.Uploader.cancel_upload = false;
    return files.uploadFile(context, file, {
      stop: takeCancelUpload,
      ...options,
      sign,
      sign_key: sign ? this.#owner.signKey() : undefined,
      upload_callback: upload_callback ?? options.upload_callback,
    });
  }

  /**
   * `downloadFileMetaInfo`: the meta data (name decrypted) and the content key.
   * @throws SentcError `server`, `key_not_found`
   * @example
   * return fileMethods.metaInfo(fileId);
   */
  metaInfo(file_id: string, verify_key?: string): Promise<[files.FileMetaInformation, SymKey]> {
    void verify_key; // File names are encrypted unsigned by every SDK: there is nothing to verify.
    return files.downloadFileMetaInfo(this.#downloadContext(), file_id);
  }

  /**
   * `downloadFileWithMetaInfo`: the content as an object URL.
   * @throws SentcError `decryption_failed`, `verification_failed`, `server`, `network`; `invalid_input` for a `key`
   * that is not a `SymKey` or `file_meta` without its part list
   * @example
   * return fileMethods.withMetaInfo(key, meta, verifyKey, callback);
   */
  async withMetaInfo(
    key: SymKey,
    file_meta: files.FileMetaInformation,
    verify_key?: string,
    updateProgressCb?: (progress: number) => void,
  ): Promise<string> {
    return this.#owner
      .downloader()
      .downloadFileParts(file_meta?.part_list, symKeyArg(key).key, updateProgressCb, verify_key);
  }

  /**
   * `downloadFile`: the meta data, the content as an object URL and the content key.
   * @throws SentcError as `metaInfo` and `withMetaInfo`
   * @example
   * return fileMethods.download(fileId, verifyKey, callback);
   */
  async download(
    file_id: string,
    verify_key?: string,
    updateProgressCb?: (progress: number) => void,
  ): Promise<[string, files.FileMetaInformation, SymKey]> {
    const [meta, key] = await this.metaInfo(file_id, verify_key);
    return [await this.withMetaInfo(key, meta, verify_key, updateProgressCb), meta, key];
  }

  /**
   * `downloadFileData`: the content as bytes.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `aborted`
   * @example
   * return fileMethods.data(fileId, verifyKey, callback, options);
   */
  data(
    file_id: string,
    verify_key: string | undefined,
    download_callback: files.FileProgressCallback | undefined,
    options: files.FileDownloadOptions,
  ): Promise<files.FileDownloadOutput> {
    return files.downloadFile(this.#downloadContext(), file_id, {
      ...options,
      verify_key: verify_key ?? options.verify_key,
      download_callback: download_callback ?? options.download_callback,
    });
  }

  /**
   * `updateFileName`.
   * @throws SentcError `server`, `network`
   * @example
   * return fileMethods.rename(fileId, key, "new name");
   */
  rename(file_id: string, content_key: SymKey, file_name?: string | null): Promise<void> {
    return files.updateFileName(this.#owner.transport(), file_id, content_key, file_name);
  }

  /**
   * `deleteFile`.
   * @throws SentcError `server`, `network`
   * @example
   * return fileMethods.remove(fileId);
   */
  remove(file_id: string): Promise<void> {
    return files.deleteFile(this.#owner.transport(), file_id);
  }
}
