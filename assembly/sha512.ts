// SHA-512 (FIPS 180-4 §6.4). Internal streaming API over a caller-provided state buffer, used by the host
// ABI (assembly/abi/hash.ts), HMAC (assembly/hmac.ts) and Ed25519.
//
// State layout (SHA512_STATE_BYTES bytes, any alignment):
//   0..64    H0..H7, the intermediate hash value (§6.4.2 step 4), as native u64
//   64..72   total message length in bytes (u64)
//   72..76   number of bytes waiting in the block buffer (u32, 0..127)
//   80..208  the block buffer
import { OK, ERR_INVALID_INPUT } from "./status";

/** Size of the caller-provided state buffer. */
export const SHA512_STATE_BYTES: i32 = 208;
/** Digest size in bytes. */
export const SHA512_DIGEST_BYTES: i32 = 64;
/** Block size in bytes (§1, Figure 1). */
export const SHA512_BLOCK_BYTES: i32 = 128;

// @ts-ignore: decorator
@inline const OFF_LEN: usize = 64;
// @ts-ignore: decorator
@inline const OFF_FILL: usize = 72;
// @ts-ignore: decorator
@inline const OFF_BUF: usize = 80;

// §4.2.3: the 80 round constants K0..K79.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);

// §5.3.5: the initial hash value H(0).
const IV: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);

// §4.1.3 (4.8)–(4.13): the logical functions on 64-bit words. Maj (4.9) is computed inline in the rounds as
// b ^ ((a ^ b) & (b ^ c)), which equals (a & b) ^ (a & c) ^ (b & c).
// @ts-ignore: decorator
@inline function Ch(x: u64, y: u64, z: u64): u64 { return z ^ (x & (y ^ z)); }
// @ts-ignore: decorator
@inline function S0(x: u64): u64 { return rotr<u64>(x, 28) ^ rotr<u64>(x, 34) ^ rotr<u64>(x, 39); }
// @ts-ignore: decorator
@inline function S1(x: u64): u64 { return rotr<u64>(x, 14) ^ rotr<u64>(x, 18) ^ rotr<u64>(x, 41); }
// @ts-ignore: decorator
@inline function s0(x: u64): u64 { return rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7); }
// @ts-ignore: decorator
@inline function s1(x: u64): u64 { return rotr<u64>(x, 19) ^ rotr<u64>(x, 61) ^ (x >>> 6); }

/**
 * Processes `blocks` consecutive 128-byte blocks at `p` into the hash value at `state` (§6.4.2). The working
 * variables and the message schedule live in locals; nothing is written to memory except the new hash value.
 */
