/**
 * The main-thread side of the crypto worker (`Sentc.init({ worker: true })`): starts it with the compiled core,
 * sends it operations of `WORKER_OPS` and rebuilds their results and typed errors. When no worker runs, `offload`
 * calls the same function here instead.
 */
import { coreModule } from "../../core/loader.js";
import { SentcError, type ClientErrorCode } from "../../errors.js";
import type { WorkerOps } from "./ops.js";
import { spawnCryptoWorker } from "./spawn.js";

/** An error as it crosses the worker boundary. */
export interface WorkerErrorData {
  /** Absent for an error that was not a `SentcError` (it comes back as a plain `Error`). */
  code?: ClientErrorCode | "server" | undefined;
  message: string;
  serverCode?: number | undefined;
  httpStatus?: number | undefined;
  /** The reference number the throw site named, if any. */
  reference?: number | undefined;
}

type Settle = [resolve: (value: unknown) => void, reject: (error: unknown) => void];

let worker: Worker | undefined;
let lastId = 0;
const pending = new Map<number, Settle>();

/** How long the worker may take to instantiate the core before the SDK gives up on it. */
const START_TIMEOUT_MS = 20_000;

/**
 * @internal Starts the crypto worker with the already loaded core. Resolves to `true` once it answers; when it
 * cannot start (no `Worker`, a Content-Security-Policy without `worker-src blob:` for the `<script>` build, a
 * failed load) it warns on the console and resolves to `false`: crypto then stays on the main thread. Never throws.
 * @example
 * const running = await startCryptoWorker();
 */
export async function startCryptoWorker(): Promise<boolean> {
  if (worker) return true;
  let started: Worker | undefined;
  try {
    // Throws without `Worker` (e.g. Node) or where the page may not start one.
    started = spawnCryptoWorker();
    const ready = started;
    await new Promise<void>((resolve, reject) => {
      setTimeout(reject, START_TIMEOUT_MS, "no answer");
      // A failed load (e.g. a Content-Security-Policy without worker-src blob:) is an error event.
      ready.onerror = (event) => reject(event.message || "it failed to load");
      ready.onmessage = ({ data }) => (data.ready ? resolve() : reject(rebuildError(data.error)));
      ready.postMessage({ module: coreModule() });
    });
    started.onmessage = ({ data }) => settle(data);
    started.onerror = (event) =>
      stopCryptoWorker(new SentcError("core_load_failed", `crypto worker: ${event.message}`));
    worker = started;
    return true;
  } catch (cause) {
    started?.terminate();
    console.warn(`sentc-as: the crypto worker could not start, crypto runs on the main thread (${cause})`);
    return false;
  }
}

/**
 * @internal Stops the crypto worker (if one runs); calls still waiting reject with `reason`. Later calls run on the
 * main thread. Never throws.
 * @example
 * stopCryptoWorker();
 */
export function stopCryptoWorker(reason: unknown = new SentcError("core_load_failed", "crypto worker stopped")): void {
  worker?.terminate();
  worker = undefined;
  for (const [, reject] of pending.values()) reject(reason);
  pending.clear();
}

/**
 * @internal True while the crypto worker runs. Never throws.
 * @example
 * if (cryptoWorkerRunning()) console.log("crypto runs off the main thread");
 */
export function cryptoWorkerRunning(): boolean {
  return worker !== undefined;
}

/**
 * @internal Runs `op` in the crypto worker when it runs, else `local` (the same function) here. `Uint8Array`
 * arguments are copied once and the copies moved (never the caller's buffers); results come back moved.
 * @throws {SentcError} what the operation throws, with its code; `core_load_failed` when the worker stops meanwhile.
 * @example
 * const body = await offload("prepareRegister", [identifier, password], prepareRegister);
 */
export async function offload<K extends keyof WorkerOps>(
  op: K,
  args: Parameters<WorkerOps[K]>,
  local: WorkerOps[K],
): Promise<Awaited<ReturnType<WorkerOps[K]>>> {
  const target = worker;
  if (target) {
    const moved: ArrayBuffer[] = [];
    const sent = (args as unknown[]).map((arg) => {
      if (!(arg instanceof Uint8Array)) return arg;
      const copy = arg.slice();
      moved.push(copy.buffer as ArrayBuffer);
      return copy;
    });
    const id = ++lastId;
    const answer = new Promise((resolve, reject) => pending.set(id, [resolve, reject]));
    try {
      target.postMessage({ id, op, args: sent }, moved);
      return (await answer) as Awaited<ReturnType<WorkerOps[K]>>;
    } catch (error) {
      // Still pending only when postMessage itself threw (an argument the worker cannot receive, DataCloneError):
      // then the local call gives the typed error. An answer or a stopped worker has removed the entry already.
      if (!pending.delete(id)) throw error;
    }
  }
  return (await (local as (...values: unknown[]) => unknown)(...(args as unknown[]))) as Awaited<
    ReturnType<WorkerOps[K]>
  >;
}

function settle(data: { id: number; value?: unknown; error?: WorkerErrorData }): void {
  const entry = pending.get(data.id);
  if (!entry) return;
  pending.delete(data.id);
  if (data.error) entry[1](rebuildError(data.error));
  else entry[0](data.value);
}

function rebuildError(data: WorkerErrorData): Error {
  if (data.code === undefined) return new Error(data.message);
  const { code, message, ...options } = data;
  return new SentcError(code, message, options as ConstructorParameters<typeof SentcError>[2]);
}
