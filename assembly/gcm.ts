// AES-256-GCM (NIST SP 800-38D) with 96-bit IVs and 128-bit tags, constant time.
//
// GCTR (§6.5) uses the bitsliced AES of aes.ts on eight counter blocks at a time. GHASH (§6.4) multiplies
// in GF(2^128) (§6.3) without tables and without carry-less multiply instructions: each 32×32-bit
// carry-less product is assembled from sixteen integer multiplications of operands whose set bits are
// four positions apart ("holes"), so that the integer sums can never carry into a data bit; two levels
// of Karatsuba turn a 128×128 product into nine such 32×32 products, computed two at a time in the two
// 64-bit lanes of i64x2.extmul_{low,high}_i32x4_u.
import { aesEncrypt8, aesExpandKey, aesWipe } from "./aes";
import { ERR_INVALID_INPUT, ERR_VERIFY, OK } from "./status";

// Largest plaintext (bytes) the ABI accepts: output = plaintext ‖ tag must fit an i32 length. This is far
// below the SP 800-38D §5.2.1.1 limit of 2^39 - 256 bits.
const MAX_TEXT: i32 = 0x7fffffff - 16;

// Counter blocks in, key stream out (8 blocks).
const ctrBuf: usize = memory.data(128, 16);
const ksBuf: usize = memory.data(128, 16);
// The nine Karatsuba pieces of H (natural bit order) in five lane pairs, each pair as 8 v128 of bit
// classes arranged for pairMul: 5 × 128 bytes.
const H_TABLE_BYTES: i32 = 640;
const hTable: usize = memory.data(H_TABLE_BYTES, 16);
// E(K, J0) (§7.1 step 6) and one zero-padded block.
const ej0: usize = memory.data(16, 16);
const padBuf: usize = memory.data(16, 16);
// IV ‖ counter template.
const ivBuf: usize = memory.data(16, 16);
// GHASH accumulator Y (natural bit order, two u64).
const acc: usize = memory.data(16, 16);

const M32_0: u64 = 0x11111111;
const M64_0: u64 = 0x1111111111111111;

/**
 * Reverses the bits of every byte. GCM numbers the bits of a block from the most significant bit of its
 * first byte (§6.3: the leftmost bit is the coefficient of x^0); after this reversal, loading the block as
 * a little-endian 128-bit integer puts the coefficient of x^i at bit i ("natural" order).
 */
// @ts-ignore: decorator
@inline function reverseByteBits(v: v128): v128 {
  const m1 = i8x16.splat(0x55);
  const m2 = i8x16.splat(0x33);
  const m4 = i8x16.splat(0x0f);
  v = v128.or(v128.and(i64x2.shr_u(v, 1), m1), i64x2.shl(v128.and(v, m1), 1));
  v = v128.or(v128.and(i64x2.shr_u(v, 2), m2), i64x2.shl(v128.and(v, m2), 2));
  return v128.or(v128.and(i64x2.shr_u(v, 4), m4), i64x2.shl(v128.and(v, m4), 4));
}

/**
 * Two carry-less 32×32-bit products at once: lanes [d1 ⊗ g1, d2 ⊗ g2] for d = d1 | d2 << 32 and the pair
 * (g1, g2) prepared by putPair at `t`. Operands are split into four bit classes x_i = x & (0x11111111 << i).
 * An integer product x_i·y_j has at most 8 terms per bit position, all at positions of class (i + j) mod 4,
 * so each sum fits in its 4-bit gap and bit k of the product is the parity of its terms (the carry-less
 * product). XOR the products of one class, keep that class's bits, and OR the four classes.
 */
