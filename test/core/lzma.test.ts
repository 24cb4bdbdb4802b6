import { readFileSync } from "node:fs";
import { compress } from "lzma";
import { describe, expect, it } from "vitest";
import { lzmaDecompress } from "../../src/core/lzma.js";
import { isSentcError } from "../../src/errors.js";

/** The `.lzma` stream of `data` as the UMD build writes it (the `lzma` package, level 9). */
const lzma = (data: Uint8Array, level = 9): Promise<Uint8Array> =>
  new Promise((resolve, reject) =>
    compress(data, level, (result, error) => (error ? reject(error) : resolve(Uint8Array.from(result as number[])))),
  );

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isSentcError(error) ? `${error.code}: ${error.message}` : `untyped: ${error}`;
  }
  return "no error";
}

describe("lzmaDecompress (the UMD build's inlined core)", () => {
  it("restores build/core.wasm", async () => {
    const wasm = new Uint8Array(readFileSync(new URL("../../build/core.wasm", import.meta.url)));
    expect(lzmaDecompress(await lzma(wasm))).toEqual(wasm);
  });

  it("restores text, random bytes, long runs and the empty input, at other levels too", async () => {
    const random = crypto.getRandomValues(new Uint8Array(20_000));
    const text = new TextEncoder().encode("the quick brown fox jumps over the lazy dog. ".repeat(500));
    const mixed = new Uint8Array(30_000);
    for (let i = 0; i < mixed.length; i++) mixed[i] = i % 3 === 0 ? (random[i % random.length] ?? 0) : (i * 7) & 0xff;
    const runs = new Uint8Array(30_000).fill(7);
    for (const [data, level] of [
      [random, 9],
      [text, 9],
      [mixed, 9],
      [runs, 9],
      [new Uint8Array(0), 9],
      [mixed, 1],
      [text, 5],
    ] as const) {
      expect(lzmaDecompress(await lzma(data, level))).toEqual(data);
    }
  });

  it("rejects streams it cannot decode with core_load_failed", async () => {
    const stream = await lzma(new TextEncoder().encode("abcabcabcabcabcabcabcabc".repeat(40)));
    const unknownSize = stream.slice();
    unknownSize.fill(0xff, 5, 13);
    expect(codeOf(() => lzmaDecompress(unknownSize))).toBe(
      "core_load_failed: the inlined core is corrupt: no or too large size",
    );
    const badProperties = stream.slice();
    badProperties[0] = 230;
    expect(codeOf(() => lzmaDecompress(badProperties))).toBe(
      "core_load_failed: the inlined core is corrupt: bad LZMA properties",
    );
    // Damaged data: whatever it decodes to, it fails with the typed error or yields different bytes, never hangs.
    const damaged = stream.slice();
    for (let i = 14; i < damaged.length; i += 5) damaged[i] = damaged[i]! ^ 0x5a;
    const outcome = codeOf(() => lzmaDecompress(damaged));
    expect(outcome === "no error" || outcome.startsWith("core_load_failed: the inlined core is corrupt")).toBe(true);
  });
});
