/**
 * Saving a decrypted download without holding it in memory where the browser allows: the File System Access API
 * (`showSaveFilePicker` → `createWritable()`, Chromium) receives the stream part by part; elsewhere the stream is
 * collected into a `Blob` (browsers keep large Blobs out of the JS heap) and offered through a download link.
 * A byte stream (as `downloadFileStream` gives) is read into one reused buffer, so saving leaves no garbage of
 * spent chunks for the page's garbage collector.
 */
import { SentcError, invalidInput } from "../../errors.js";
import { storageFailed } from "../storage.js";

/** How `saveFileStream` saved the file. */
export type SavedVia = "file_system_access" | "blob";

/** Options of `saveFileStream`: the offered name, the fallback Blob's type, and whether to ask for a location. */
export interface SaveFileStreamOptions {
  /** The name offered to the user (default `"download"`). */
  file_name?: string;
  /** The MIME type of the fallback Blob (default `application/octet-stream`). */
  type?: string;
  /** `false` never asks for a save location (always the Blob download). Default `true`. */
  use_file_system_access?: boolean;
}

interface WritableFile {
  createWritable(): Promise<WritableStream<Uint8Array>>;
}

/** The size of the buffer a byte stream is read into (one file part). */
const READ_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Hands every chunk of `stream` to `write` in order; the chunk is only valid until `write` resolves. A byte stream
 * is read with a BYOB reader into one buffer that is reused for every chunk; another stream with a default reader.
 * On a failure of either side the stream is cancelled and the error rethrown.
 */
async function eachChunk(
  stream: ReadableStream<Uint8Array>,
  write: (chunk: Uint8Array) => Promise<void> | void,
): Promise<void> {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = (stream as ReadableStream<Uint8Array<ArrayBuffer>>).getReader({ mode: "byob" });
  } catch {
    // Not a byte stream.
  }
  const reader = byob ?? stream.getReader();
  try {
    if (byob !== undefined) {
      let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
      for (;;) {
        const { done, value } = await byob.read(new Uint8Array(buffer));
        if (done || value === undefined) break;
        await write(value);
        buffer = value.buffer;
      }
    } else {
      const plain = reader as ReadableStreamDefaultReader<Uint8Array>;
      for (;;) {
        const { done, value } = await plain.read();
        if (done) break;
        await write(value);
      }
    }
  } catch (error) {
    await reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Throws `storage_failed` for a failure of the chosen file (`error` as `cause`). */
function writeFailed(error: unknown): never {
  throw storageFailed("the file could not be written", error);
}

type SavePicker = (options: { suggestedName?: string }) => Promise<WritableFile>;

function savePicker(): SavePicker | undefined {
  const picker = (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  return typeof picker === "function" ? (picker as SavePicker).bind(globalThis) : undefined;
}

/**
 * Saves a stream of decrypted bytes (e.g. from `downloadFileStream`) as a file. With the File System Access API it
 * asks for a location and writes part by part (bounded memory); without it, or when the picker is refused for a
 * reason other than the user cancelling, the stream becomes a `Blob` and a download link is clicked. Call it from
 * a user gesture (a click handler): browsers allow the save dialog only then.
 * @throws SentcError `aborted` when the user cancels the save dialog (the stream is cancelled); `storage_failed`
 *   when the chosen file cannot be opened, written or closed (the browser's error as `cause`; the stream is cancelled
 *   and a partly written file discarded); `unsupported_environment` outside a browser; or the stream's own error
 *   (e.g. `decryption_failed`)
 * @example
 * const [stream, meta] = await group.downloadFileStream(fileId);
 * await saveFileStream(stream, { file_name: meta.file_name });
 */
export async function saveFileStream(
  stream: ReadableStream<Uint8Array>,
  options: SaveFileStreamOptions = {},
): Promise<SavedVia> {
  if (typeof ReadableStream !== "function" || !(stream instanceof ReadableStream))
    throw invalidInput("saveFileStream needs a ReadableStream");
  const name = options.file_name || "download";
  const picker = options.use_file_system_access === false ? undefined : savePicker();
  if (picker !== undefined) {
    let handle: WritableFile | undefined;
    try {
      handle = await picker({ suggestedName: name });
    } catch (error) {
      if ((error as { name?: unknown }).name === "AbortError") {
        await stream.cancel().catch(() => undefined);
        throw new SentcError("aborted", "the save dialog was cancelled", { cause: error });
      }
      // Not allowed here (no user gesture, a sandboxed frame): fall back to the Blob download.
    }
    if (handle !== undefined) {
      let writer: WritableStreamDefaultWriter<Uint8Array>;
      try {
        writer = (await handle.createWritable()).getWriter();
      } catch (error) {
        await stream.cancel(error).catch(() => undefined);
        writeFailed(error);
      }
      try {
        await eachChunk(stream, (chunk) => writer.write(chunk).catch(writeFailed));
      } catch (error) {
        // Discards the partly written file (the File System Access API only replaces the file on close).
        await writer.abort(error).catch(() => undefined);
        throw error;
      }
      // Only a successful close puts the file in place.
      await writer.close().catch(writeFailed);
      return "file_system_access";
    }
  }
  if (typeof document === "undefined" || typeof URL.createObjectURL !== "function") {
    await stream.cancel().catch(() => undefined);
    throw new SentcError(
      "unsupported_environment",
      "saveFileStream needs a browser (document and URL.createObjectURL)",
    );
  }
  // Each chunk is copied into a Blob of its own (kept by the browser, outside the JS heap) before its buffer is reused.
  const pieces: Blob[] = [];
  await eachChunk(stream, (chunk) => {
    pieces.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
  });
  const url = URL.createObjectURL(new Blob(pieces, { type: options.type ?? "application/octet-stream" }));
  try {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.rel = "noopener";
    link.style.display = "none";
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has started the download; give it a moment before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return "blob";
}