export function sha512Blocks(state: usize, p: usize, blocks: i32): void {
  let h0 = load<u64>(state, 0), h1 = load<u64>(state, 8), h2 = load<u64>(state, 16), h3 = load<u64>(state, 24);
  let h4 = load<u64>(state, 32), h5 = load<u64>(state, 40), h6 = load<u64>(state, 48), h7 = load<u64>(state, 56);
  for (let n = 0; n < blocks; n++) {
    // §6.4.2 step 1: W0..W15 are the block's big-endian words (§3.1); the schedule is kept in 16 rolling
    // locals, W_t overwriting W_{t-16} (§6.4.2 step 1, W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16}).
    let v = v128.load(p, 0);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w0 = i64x2.extract_lane(v, 0);
    let w1 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 16);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w2 = i64x2.extract_lane(v, 0);
    let w3 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 32);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w4 = i64x2.extract_lane(v, 0);
    let w5 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 48);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w6 = i64x2.extract_lane(v, 0);
    let w7 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 64);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w8 = i64x2.extract_lane(v, 0);
    let w9 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 80);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w10 = i64x2.extract_lane(v, 0);
    let w11 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 96);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w12 = i64x2.extract_lane(v, 0);
    let w13 = i64x2.extract_lane(v, 1);
    v = v128.load(p, 112);
    v = i8x16.shuffle(v, v, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    let w14 = i64x2.extract_lane(v, 0);
    let w15 = i64x2.extract_lane(v, 1);
    // §6.4.2 step 2: initialize the working variables.
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    let t: u64;
    // x and y alternate as a ^ b of this round and b ^ c, which is the previous round's a ^ b.
    let x: u64, y = b ^ c;
    // §6.4.2 step 3: T1 = h + Σ1(e) + Ch(e, f, g) + K_t + W_t; d += T1; h = T1 + Σ0(a) + Maj(a, b, c), with
    // the variables renamed instead of shifted. t = 0..15:
    t = h + S1(e) + Ch(e, f, g) + load<u64>(K, 0) + w0; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
    t = g + S1(d) + Ch(d, e, f) + load<u64>(K, 8) + w1; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
    t = f + S1(c) + Ch(c, d, e) + load<u64>(K, 16) + w2; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
    t = e + S1(b) + Ch(b, c, d) + load<u64>(K, 24) + w3; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
    t = d + S1(a) + Ch(a, b, c) + load<u64>(K, 32) + w4; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
    t = c + S1(h) + Ch(h, a, b) + load<u64>(K, 40) + w5; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
    t = b + S1(g) + Ch(g, h, a) + load<u64>(K, 48) + w6; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
    t = a + S1(f) + Ch(f, g, h) + load<u64>(K, 56) + w7; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    t = h + S1(e) + Ch(e, f, g) + load<u64>(K, 64) + w8; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
    t = g + S1(d) + Ch(d, e, f) + load<u64>(K, 72) + w9; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
    t = f + S1(c) + Ch(c, d, e) + load<u64>(K, 80) + w10; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
    t = e + S1(b) + Ch(b, c, d) + load<u64>(K, 88) + w11; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
    t = d + S1(a) + Ch(a, b, c) + load<u64>(K, 96) + w12; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
    t = c + S1(h) + Ch(h, a, b) + load<u64>(K, 104) + w13; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
    t = b + S1(g) + Ch(g, h, a) + load<u64>(K, 112) + w14; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
    t = a + S1(f) + Ch(f, g, h) + load<u64>(K, 120) + w15; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    // t = 16..79 in four passes of 16 rounds, each computing W_t first (step 1):
    for (let k = K + 128; k < K + 640; k += 128) {
      w0 += s1(w14) + w9 + s0(w1);
      t = h + S1(e) + Ch(e, f, g) + load<u64>(k, 0) + w0; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
      w1 += s1(w15) + w10 + s0(w2);
      t = g + S1(d) + Ch(d, e, f) + load<u64>(k, 8) + w1; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
      w2 += s1(w0) + w11 + s0(w3);
      t = f + S1(c) + Ch(c, d, e) + load<u64>(k, 16) + w2; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
      w3 += s1(w1) + w12 + s0(w4);
      t = e + S1(b) + Ch(b, c, d) + load<u64>(k, 24) + w3; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
      w4 += s1(w2) + w13 + s0(w5);
      t = d + S1(a) + Ch(a, b, c) + load<u64>(k, 32) + w4; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
      w5 += s1(w3) + w14 + s0(w6);
      t = c + S1(h) + Ch(h, a, b) + load<u64>(k, 40) + w5; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
      w6 += s1(w4) + w15 + s0(w7);
      t = b + S1(g) + Ch(g, h, a) + load<u64>(k, 48) + w6; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
      w7 += s1(w5) + w0 + s0(w8);
      t = a + S1(f) + Ch(f, g, h) + load<u64>(k, 56) + w7; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
      w8 += s1(w6) + w1 + s0(w9);
      t = h + S1(e) + Ch(e, f, g) + load<u64>(k, 64) + w8; d += t; x = a ^ b; h = t + S0(a) + (b ^ (x & y));
      w9 += s1(w7) + w2 + s0(w10);
      t = g + S1(d) + Ch(d, e, f) + load<u64>(k, 72) + w9; c += t; y = h ^ a; g = t + S0(h) + (a ^ (y & x));
      w10 += s1(w8) + w3 + s0(w11);
      t = f + S1(c) + Ch(c, d, e) + load<u64>(k, 80) + w10; b += t; x = g ^ h; f = t + S0(g) + (h ^ (x & y));
      w11 += s1(w9) + w4 + s0(w12);
      t = e + S1(b) + Ch(b, c, d) + load<u64>(k, 88) + w11; a += t; y = f ^ g; e = t + S0(f) + (g ^ (y & x));
      w12 += s1(w10) + w5 + s0(w13);
      t = d + S1(a) + Ch(a, b, c) + load<u64>(k, 96) + w12; h += t; x = e ^ f; d = t + S0(e) + (f ^ (x & y));
      w13 += s1(w11) + w6 + s0(w14);
      t = c + S1(h) + Ch(h, a, b) + load<u64>(k, 104) + w13; g += t; y = d ^ e; c = t + S0(d) + (e ^ (y & x));
      w14 += s1(w12) + w7 + s0(w15);
      t = b + S1(g) + Ch(g, h, a) + load<u64>(k, 112) + w14; f += t; x = c ^ d; b = t + S0(c) + (d ^ (x & y));
      w15 += s1(w13) + w8 + s0(w0);
      t = a + S1(f) + Ch(f, g, h) + load<u64>(k, 120) + w15; e += t; y = b ^ c; a = t + S0(b) + (c ^ (y & x));
    }
    // §6.4.2 step 4: the i-th intermediate hash value.
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
    p += 128;
  }
  store<u64>(state, h0, 0); store<u64>(state, h1, 8); store<u64>(state, h2, 16); store<u64>(state, h3, 24);
  store<u64>(state, h4, 32); store<u64>(state, h5, 40); store<u64>(state, h6, 48); store<u64>(state, h7, 56);
}

