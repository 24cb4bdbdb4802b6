import { readFile } from "node:fs/promises";
import { initCore } from "../../src/core/index.js";

/** Loads the release build of the core (build/core.wasm, made by `npm run build:core`) for a test file. */
export async function loadReleaseCore(): Promise<void> {
  await initCore(await readFile(new URL("../../build/core.wasm", import.meta.url)));
}
