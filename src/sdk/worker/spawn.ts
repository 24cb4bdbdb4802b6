/**
 * Starts the crypto worker. This is the sources' version (a dev server that compiles TypeScript, e.g. Vite); the
 * library builds replace this module (vite.config.ts): the ESM build starts dist/sentc-worker.js beside the
 * modules, the `<script>` build a Blob worker made of its own code.
 */
import { WORKER_NAME } from "./host.js";

/**
 * @internal A new crypto worker (not yet given the core).
 * @throws {Error} what the `Worker` constructor throws (e.g. a `SecurityError`).
 * @example
 * const worker = spawnCryptoWorker();
 */
export function spawnCryptoWorker(): Worker {
  return new Worker(new URL("./entry.ts", import.meta.url), { type: "module", name: WORKER_NAME });
}
