/**
 * src/sdk/files: encrypted file upload and download (sdk.md §4.4) as functions over a small context, for `User` and
 * `Group` to call, plus the reference's `FileHelper`.
 */
import { SentcError, invalidInput } from "../../errors.js";

export {
  DEFAULT_PART_SIZE,
  MAX_PART_SIZE,
  doneFileRegister,
  partCount,
  prepareRegisterFile,
  uploadFile,
  uploadFileParts,
  type FileInput,
} from "./upload.js";
export {
  deleteFile,
  downloadFile,
  downloadFileMetaInfo,
  downloadFileStream,
  downloadFileWithMetaInfo,
  downloadStreamWithMetaInfo,
  getFileMetaData,
  updateFileName,
} from "./download.js";
export { saveFileStream, type SaveFileStreamOptions, type SavedVia } from "./save.js";
export { Uploader } from "./uploader.js";
export { Downloader, FilePartStorage } from "./downloader.js";
export {
  WEBCRYPTO_MIN_BYTES,
  decryptPart,
  encryptPart,
  hasWebCrypto,
  openBody,
  sealBody,
  type AesEngine,
} from "./part-crypto.js";
export type {
  DownloadCheckpoint,
  FileCreateOutput,
  FileDownloadContext,
  FileDownloadOptions,
  FileDownloadOutput,
  FileMetaInformation,
  FilePrepareCreateOutput,
  FileProgressCallback,
  FileTransport,
  FileUploadContext,
  FileUploadOptions,
} from "./types.js";

/** The reference's `FileHelper`: reading a `Blob`, and a blob URL for downloaded bytes. */
export const FileHelper = {
  /**
   * The bytes of `blob` as an `ArrayBuffer`, or as a `data:` URL with `asUrl`.
   * @throws {SentcError} `invalid_input` when `blob` is not a `Blob`.
   * @example
   * import { FileHelper } from "sentc-as";
   *
   * const buffer = await FileHelper.fileParse(file);
   * const dataUrl = await FileHelper.fileParse(file, true);
   */
  async fileParse(blob: Blob, asUrl = false): Promise<ArrayBuffer | string> {
    if (typeof Blob === "undefined" || !(blob instanceof Blob)) throw invalidInput("fileParse needs a Blob");
    const buffer = await blob.arrayBuffer();
    if (!asUrl) return buffer;
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return `data:${blob.type || "application/octet-stream"};base64,${btoa(binary)}`;
  },

  /**
   * `URL.createObjectURL` of the bytes (what the reference's `downloadFile` resolves to); revoke it when done.
   * @throws {SentcError} `unsupported_environment` when the runtime has no `URL.createObjectURL`.
   * @example
   * import { FileHelper } from "sentc-as";
   *
   * const { data, file_name } = await group.downloadFileData(fileId);
   * const url = FileHelper.toObjectUrl(data, "application/pdf");
   */
  toObjectUrl(data: Uint8Array, type = "application/octet-stream"): string {
    if (typeof URL.createObjectURL !== "function")
      throw new SentcError("unsupported_environment", "URL.createObjectURL is not available");
    return URL.createObjectURL(
      new Blob([data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data)], {
        type,
      }),
    );
  },
};