// @ts-ignore: decorator
@inline function pairMul(d: u64, t: usize): v128 {
  const dd = i64x2.splat(<i64>d); // [d1, d2, d1, d2]
  const xa = v128.and(dd, i32x4(0x11111111, 0x11111111, 0x44444444, 0x44444444)); // classes 0 | 2
  const xb = v128.and(dd, i32x4(0x22222222, 0x22222222, 0x88888888, 0x88888888)); // classes 1 | 3
  let r = i64x2.splat(0);
  for (let c = 0; c < 4; c++) {
    // Class c of both products: the XOR of the four products x_i·y_(c-i), bits of class c kept.
    const ba = v128.load(t + (<usize>c << 5));
    const bb = v128.load(t + (<usize>c << 5), 16);
    const v = v128.xor(
      v128.xor(i64x2.extmul_low_i32x4_u(xa, ba), i64x2.extmul_high_i32x4_u(xa, ba)),
      v128.xor(i64x2.extmul_low_i32x4_u(xb, bb), i64x2.extmul_high_i32x4_u(xb, bb)),
    );
    r = v128.or(r, v128.and(v, i64x2.splat(<i64>(M64_0 << <u64>c))));
  }
  return r;
}

/** Class c of a 32-bit piece. */
// @ts-ignore: decorator
@inline function cls(g: u64, c: i32): i32 {
  return <i32>(g & (M32_0 << <u64>(c & 3)));
}

/** Lays out the pair (g1, g2) for pairMul at pair slot `q`: class c pairs data classes (0, 2) and (1, 3). */
function putPair(q: i32, g1: u64, g2: u64): void {
  const t = hTable + (<usize>q << 7);
  for (let c = 0; c < 4; c++) {
    v128.store(t + (<usize>c << 5), i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(
      i32x4.splat(cls(g1, c)), 1, cls(g2, c)), 2, cls(g1, c - 2)), 3, cls(g2, c - 2)), 0);
    v128.store(t + (<usize>c << 5), i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(
      i32x4.splat(cls(g1, c - 1)), 1, cls(g2, c - 1)), 2, cls(g1, c - 3)), 3, cls(g2, c - 3)), 16);
  }
}

/** Prepares the multiplication by H (§6.4): the Karatsuba pieces of H in natural order, in lane pairs. */
function setH(h: usize): void {
  const v = reverseByteBits(v128.load(h));
  const lo = <u64>i64x2.extract_lane(v, 0);
  const hi = <u64>i64x2.extract_lane(v, 1);
  const h0 = lo & 0xffffffff, h1 = lo >> 32, h2 = hi & 0xffffffff, h3 = hi >> 32;
  putPair(0, h0, h1);
  putPair(1, h2, h3);
  putPair(2, h0 ^ h2, h1 ^ h3);
  putPair(3, h0 ^ h1, h2 ^ h3);
  putPair(4, h0 ^ h1 ^ h2 ^ h3, 0);
}

/**
 * GHASH_H (§6.4) over `len` bytes at `p`, continuing from the accumulator: Y_i = (Y_{i-1} ⊕ X_i) · H.
 * A final partial block is padded with zeros (the 0^v and 0^u of §7.1 step 5), so only the last call
 * for a string may have a length that is not a multiple of 16.
 */
