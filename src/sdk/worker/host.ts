/**
 * The worker side of the crypto worker: the first message brings the compiled core (`{ module }`), answered with
 * `{ ready: true }`; then every `{ id, op, args }` runs `WORKER_OPS[op]` and is answered with `{ id, value }` (its
 * buffers moved, not copied) or `{ id, error }`.
 */
import { initCore } from "../../core/loader.js";
import { isSentcError } from "../../errors.js";
import type { WorkerErrorData } from "./client.js";
import { WORKER_OPS } from "./ops.js";

/** The name the SDK gives its worker (`self.name` inside it). */
export const WORKER_NAME = "sentc-as crypto";

interface Scope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/**
 * @internal Answers the crypto worker's messages in this (worker) global scope. Never throws; each operation's
 * error is answered to the caller.
 * @example
 * serveCryptoWorker(); // in the worker's entry module
 */
export function serveCryptoWorker(): void {
  const scope = globalThis as unknown as Scope;
  scope.onmessage = async ({ data }) => {
    if (data.module) {
      initCore(data.module).then(
        () => scope.postMessage({ ready: true }),
        (error: unknown) => scope.postMessage({ error: errorData(error) }),
      );
      return;
    }
    try {
      const run = WORKER_OPS[data.op as keyof typeof WORKER_OPS] as (...args: unknown[]) => Promise<unknown>;
      const value = await Promise.resolve()
        .then(() => run(...data.args))
        .finally(() => {
          for (const bytes of bytesIn(data.args)) bytes.fill(0);
        });
      // The result's whole buffers are moved (a view of part of a buffer is copied by the clone instead).
      const moved = bytesIn(value).filter((bytes) => bytes.byteLength === bytes.buffer.byteLength);
      scope.postMessage({ id: data.id, value }, [...new Set(moved.map((bytes) => bytes.buffer))]);
    } catch (error) {
      scope.postMessage({ id: data.id, error: errorData(error) });
    }
  };
}

/**
 * The `Uint8Array`s in a value (arrays and plain objects). The arguments are this worker's own copies: their keys
 * (and file bytes) are wiped once the operation is done.
 */
function bytesIn(value: unknown, found: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) found.push(value);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) bytesIn(item, found);
  return found;
}

function errorData(error: unknown): WorkerErrorData {
  if (!isSentcError(error)) return { message: String((error as Error)?.message ?? error) };
  return {
    code: error.code,
    message: error.message,
    serverCode: error.serverCode,
    httpStatus: error.httpStatus,
    reference: error.hasExplicitReference ? Number(error.status.replace(/^\D+/, "")) : undefined,
  };
}
