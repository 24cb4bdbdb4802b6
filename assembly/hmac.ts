// HMAC (RFC 2104; FIPS 198-1) over SHA-256 and SHA-512, as used by RFC 4231 and by HKDF (RFC 5869).
//
// A context holds two hash states: the inner hash already keyed with K0 ⊕ ipad and the outer hash keyed
// with K0 ⊕ opad (FIPS 198-1 §4 steps 4 and 7), so a key can be reused for several messages by copying
// the context (HKDF-Expand does that).
import { OK, ERR_INVALID_INPUT } from "./status";
import { SHA256_STATE_BYTES, SHA256_BLOCK_BYTES, sha256Init, sha256Update, sha256Final } from "./sha256";
import { SHA512_STATE_BYTES, SHA512_BLOCK_BYTES, sha512Init, sha512Update, sha512Final } from "./sha512";

/** Size of an HMAC-SHA256 context: inner and outer SHA-256 states. */
export const HMAC_SHA256_CTX_BYTES: i32 = 2 * SHA256_STATE_BYTES;
/** Size of an HMAC-SHA512 context: inner and outer SHA-512 states. */
export const HMAC_SHA512_CTX_BYTES: i32 = 2 * SHA512_STATE_BYTES;

// Scratch for K0 ⊕ pad (one block of the larger hash) and for the inner digest. Both hold key-derived
// data and are wiped before every function of this file returns.
const PAD: usize = memory.data(128, 16);
const INNER: usize = memory.data(64, 16);
// The context of the one-shot exports (large enough for either hash); the Final functions wipe it.
const CTX: usize = memory.data(HMAC_SHA512_CTX_BYTES, 16);

// XORs the first `block` bytes of PAD with `value` (FIPS 198-1 §4 steps 4 and 7).
// @ts-ignore: decorator
@inline function xorPad(block: usize, value: u8): void {
  for (let i: usize = 0; i < block; i++) store<u8>(PAD + i, load<u8>(PAD + i) ^ value);
}

/** Keys an HMAC-SHA256 context with the `keyLen` bytes at `key` (keyLen ≥ 0). */
export function hmacSha256Init(ctx: usize, key: usize, keyLen: i32): void {
  const B = <usize>SHA256_BLOCK_BYTES;
  memory.fill(PAD, 0, B);
  if (keyLen > SHA256_BLOCK_BYTES) {
    // §4 step 2: K0 = H(K) ‖ zeros.
    sha256Init(ctx);
    sha256Update(ctx, key, keyLen);
    sha256Final(ctx, PAD);
  } else if (keyLen > 0) {
    // §4 steps 1 and 3: K0 = K ‖ zeros.
    memory.copy(PAD, key, <usize>keyLen);
  }
  const inner = ctx;
  const outer = ctx + <usize>SHA256_STATE_BYTES;
  // §4 steps 4–5: the inner hash starts with K0 ⊕ ipad (ipad = 0x36 repeated).
  xorPad(B, 0x36);
  sha256Init(inner);
  sha256Update(inner, PAD, SHA256_BLOCK_BYTES);
  // §4 steps 7–8: the outer hash starts with K0 ⊕ opad (opad = 0x5c repeated; 0x36 ^ 0x5c = 0x6a).
  xorPad(B, 0x36 ^ 0x5c);
  sha256Init(outer);
  sha256Update(outer, PAD, SHA256_BLOCK_BYTES);
  memory.fill(PAD, 0, B);
}

/** Absorbs message bytes into the inner hash (FIPS 198-1 §4 step 5). */
export function hmacSha256Update(ctx: usize, data: usize, len: i32): void {
  sha256Update(ctx, data, len);
}

/** Writes the 32-byte tag to `out` (FIPS 198-1 §4 steps 6, 8, 9) and wipes the context. */
export function hmacSha256Final(ctx: usize, out: usize): void {
  const outer = ctx + <usize>SHA256_STATE_BYTES;
  sha256Final(ctx, INNER);
  sha256Update(outer, INNER, 32);
  sha256Final(outer, out);
  memory.fill(INNER, 0, 32);
}

/** Keys an HMAC-SHA512 context with the `keyLen` bytes at `key` (keyLen ≥ 0). */
export function hmacSha512Init(ctx: usize, key: usize, keyLen: i32): void {
  const B = <usize>SHA512_BLOCK_BYTES;
  memory.fill(PAD, 0, B);
  if (keyLen > SHA512_BLOCK_BYTES) {
    // §4 step 2: K0 = H(K) ‖ zeros.
    sha512Init(ctx);
    sha512Update(ctx, key, keyLen);
    sha512Final(ctx, PAD);
  } else if (keyLen > 0) {
    // §4 steps 1 and 3: K0 = K ‖ zeros.
    memory.copy(PAD, key, <usize>keyLen);
  }
  const inner = ctx;
  const outer = ctx + <usize>SHA512_STATE_BYTES;
  // §4 steps 4–5: inner hash keyed with K0 ⊕ ipad.
  xorPad(B, 0x36);
  sha512Init(inner);
  sha512Update(inner, PAD, SHA512_BLOCK_BYTES);
  // §4 steps 7–8: outer hash keyed with K0 ⊕ opad.
  xorPad(B, 0x36 ^ 0x5c);
  sha512Init(outer);
  sha512Update(outer, PAD, SHA512_BLOCK_BYTES);
  memory.fill(PAD, 0, B);
}

/** Absorbs message bytes into the inner hash (FIPS 198-1 §4 step 5). */
export function hmacSha512Update(ctx: usize, data: usize, len: i32): void {
  sha512Update(ctx, data, len);
}

/** Writes the 64-byte tag to `out` (FIPS 198-1 §4 steps 6, 8, 9) and wipes the context. */
export function hmacSha512Final(ctx: usize, out: usize): void {
  const outer = ctx + <usize>SHA512_STATE_BYTES;
  sha512Final(ctx, INNER);
  sha512Update(outer, INNER, 64);
  sha512Final(outer, out);
  memory.fill(INNER, 0, 64);
}

/** ABI: out[32] = HMAC-SHA256(key, data). Returns OK or ERR_INVALID_INPUT for a negative length. */
export function hmac_sha256(key: usize, keyLen: i32, data: usize, dataLen: i32, out: usize): i32 {
  if (keyLen < 0 || dataLen < 0) return ERR_INVALID_INPUT;
  hmacSha256Init(CTX, key, keyLen);
  hmacSha256Update(CTX, data, dataLen);
  hmacSha256Final(CTX, out);
  return OK;
}

/** ABI: out[64] = HMAC-SHA512(key, data). Returns OK or ERR_INVALID_INPUT for a negative length. */
export function hmac_sha512(key: usize, keyLen: i32, data: usize, dataLen: i32, out: usize): i32 {
  if (keyLen < 0 || dataLen < 0) return ERR_INVALID_INPUT;
  hmacSha512Init(CTX, key, keyLen);
  hmacSha512Update(CTX, data, dataLen);
  hmacSha512Final(CTX, out);
  return OK;
}
