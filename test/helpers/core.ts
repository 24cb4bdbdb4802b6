import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { initCore } from "../../src/core/index.js";

/**
 * Loads the release build of the core for a test file: build/core.wasm (made by `npm run build:core`), or
 * the file named by SENTC_CORE_WASM (a single area built with `node scripts/build-core.mjs --area NAME`).
 */
export async function loadReleaseCore(): Promise<void> {
  const override = process.env.SENTC_CORE_WASM;
  const bytes = override
    ? await readFile(resolve(override))
    : await readFile(new URL("../../build/core.wasm", import.meta.url));
  await initCore(bytes);
}