function ghash(p: usize, len: i32): void {
  let y0 = load<u64>(acc, 0);
  let y1 = load<u64>(acc, 8);
  const full = len & ~15;
  if (full < len) {
    memory.fill(padBuf, 0, 16);
    memory.copy(padBuf, p + <usize>full, <usize>(len - full));
  }
  const end = p + <usize>full;
  const blocks = (len + 15) >> 4;
  let src = p;
  for (let i = 0; i < blocks; i++) {
    if (src == end) src = padBuf; // the padded final block
    const x = reverseByteBits(v128.load(src));
    src += 16;
    y0 ^= <u64>i64x2.extract_lane(x, 0);
    y1 ^= <u64>i64x2.extract_lane(x, 1);
    // Product Y·H (§6.3) as 256 bits, by two levels of Karatsuba on 32-bit pieces.
    // Pieces a0..a3 = 32-bit words of Y; lane pairs of the nine Karatsuba products.
    const y01 = y0 ^ y1; // [a0 ^ a2, a1 ^ a3]
    const s0 = y0 ^ (y0 >> 32), s1 = y1 ^ (y1 >> 32);
    const pl = pairMul(y0, hTable); // [a0 h0, a1 h1]
    const pu = pairMul(y1, hTable + 128); // [a2 h2, a3 h3]
    const pm = pairMul(y01, hTable + 256); // [(a0^a2)(h0^h2), (a1^a3)(h1^h3)]
    const pk = pairMul((s0 & 0xffffffff) | (s1 << 32), hTable + 384); // [(a0^a1)(h0^h1), (a2^a3)(h2^h3)]
    const pz = pairMul((y01 ^ (y01 >> 32)) & 0xffffffff, hTable + 512); // [(a0^a1^a2^a3)(h0^h1^h2^h3), 0]
    const l0 = <u64>i64x2.extract_lane(pl, 0), l2 = <u64>i64x2.extract_lane(pl, 1);
    const u0 = <u64>i64x2.extract_lane(pu, 0), u2 = <u64>i64x2.extract_lane(pu, 1);
    const m0 = <u64>i64x2.extract_lane(pm, 0), m2 = <u64>i64x2.extract_lane(pm, 1);
    const lm = <u64>i64x2.extract_lane(pk, 0) ^ l0 ^ l2;
    const um = <u64>i64x2.extract_lane(pk, 1) ^ u0 ^ u2;
    const mm = <u64>i64x2.extract_lane(pz, 0) ^ m0 ^ m2;
    const lLo = l0 ^ (lm << 32), lHi = l2 ^ (lm >> 32);
    const uLo = u0 ^ (um << 32), uHi = u2 ^ (um >> 32);
    const mLo = m0 ^ (mm << 32) ^ lLo ^ uLo, mHi = m2 ^ (mm >> 32) ^ lHi ^ uHi;
    const p0 = lLo;
    const p1 = lHi ^ mLo;
    let p2 = uLo ^ mHi;
    const p3 = uHi;
    // Reduction modulo x^128 + x^7 + x^2 + x + 1 (§6.3, R = 11100001 ‖ 0^120 in GCM bit order).
    // The high half times (1 + x + x^2 + x^7) spills 7 bits above x^128; fold them in first.
    p2 ^= (p3 >> 63) ^ (p3 >> 62) ^ (p3 >> 57);
    y0 = p0 ^ p2 ^ (p2 << 1) ^ (p2 << 2) ^ (p2 << 7);
    y1 = p1 ^ p3 ^ (p3 << 1) ^ (p3 << 2) ^ (p3 << 7) ^ (p2 >> 63) ^ (p2 >> 62) ^ (p2 >> 57);
  }
  store<u64>(acc, y0, 0);
  store<u64>(acc, y1, 8);
}

/** Writes eight counter blocks IV ‖ [ctr + i]_32 (§6.2 inc_32, §7.1 step 2 J0 = IV ‖ 0^31 ‖ 1). */
// @ts-ignore: decorator
@inline function fillCounters(dst: usize, nonce: usize, ctr: u32): void {
  const iv = v128.load(nonce); // 12 bytes used; lane 3 replaced
  for (let i: u32 = 0; i < 8; i++) {
    v128.store(dst + (<usize>i << 4), i32x4.replace_lane(iv, 3, <i32>bswap<u32>(ctr + i)));
  }
}

/**
 * Expands the key and computes, in one batch of eight blocks, H = E(K, 0^128) (§6.4), E(K, J0) (§7.1
 * step 6) and the key stream for the first six data blocks (counters 2..7, §7.1 step 3). Y = 0.
 */
function setup(key: usize, nonce: usize): void {
  aesExpandKey(key);
  memory.copy(ivBuf, nonce, 12);
  fillCounters(ctrBuf, ivBuf, 0);
  v128.store(ctrBuf, i64x2.splat(0)); // block 0: the zero block for H
  aesEncrypt8(ctrBuf, ksBuf);
  setH(ksBuf);
  v128.store(ej0, v128.load(ksBuf, 16));
  v128.store(acc, i64x2.splat(0));
}

