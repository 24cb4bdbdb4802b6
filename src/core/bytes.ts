import { SentcError, invalidInput } from "../errors.js";

/** Throws `invalid_input` unless `value` is a Uint8Array (of `length` bytes, when given). */
export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidInput(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw invalidInput(`${name} must be ${length} bytes, got ${value.length}`);
  }
}

/**
 * The bytes of `parts` one after another, in a new array.
 * @throws nothing.
 * @example
 * ```ts
 * const nonceAndCiphertext = concatBytes([nonce, ciphertext]);
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * `length` random bytes from the platform CSPRNG (`crypto.getRandomValues`), drawn in chunks of at most
 * 65,536 bytes. Does not need {@link initCore}.
 * @throws {SentcError} `invalid_input` when `length` is not a non-negative safe integer.
 * @throws {SentcError} `unsupported_environment` when `crypto.getRandomValues` is not available.
 * @example
 * ```ts
 * import { randomBytes } from "sentc-as/core";
 * const nonce = randomBytes(12);
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw invalidInput(`the length must be a non-negative integer, got ${String(length)}`);
  }
  const webCrypto = globalThis.crypto;
  if (!webCrypto || typeof webCrypto.getRandomValues !== "function") {
    throw new SentcError("unsupported_environment", "crypto.getRandomValues is not available");
  }
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    webCrypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}