/** Starts a new hash in the state buffer at `state` (§5.3.5). */
export function sha512Init(state: usize): void {
  memory.copy(state, IV, 64);
  memory.fill(state + OFF_LEN, 0, <usize>SHA512_STATE_BYTES - OFF_LEN);
}

/** Absorbs `len` bytes at `data`. `len` must be ≥ 0 (the ABI checks it). */
export function sha512Update(state: usize, data: usize, len: i32): void {
  if (len <= 0) return;
  store<u64>(state + OFF_LEN, load<u64>(state + OFF_LEN) + <u64>len);
  let fill = <i32>load<u32>(state + OFF_FILL);
  if (fill > 0) {
    const take = min(128 - fill, len);
    memory.copy(state + OFF_BUF + <usize>fill, data, <usize>take);
    fill += take;
    data += <usize>take;
    len -= take;
    if (fill < 128) {
      store<u32>(state + OFF_FILL, <u32>fill);
      return;
    }
    sha512Blocks(state, state + OFF_BUF, 1);
    fill = 0;
  }
  const blocks = len >>> 7;
  if (blocks > 0) {
    sha512Blocks(state, data, blocks);
    data += <usize>(blocks << 7);
    len &= 127;
  }
  if (len > 0) memory.copy(state + OFF_BUF, data, <usize>len);
  store<u32>(state + OFF_FILL, <u32>len);
}

/** Pads (§5.1.2), writes the 64-byte digest to `out` (§6.4.2, big-endian H0..H7), then wipes the state. */
export function sha512Final(state: usize, out: usize): void {
  const fill = <usize>load<u32>(state + OFF_FILL);
  const bytes = load<u64>(state + OFF_LEN);
  const buf = state + OFF_BUF;
  // §5.1.2: append the bit "1", then k zero bits, then the 128-bit big-endian message length in bits.
  store<u8>(buf + fill, 0x80);
  if (fill >= 112) {
    memory.fill(buf + fill + 1, 0, 127 - fill);
    sha512Blocks(state, buf, 1);
    memory.fill(buf, 0, 112);
  } else {
    memory.fill(buf + fill + 1, 0, 111 - fill);
  }
  store<u64>(buf + 112, bswap<u64>(bytes >>> 61));
  store<u64>(buf + 120, bswap<u64>(bytes << 3));
  sha512Blocks(state, buf, 1);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(out + i, bswap<u64>(load<u64>(state + i)));
  memory.fill(state, 0, <usize>SHA512_STATE_BYTES);
}

// ---- ABI (re-exported by assembly/abi/hash.ts) ----

// The state of the one-shot export.
const ONESHOT: usize = memory.data(SHA512_STATE_BYTES, 16);

/** ABI: out[64] = SHA-512(data[len]). Returns OK, or ERR_INVALID_INPUT for a negative length. */
export function sha512(data: usize, len: i32, out: usize): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  sha512Init(ONESHOT);
  sha512Update(ONESHOT, data, len);
  sha512Final(ONESHOT, out);
  return OK;
}

/** ABI: starts a streaming hash in the SHA512_STATE_BYTES bytes at `state`. */
export function sha512_init(state: usize): void {
  sha512Init(state);
}

/** ABI: absorbs data[len] into `state`. ERR_INVALID_INPUT for a negative length or a corrupt state. */
export function sha512_update(state: usize, data: usize, len: i32): i32 {
  if (len < 0 || load<u32>(state + OFF_FILL) >= <u32>SHA512_BLOCK_BYTES) return ERR_INVALID_INPUT;
  sha512Update(state, data, len);
  return OK;
}

/** ABI: writes the 64-byte digest of `state` to `out` and wipes the state. ERR_INVALID_INPUT for a corrupt state. */
export function sha512_final(state: usize, out: usize): i32 {
  if (load<u32>(state + OFF_FILL) >= <u32>SHA512_BLOCK_BYTES) return ERR_INVALID_INPUT;
  sha512Final(state, out);
  return OK;
}
