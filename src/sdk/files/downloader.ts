/**
 * The reference's exported `Downloader` class (sdk.md §4.4): file meta data, the part list and the decrypted parts
 * as an object URL, one download at a time, with the static `Downloader.cancel_download` switch.
 *
 * Unlike the reference, the decrypted parts wait in memory (not in an IndexedDB database) until the object URL is
 * made; `getStorage()` returns that part store.
 */
import { SentcError, invalidInput } from "../../errors.js";
import { getFileParts, type FilePartListItem } from "../../api/endpoints/files.js";
import { NON_REGISTERED_KEY_ID } from "../../protocol/algorithms.js";
import { SymKey } from "../sym-key.js";
import type { User } from "../user.js";
import { downloadFileWithMetaInfo, getFileMetaData } from "./download.js";
import type { FileDownloadOptions, FileMetaInformation, FileTransport } from "./types.js";
import { transportFor } from "./uploader.js";

/** Where `Downloader` collects the decrypted parts of the running download. */
export class FilePartStorage {
  #parts: Uint8Array[] = [];

  /**
   * Keeps one decrypted part (in order). Never throws.
   * @example
   * await (await Downloader.getStorage()).storePart(bytes);
   */
  async storePart(part: Uint8Array): Promise<void> {
    this.#parts.push(part);
  }

  /**
   * An object URL (`URL.createObjectURL`) of a `Blob` of every part stored so far.
   * @throws {SentcError} `unsupported_environment` when the runtime has no `URL.createObjectURL`
   * @example
   * const url = await storage.getDownloadUrl();
   */
  async getDownloadUrl(): Promise<string> {
    if (typeof URL.createObjectURL !== "function")
      throw new SentcError("unsupported_environment", "URL.createObjectURL is not available");
    // Blob copies the parts itself; a second copy is needed only for views of a SharedArrayBuffer.
    return URL.createObjectURL(
      new Blob(
        this.#parts.map((part) =>
          part.buffer instanceof ArrayBuffer ? (part as Uint8Array<ArrayBuffer>) : new Uint8Array(part),
        ),
      ),
    );
  }

  /**
   * Wipes and forgets the stored parts. Never throws.
   * @example
   * await storage.cleanStorage();
   */
  async cleanStorage(): Promise<void> {
    for (const part of this.#parts) part.fill(0);
    this.#parts = [];
  }
}

/**
 * @internal `Downloader.cancel_download` as a `stop` option: true once, then reset. Throws nothing.
 * @example
 * const options = { stop: takeCancelDownload };
 */
export function takeCancelDownload(): boolean {
  if (!Downloader.cancel_download) return false;
  Downloader.cancel_download = false;
  return true;
}

/**
 * Downloads files as the reference's `Downloader`: from the user's file routes, or the group's with `group_id`.
 */
export class Downloader {
  /**
   * Set to `true` (e.g. in the progress callback) to stop the running download after the current part: it then
   * resolves to `""` and the flag is reset, as in the reference.
   */
  static cancel_download = false;

  static #storage: FilePartStorage | undefined;
  static #tail: Promise<void> | undefined;

  /**
   * The store the decrypted parts of the running download wait in (created on first use). Never throws.
   * @example
   * const storage = await Downloader.getStorage();
   */
  static async getStorage(): Promise<FilePartStorage> {
    Downloader.#storage ??= new FilePartStorage();
    return Downloader.#storage;
  }

  /**
   * Wipes the parts in the store. Never throws.
   * @example
   * await Downloader.reset();
   */
  static async reset(): Promise<void> {
    await Downloader.#storage?.cleanStorage();
  }

  /**
   * Sets up the lock that runs one download at a time (the constructor calls it; more calls do nothing).
   * Never throws.
   * @example
   * Downloader.init();
   */
  static init(): void {
    Downloader.#tail ??= Promise.resolve();
  }

  /** Waits for the running download; resolves to the function that lets the next one run. */
  static #lock(): Promise<() => void> {
    Downloader.init();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = Downloader.#tail!;
    Downloader.#tail = previous.then(() => done);
    return previous.then(() => release);
  }

  readonly #transport: FileTransport;
  readonly #baseUrl: string;
  readonly #appToken: string;

  /**
   * @param group_id download through the group's file routes
   * @param group_as_member the connected group the user acts as
   * @throws {SentcError} `invalid_input` for a `user` that is not a logged-in `User`, a bad origin or app token, or a
   * `group_as_member` that is not a group id
   * @example
   * const downloader = new Downloader(Sentc.options.base_url, Sentc.options.app_token, user);
   */
  constructor(base_url: string, app_token: string, user: User, group_id?: string, group_as_member?: string) {
    if (typeof (user as { fileTransport?: unknown } | undefined)?.fileTransport !== "function")
      throw invalidInput("Downloader needs the logged-in User");
    this.#baseUrl = base_url;
    this.#appToken = app_token;
    this.#transport = transportFor(base_url, app_token, user, group_id || undefined, group_as_member || undefined);
    Downloader.init();
  }

  /**
   * The file's meta data with every part (the part list is paged when it holds 500 or more); `file_name` is not
   * decrypted here.
   * @throws {SentcError} `server` (e.g. `server_512` file not found, `server_521` no access), `network_error`
   * @example
   * const meta = await downloader.downloadFileMetaInformation(fileId);
   */
  downloadFileMetaInformation(file_id: string): Promise<FileMetaInformation> {
    return getFileMetaData(this.#transport, file_id);
  }

  /**
   * One page of the part list after `last_item` (`GET /api/v1/file/<id>/part_fetch/<sequence>`).
   * @throws {SentcError} `server`, `network_error`
   * @example
   * const more = await downloader.downloadFilePartList(fileId, meta.part_list.at(-1));
   */
  downloadFilePartList(file_id: string, last_item: FilePartListItem | null = null): Promise<FilePartListItem[]> {
    return getFileParts(this.#transport.http, file_id, last_item?.sequence ?? 0);
  }

  /**
   * Downloads and decrypts the parts with the exported content key (and checks every part's signature with
   * `verify_key`), then resolves to an object URL of the whole file, or `""` when `Downloader.cancel_download`
   * stopped it. Downloads run one at a time.
   * @throws {SentcError} `decryption_failed`, `verification_failed`, `server`, `network_error`; `invalid_input` for a
   * `part_list` that is not the file's part list
   * @example
   * const url = await downloader.downloadFileParts(meta.part_list, key.key, (p) => console.log(p));
   */
  async downloadFileParts(
    part_list: FilePartListItem[],
    content_key: string,
    updateProgressCb?: (progress: number) => void,
    verify_key?: string,
  ): Promise<string> {
    const unlock = await Downloader.#lock();
    try {
      const storage = await Downloader.getStorage();
      Downloader.cancel_download = false;
      let cancelled = false;
      const options: FileDownloadOptions = {
        // The decrypted part belongs to the caller of on_part: keep it as it is, without a copy.
        on_part: (part) => storage.storePart(part),
        stop: () => (cancelled = takeCancelDownload()),
      };
      if (verify_key) options.verify_key = verify_key;
      if (updateProgressCb) options.download_callback = updateProgressCb;
      const key = new SymKey(this.#baseUrl, this.#appToken, content_key, NON_REGISTERED_KEY_ID, "");
      try {
        await downloadFileWithMetaInfo(this.#transport, key, { part_list }, options);
        return cancelled ? "" : await storage.getDownloadUrl();
      } finally {
        await Downloader.reset();
      }
    } finally {
      unlock();
    }
  }
}
