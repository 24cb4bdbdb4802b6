import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

describe("core size budget", () => {
  it("build/core.wasm is at most 40 KB gzip and has no imports", () => {
    const wasm = readFileSync(new URL("../../build/core.wasm", import.meta.url));
    expect(gzipSync(wasm, { level: 9 }).length).toBeLessThanOrEqual(40 * 1024);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(wasm))).toEqual([]);
  });
});
