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

  it("rejects a truncated stream instead of decoding the missing bytes as zeros", async () => {
    const random = crypto.getRandomValues(new Uint8Array(4_000));
    const text = new TextEncoder().encode("the quick brown fox jumps over the lazy dog. ".repeat(100));
    for (const data of [random, text]) {
      const stream = await lzma(data);
      // The `lzma` package ends the stream with an end marker (about 6 bytes) that a decoder knowing the size never
      // reads, so cutting only that would still decode correctly: the cuts here reach into the data.
      for (const keep of [13, 18, stream.length >> 1, stream.length - 20, stream.length - 12]) {
        expect(
          codeOf(() => lzmaDecompress(stream.subarray(0, keep))),
          `${data.length} bytes cut to ${keep}`,
        ).toBe("core_load_failed: the inlined core is corrupt: the stream ends early");
      }
    }
  });

  it("rejects a declared size above 16 MiB before allocating it", async () => {
    const stream = await lzma(new TextEncoder().encode("abc".repeat(100)));
    const sizeOf = (size: number): Uint8Array => {
      const header = stream.slice();
      new DataView(header.buffer).setUint32(5, size, true);
      return header;
    };
    for (const size of [16 * 2 ** 20 + 1, 2 ** 31 - 1]) {
      expect(
        codeOf(() => lzmaDecompress(sizeOf(size))),
        `size ${size}`,
      ).toBe("core_load_failed: the inlined core is corrupt: no or too large size");
    }
    // 16 MiB itself passes the size check; decoding past the real data (300 bytes, then the end marker) fails.
    const outcome = codeOf(() => lzmaDecompress(sizeOf(16 * 2 ** 20)));
    expect(outcome).toMatch(/^core_load_failed: the inlined core is corrupt: /);
    expect(outcome).not.toContain("size");
  });
});
