import type { CoreSource } from "./loader.js";

/**
 * Where `initCore()` finds the core when no source is given. From the sources this is build/core.wasm; the
 * library builds replace this module (vite.config.ts): the ESM build points at dist/core.wasm beside the
 * modules, the UMD build decompresses the LZMA-compressed core inlined in the script.
 */
export function defaultCoreSource(): CoreSource {
  return new URL("../../build/core.wasm", import.meta.url);
}
