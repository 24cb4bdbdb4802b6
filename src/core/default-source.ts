import type { CoreSource } from "./loader.js";

/**
 * Where `initCore()` finds the core when no source is given. From the sources this is build/core.wasm; the
 * library builds replace this module: the ESM build points at dist/core.wasm beside dist/sentc.js, the UMD
 * build returns the core inlined in the script (see scripts/build-lib.mjs).
 */
export function defaultCoreSource(): CoreSource {
  return new URL("../../build/core.wasm", import.meta.url);
}
