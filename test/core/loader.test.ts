import { describe, expect, it } from "vitest";
import { constantTimeEqual, initCore, isCoreReady } from "../../src/core/index.js";
import { isSentcError } from "../../src/errors.js";
import { loadReleaseCore } from "../helpers/core.js";

describe("core loader", () => {
  it("throws core_not_initialized before initCore", () => {
    expect(isCoreReady()).toBe(false);
    try {
      constantTimeEqual(new Uint8Array(1), new Uint8Array(1));
      expect.unreachable();
    } catch (error) {
      expect(isSentcError(error) && error.code).toBe("core_not_initialized");
    }
  });

  it("rejects bytes that are not a wasm module with core_load_failed, and can still load afterwards", async () => {
    await expect(initCore(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: "core_load_failed" });
    await loadReleaseCore();
    expect(isCoreReady()).toBe(true);
  });

  it("loads from the default URL beside the sources (Node file: URL)", async () => {
    await expect(initCore()).resolves.toBeUndefined();
  });

  it("constant-time equality", () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(0x80), Uint8Array.of(0))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});
