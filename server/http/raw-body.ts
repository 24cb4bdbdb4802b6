/**
 * Raw request bodies (the file part upload, api.md §3.8): read only after every check passed, up to a
 * limit; a refused or unread body is drained so that the answer reaches the client.
 */
import type { Readable } from "node:stream";
import { MAX_PART_SIZE, type PartBody } from "../services/files.js";

/** Past this many bytes of a refused body the connection is cut instead of draining it. */
const DRAIN_CAP = 4 * MAX_PART_SIZE;

/**
 * A raw body stream, read up to a limit. A refused body (too large, or not read at all because a check
 * failed) is drained so that the answer reaches the client; past DRAIN_CAP the connection is cut.
 * @example const body = streamBody(request.body as Readable); try { … } finally { body.discard(); }
 */
export function streamBody(stream: Readable | undefined): PartBody & { discard(): void } {
  let used = false;
  return {
    read(maxBytes: number): Promise<Uint8Array | null> {
      used = true;
      if (!stream || stream.readableEnded) return Promise.resolve(new Uint8Array(0));
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) {
            chunks.push(chunk);
            return;
          }
          settled = true;
          cleanup();
          drain(stream, size);
          resolve(null);
        };
        const onEnd = () => {
          if (settled) return;
          settled = true;
          cleanup();
          resolve(Buffer.concat(chunks, size));
        };
        const onError = (error: Error) => {
          if (settled) return;
          settled = true;
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          stream.off("data", onData);
          stream.off("end", onEnd);
          stream.off("error", onError);
        };
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.resume();
      });
    },
    pipe(maxBytes: number, sink: (chunk: Uint8Array) => Promise<void>): Promise<number | null> {
      used = true;
      if (!stream || stream.readableEnded) return Promise.resolve(0);
      return new Promise((resolve, reject) => {
        let size = 0;
        let settled = false;
        let writing: Promise<void> = Promise.resolve();
        const finish = (result: number | null | Error) => {
          if (settled) return;
          settled = true;
          cleanup();
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            cleanup();
            drain(stream, size);
            writing.then(() => finish(null), finish);
            return;
          }
          // One chunk at a time: the stream waits while the sink writes (never more than a chunk in memory).
          stream.pause();
          writing = writing
            .then(() => sink(chunk))
            .then(
              () => {
                if (!settled) stream.resume();
              },
              (error: Error) => {
                finish(error);
                drain(stream, size);
              },
            );
        };
        const onEnd = () => {
          writing.then(() => finish(size), finish);
        };
        const onError = (error: Error) => finish(error);
        const cleanup = () => {
          stream.off("data", onData);
          stream.off("end", onEnd);
          stream.off("error", onError);
        };
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.resume();
      });
    },
    discard() {
      if (stream && !used) drain(stream, 0);
    },
  };
}

function drain(stream: Readable, alreadyRead: number): void {
  if (stream.readableEnded || stream.destroyed) return;
  let total = alreadyRead;
  stream.on("data", (chunk: Buffer) => {
    total += chunk.length;
    if (total > DRAIN_CAP) stream.destroy();
  });
  stream.on("error", () => undefined);
  stream.resume();
}
