import { expect } from "vitest";
import { isSentcError } from "../../src/errors.js";

/** The SentcError code `fn` throws, "no error" when it returns, or a marker for any other exception. */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isSentcError(error) ? error.code : `not a SentcError: ${String(error)}`;
  }
  return "no error";
}

/** Asserts that `fn` throws a SentcError with `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  expect(errorCode(fn)).toBe(code);
}

export function expectInvalidInput(fn: () => unknown): void {
  expectCode(fn, "invalid_input");
}

/** True when `needle` occurs anywhere in `haystack` (used to scan wasm memory for leftover secrets). */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
