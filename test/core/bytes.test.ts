import { describe, expect, it } from "vitest";
import { randomBytes } from "../../src/core/bytes.js";
import { wipeBytes } from "../../src/core/ct.js";
import { SentcError } from "../../src/errors.js";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SentcError ? error.code : `not a SentcError: ${String(error)}`;
  }
  return undefined;
}

describe("randomBytes", () => {
  it("returns the asked number of bytes, across the 65,536-byte chunk boundary", () => {
    expect(randomBytes(0).length).toBe(0);
    const big = randomBytes(65_537);
    expect(big.length).toBe(65_537);
    // The last chunk is filled too: 1 byte alone could be 0, so check a wider tail.
    expect(
      randomBytes(65_536 + 64)
        .subarray(65_536)
        .some((b) => b !== 0),
    ).toBe(true);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "8" as unknown as number])(
    "refuses the length %s with invalid_input",
    (length) => {
      expect(codeOf(() => randomBytes(length))).toBe("invalid_input");
    },
  );
});

describe("wipeBytes", () => {
  it("zeroes the array in place", () => {
    const bytes = new Uint8Array([1, 2, 3, 255]);
    wipeBytes(bytes);
    expect([...bytes]).toEqual([0, 0, 0, 0]);
  });

  it.each([null, undefined, [1, 2], "abc"])("refuses %s with invalid_input", (value) => {
    expect(codeOf(() => wipeBytes(value as unknown as Uint8Array))).toBe("invalid_input");
  });
});
