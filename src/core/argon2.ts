import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** The inputs of {@link argon2id} (RFC 9106 §3.1). */
export interface Argon2idParams {
  /** The password P (any length). */
  password: Uint8Array;
  /** At least 8 bytes (RFC 9106 §3.1). */
  salt: Uint8Array;
  /** Memory size m in KiB: at least 8 · parallelism, at most {@link ARGON2_MAX_MEMORY_KIB}. */
  memoryKib: number;
  /** Number of passes t, at least 1 (at most 2^32 − 1). */
  iterations: number;
  /** Degree of parallelism p, 1 ≤ p ≤ 2^24 − 1. Lanes are computed one after the other. */
  parallelism: number;
  /** Tag length T in bytes: at least 4, at most {@link ARGON2_MAX_TAG_BYTES}. */
  length: number;
  /** Optional secret value K (RFC 9106 §3.1). */
  secret?: Uint8Array;
  /** Optional associated data X (RFC 9106 §3.1). */
  associatedData?: Uint8Array;
}

/**
 * Largest accepted memory size: 1 GiB. RFC 9106 allows up to 2^32 − 1 KiB, but the core runs in 32-bit
 * WebAssembly (4 GiB of address space in all, lengths passed as 32-bit integers), so the block matrix is
 * capped well below 2 GiB.
 */
export const ARGON2_MAX_MEMORY_KIB = 1 << 20;
/** Largest accepted tag length: 1 MiB (RFC 9106 allows up to 2^32 − 1 bytes). */
export const ARGON2_MAX_TAG_BYTES = 1 << 20;

function assertInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(`${name} must be an integer from ${min} to ${max}`);
  }
}

/**
 * Argon2id, version 0x13 (RFC 9106). The block matrix (m' = 4p · floor(m / 4p) KiB) is reserved in the
 * core's per-call arena, then wiped. Argon2id's memory accesses are data-independent in the first half of
 * the first pass and depend on the password afterwards; that is the design of Argon2id (RFC 9106 §3.4.1.3).
 * @returns the `length`-byte tag.
 * @throws {SentcError} `invalid_input` when `params` is not an object, a byte field is not a Uint8Array,
 *   `salt` is shorter than 8 bytes, or a number is not an integer in its range (see {@link Argon2idParams}).
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot reserve `memoryKib` KiB (plus the inputs).
 * @example
 * ```ts
 * import { argon2id, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const key = argon2id({
 *   password: new TextEncoder().encode("correct horse"),
 *   salt: randomBytes(16),
 *   memoryKib: 19456,
 *   iterations: 2,
 *   parallelism: 1,
 *   length: 32,
 * });
 * ```
 */
export function argon2id(params: Argon2idParams): Uint8Array {
  if (typeof params !== "object" || params === null) throw invalidInput("argon2id takes a parameter object");
  const { password, salt, memoryKib, iterations, parallelism, length } = params;
  const secret = params.secret === undefined ? new Uint8Array(0) : params.secret;
  const associatedData = params.associatedData === undefined ? new Uint8Array(0) : params.associatedData;
  assertBytes(password, "password");
  assertBytes(salt, "salt");
  assertBytes(secret, "secret");
  assertBytes(associatedData, "associatedData");
  if (salt.length < 8) throw invalidInput("salt must be at least 8 bytes");
  assertInteger(parallelism, "parallelism", 1, 0xffffff);
  assertInteger(iterations, "iterations", 1, 0xffffffff);
  assertInteger(length, "length", 4, ARGON2_MAX_TAG_BYTES);
  assertInteger(memoryKib, "memoryKib", 8 * parallelism, ARGON2_MAX_MEMORY_KIB);
  const blocks = Math.floor(memoryKib / (4 * parallelism)) * 4 * parallelism;

  return withArena((arena, core) => {
    const pwd = arena.put(password);
    const saltPtr = arena.put(salt);
    const secretPtr = arena.put(secret);
    const adPtr = arena.put(associatedData);
    const out = arena.reserve(length);
    const work = arena.reserve(blocks * 1024);
    const status = core.argon2id(
      pwd,
      password.length,
      saltPtr,
      salt.length,
      secretPtr,
      secret.length,
      adPtr,
      associatedData.length,
      memoryKib,
      iterations | 0,
      parallelism,
      out,
      length,
      work,
      blocks * 1024,
    );
    checkStatus(status, "argon2id");
    return arena.read(out, length);
  });
}
