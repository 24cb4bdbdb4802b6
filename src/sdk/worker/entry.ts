/**
 * The crypto worker's module in the ESM build (dist/sentc-worker.js): the SDK starts it with
 * `new Worker(new URL("./sentc-worker.js", import.meta.url), { type: "module" })`, which application bundlers
 * recognise and bundle as a worker.
 */
import { serveCryptoWorker } from "./host.js";

serveCryptoWorker();