/**
 * GCTR (§6.5) from data block 0: dst = src ⊕ key stream, `len` bytes. Encrypting also runs GHASH over
 * the output as it is produced (`hashOut`); the key stream of the first six blocks comes from setup.
 */
function gctr(src: usize, dst: usize, len: i32, hashOut: bool): void {
  let off = 0;
  let ks = ksBuf + 32;
  let chunk = 96;
  let ctr: u32 = 8;
  while (off < len) {
    if (off > 0) {
      fillCounters(ctrBuf, ivBuf, ctr);
      aesEncrypt8(ctrBuf, ksBuf);
      ctr += 8;
      ks = ksBuf;
      chunk = 128;
    }
    const n = min(chunk, len - off);
    const s = src + <usize>off, d = dst + <usize>off;
    let i = 0;
    for (; i + 16 <= n; i += 16) {
      v128.store(d + i, v128.xor(v128.load(s + i), v128.load(ks + i)));
    }
    for (; i < n; i++) {
      store<u8>(d + i, load<u8>(s + i) ^ load<u8>(ks + i));
    }
    if (hashOut) ghash(d, n);
    off += n;
  }
}

/** GHASH of the length block [len(A)]_64 ‖ [len(C)]_64 (§7.1 step 5), then T = E(K, J0) ⊕ S (step 6). */
function finishTag(aadLen: i32, ctLen: i32, tag: usize): void {
  store<u64>(padBuf, bswap<u64>(<u64>aadLen << 3), 0);
  store<u64>(padBuf, bswap<u64>(<u64>ctLen << 3), 8);
  ghash(padBuf, 16);
  const s = reverseByteBits(v128.load(acc));
  v128.store(tag, v128.xor(s, v128.load(ej0)));
}

function wipeAll(): void {
  aesWipe();
  memory.fill(ctrBuf, 0, 128);
  memory.fill(ksBuf, 0, 128);
  memory.fill(hTable, 0, H_TABLE_BYTES);
  memory.fill(ej0, 0, 16);
  memory.fill(padBuf, 0, 16);
  memory.fill(ivBuf, 0, 16);
  memory.fill(acc, 0, 16);
}

/**
 * GCM-AE (§7.1) with a 32-byte key, a 12-byte IV and a 16-byte tag. Writes ciphertext ‖ tag
 * (ptLen + 16 bytes) to `out`, which must not overlap the inputs except by being equal to `pt`.
 */
export function aes256gcm_encrypt(key: usize, nonce: usize, aad: usize, aadLen: i32, pt: usize, ptLen: i32, out: usize): i32 {
  if (aadLen < 0 || ptLen < 0 || ptLen > MAX_TEXT) return ERR_INVALID_INPUT;
  setup(key, nonce);
  ghash(aad, aadLen);
  gctr(pt, out, ptLen, true);
  finishTag(aadLen, ptLen, out + <usize>ptLen);
  wipeAll();
  return OK;
}

/**
 * GCM-AD (§7.2): `ct` holds ciphertext ‖ tag (ctLen bytes, at least 16). The tag is recomputed and
 * compared in constant time (OR of all byte differences) before any plaintext is produced; on mismatch
 * nothing is written to `out` and ERR_VERIFY is returned.
 */
export function aes256gcm_decrypt(key: usize, nonce: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, out: usize): i32 {
  if (aadLen < 0 || ctLen < 16) return ERR_INVALID_INPUT;
  const n = ctLen - 16;
  setup(key, nonce);
  ghash(aad, aadLen);
  ghash(ct, n);
  finishTag(aadLen, n, padBuf);
  // §7.2 step 8: compare T with the received tag, all 16 bytes.
  const tag = ct + <usize>n;
  const d = v128.xor(v128.load(padBuf), v128.load(tag));
  const diff = <u64>i64x2.extract_lane(d, 0) | <u64>i64x2.extract_lane(d, 1);
  const ok = <i32>(((diff | (0 - diff)) >> 63) ^ 1);
  if (ok == 0) {
    wipeAll();
    return ERR_VERIFY;
  }
  gctr(ct, out, n, false);
  wipeAll();
  return OK;
}
