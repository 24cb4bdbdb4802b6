// SHA-256 (FIPS 180-4 §6.2). Internal streaming API over a caller-provided state buffer, used by the host
// ABI (assembly/abi/hash.ts), HMAC (assembly/hmac.ts) and HKDF (assembly/hkdf.ts).
//
// State layout (SHA256_STATE_BYTES bytes, any alignment):
//   0..32   H0..H7, the intermediate hash value (§6.2.2 step 4), as native u32
//   32..40  total message length in bytes (u64)
//   40..44  number of bytes waiting in the block buffer (u32, 0..63)
//   48..112 the block buffer
import { OK, ERR_INVALID_INPUT } from "./status";

/** Size of the caller-provided state buffer. */
export const SHA256_STATE_BYTES: i32 = 112;
/** Digest size in bytes. */
export const SHA256_DIGEST_BYTES: i32 = 32;
/** Block size in bytes (§1, Figure 1). */
export const SHA256_BLOCK_BYTES: i32 = 64;

// @ts-ignore: decorator
@inline const OFF_LEN: usize = 32;
// @ts-ignore: decorator
@inline const OFF_FILL: usize = 40;
// @ts-ignore: decorator
@inline const OFF_BUF: usize = 48;

// §5.3.3: the initial hash value H(0).
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// §4.2.2: the round constants K16..K63 (K0..K15 are immediates in the first 16 rounds).
const K16_63: usize = memory.data<u32>([
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// §4.1.2 (4.2)–(4.7): the logical functions on 32-bit words. Maj (4.3) is computed inline in the rounds as
// b ^ ((a ^ b) & (b ^ c)), which equals (a & b) ^ (a & c) ^ (b & c).
// @ts-ignore: decorator
@inline function Ch(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function S0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline function S1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
// @ts-ignore: decorator
@inline function s0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
// @ts-ignore: decorator
@inline function s1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }

/**
 * Processes `blocks` consecutive 64-byte blocks at `p` into the hash value at `state` (§6.2.2). Rounds 0..15 are
 * unrolled with the round constants K0..K15 of §4.2.2 as immediates, rounds 16..63 are one unrolled pass of 16
 * run three times (K16..K63 from a table: 3 KB less code, the same speed); the working variables and the
 * message schedule live in locals, so nothing but the new hash value is written to memory.
 */
export function sha256Blocks(state: usize, p: usize, blocks: i32): void {
  let h0 = load<u32>(state, 0), h1 = load<u32>(state, 4), h2 = load<u32>(state, 8), h3 = load<u32>(state, 12);
  let h4 = load<u32>(state, 16), h5 = load<u32>(state, 20), h6 = load<u32>(state, 24), h7 = load<u32>(state, 28);
  for (let n = 0; n < blocks; n++) {
    // §6.2.2 step 1: W0..W15 are the block's big-endian words (§3.1); the schedule is kept in 16 rolling
    // locals, W_t overwriting W_{t-16} (§6.2.2 step 1, W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16}).
    let v = v128.load(p, 0);
    v = i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    let w0 = i32x4.extract_lane(v, 0);
    let w1 = i32x4.extract_lane(v, 1);
    let w2 = i32x4.extract_lane(v, 2);
    let w3 = i32x4.extract_lane(v, 3);
    v = v128.load(p, 16);
    v = i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    let w4 = i32x4.extract_lane(v, 0);
    let w5 = i32x4.extract_lane(v, 1);
    let w6 = i32x4.extract_lane(v, 2);
    let w7 = i32x4.extract_lane(v, 3);
    v = v128.load(p, 32);
    v = i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    let w8 = i32x4.extract_lane(v, 0);
    let w9 = i32x4.extract_lane(v, 1);
    let w10 = i32x4.extract_lane(v, 2);
    let w11 = i32x4.extract_lane(v, 3);
    v = v128.load(p, 48);
    v = i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    let w12 = i32x4.extract_lane(v, 0);
    let w13 = i32x4.extract_lane(v, 1);
    let w14 = i32x4.extract_lane(v, 2);
    let w15 = i32x4.extract_lane(v, 3);
    // §6.2.2 step 2: initialize the working variables.
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    let t: u32;
    // x and y alternate as a ^ b of this round and b ^ c, which is the previous round's a ^ b.
    let x: u32, y = b ^ c;
    // §6.2.2 step 3: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t; d += T1; h = T1 + Σ0(a) + Maj(a, b, c), with
    // the variables renamed instead of shifted. t = 0..15:
    t = h + S1(e) + Ch(e, f, g) + 0x428a2f98 + w0; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
    t = g + S1(d) + Ch(d, e, f) + 0x71374491 + w1; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
    t = f + S1(c) + Ch(c, d, e) + 0xb5c0fbcf + w2; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
    t = e + S1(b) + Ch(b, c, d) + 0xe9b5dba5 + w3; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
    t = d + S1(a) + Ch(a, b, c) + 0x3956c25b + w4; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
    t = c + S1(h) + Ch(h, a, b) + 0x59f111f1 + w5; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
    t = b + S1(g) + Ch(g, h, a) + 0x923f82a4 + w6; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
    t = a + S1(f) + Ch(f, g, h) + 0xab1c5ed5 + w7; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    t = h + S1(e) + Ch(e, f, g) + 0xd807aa98 + w8; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
    t = g + S1(d) + Ch(d, e, f) + 0x12835b01 + w9; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
    t = f + S1(c) + Ch(c, d, e) + 0x243185be + w10; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
    t = e + S1(b) + Ch(b, c, d) + 0x550c7dc3 + w11; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
    t = d + S1(a) + Ch(a, b, c) + 0x72be5d74 + w12; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
    t = c + S1(h) + Ch(h, a, b) + 0x80deb1fe + w13; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
    t = b + S1(g) + Ch(g, h, a) + 0x9bdc06a7 + w14; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
    t = a + S1(f) + Ch(f, g, h) + 0xc19bf174 + w15; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    // t = 16..63, in three passes of 16 rounds (the same renaming comes round every 8 rounds and the schedule
    // every 16), each computing W_t first (step 1) and taking K_t from K16_63:
    for (let k = K16_63; k < K16_63 + 192; k += 64) {
      w0 += s1(w14) + w9 + s0(w1);
      t = h + S1(e) + Ch(e, f, g) + load<u32>(k, 0) + w0; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
      w1 += s1(w15) + w10 + s0(w2);
      t = g + S1(d) + Ch(d, e, f) + load<u32>(k, 4) + w1; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
      w2 += s1(w0) + w11 + s0(w3);
      t = f + S1(c) + Ch(c, d, e) + load<u32>(k, 8) + w2; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
      w3 += s1(w1) + w12 + s0(w4);
      t = e + S1(b) + Ch(b, c, d) + load<u32>(k, 12) + w3; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
      w4 += s1(w2) + w13 + s0(w5);
      t = d + S1(a) + Ch(a, b, c) + load<u32>(k, 16) + w4; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
      w5 += s1(w3) + w14 + s0(w6);
      t = c + S1(h) + Ch(h, a, b) + load<u32>(k, 20) + w5; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
      w6 += s1(w4) + w15 + s0(w7);
      t = b + S1(g) + Ch(g, h, a) + load<u32>(k, 24) + w6; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
      w7 += s1(w5) + w0 + s0(w8);
      t = a + S1(f) + Ch(f, g, h) + load<u32>(k, 28) + w7; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
      w8 += s1(w6) + w1 + s0(w9);
      t = h + S1(e) + Ch(e, f, g) + load<u32>(k, 32) + w8; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
      w9 += s1(w7) + w2 + s0(w10);
      t = g + S1(d) + Ch(d, e, f) + load<u32>(k, 36) + w9; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
      w10 += s1(w8) + w3 + s0(w11);
      t = f + S1(c) + Ch(c, d, e) + load<u32>(k, 40) + w10; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
      w11 += s1(w9) + w4 + s0(w12);
      t = e + S1(b) + Ch(b, c, d) + load<u32>(k, 44) + w11; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
      w12 += s1(w10) + w5 + s0(w13);
      t = d + S1(a) + Ch(a, b, c) + load<u32>(k, 48) + w12; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
      w13 += s1(w11) + w6 + s0(w14);
      t = c + S1(h) + Ch(h, a, b) + load<u32>(k, 52) + w13; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
      w14 += s1(w12) + w7 + s0(w15);
      t = b + S1(g) + Ch(g, h, a) + load<u32>(k, 56) + w14; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
      w15 += s1(w13) + w8 + s0(w0);
      t = a + S1(f) + Ch(f, g, h) + load<u32>(k, 60) + w15; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    }
    // §6.2.2 step 4: the i-th intermediate hash value.
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
    p += 64;
  }
  store<u32>(state, h0, 0); store<u32>(state, h1, 4); store<u32>(state, h2, 8); store<u32>(state, h3, 12);
  store<u32>(state, h4, 16); store<u32>(state, h5, 20); store<u32>(state, h6, 24); store<u32>(state, h7, 28);
}

/** Starts a new hash in the state buffer at `state` (§5.3.3). */
export function sha256Init(state: usize): void {
  memory.copy(state, IV, 32);
  memory.fill(state + OFF_LEN, 0, <usize>SHA256_STATE_BYTES - OFF_LEN);
}

/** Absorbs `len` bytes at `data`. `len` must be ≥ 0 (the ABI checks it). */
export function sha256Update(state: usize, data: usize, len: i32): void {
  if (len <= 0) return;
  store<u64>(state + OFF_LEN, load<u64>(state + OFF_LEN) + <u64>len);
  let fill = <i32>load<u32>(state + OFF_FILL);
  if (fill > 0) {
    const take = min(64 - fill, len);
    memory.copy(state + OFF_BUF + <usize>fill, data, <usize>take);
    fill += take;
    data += <usize>take;
    len -= take;
    if (fill < 64) {
      store<u32>(state + OFF_FILL, <u32>fill);
      return;
    }
    sha256Blocks(state, state + OFF_BUF, 1);
    fill = 0;
  }
  const blocks = len >>> 6;
  if (blocks > 0) {
    sha256Blocks(state, data, blocks);
    data += <usize>(blocks << 6);
    len &= 63;
  }
  if (len > 0) memory.copy(state + OFF_BUF, data, <usize>len);
  store<u32>(state + OFF_FILL, <u32>len);
}

/** Pads (§5.1.1), writes the 32-byte digest to `out` (§6.2.2, big-endian H0..H7), then wipes the state. */
export function sha256Final(state: usize, out: usize): void {
  const fill = <usize>load<u32>(state + OFF_FILL);
  const bits = load<u64>(state + OFF_LEN) << 3;
  const buf = state + OFF_BUF;
  // §5.1.1: append the bit "1", then k zero bits, then the 64-bit big-endian message length in bits.
  store<u8>(buf + fill, 0x80);
  if (fill >= 56) {
    memory.fill(buf + fill + 1, 0, 63 - fill);
    sha256Blocks(state, buf, 1);
    memory.fill(buf, 0, 56);
  } else {
    memory.fill(buf + fill + 1, 0, 55 - fill);
  }
  store<u64>(buf + 56, bswap<u64>(bits));
  sha256Blocks(state, buf, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
  memory.fill(state, 0, <usize>SHA256_STATE_BYTES);
}

// ---- ABI (re-exported by assembly/abi/hash.ts) ----

// The state of the one-shot export.
const ONESHOT: usize = memory.data(SHA256_STATE_BYTES, 16);

/** ABI: out[32] = SHA-256(data[len]). Returns OK, or ERR_INVALID_INPUT for a negative length. */
export function sha256(data: usize, len: i32, out: usize): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  sha256Init(ONESHOT);
  sha256Update(ONESHOT, data, len);
  sha256Final(ONESHOT, out);
  return OK;
}

/** ABI: starts a streaming hash in the SHA256_STATE_BYTES bytes at `state`. */
export function sha256_init(state: usize): void {
  sha256Init(state);
}

/** ABI: absorbs data[len] into `state`. ERR_INVALID_INPUT for a negative length or a corrupt state. */
export function sha256_update(state: usize, data: usize, len: i32): i32 {
  if (len < 0 || load<u32>(state + OFF_FILL) >= <u32>SHA256_BLOCK_BYTES) return ERR_INVALID_INPUT;
  sha256Update(state, data, len);
  return OK;
}

/** ABI: writes the 32-byte digest of `state` to `out` and wipes the state. ERR_INVALID_INPUT for a corrupt state. */
export function sha256_final(state: usize, out: usize): i32 {
  if (load<u32>(state + OFF_FILL) >= <u32>SHA256_BLOCK_BYTES) return ERR_INVALID_INPUT;
  sha256Final(state, out);
  return OK;
}
