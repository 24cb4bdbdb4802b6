// Argon2id, version 0x13 (RFC 9106), computed lane after lane in one thread: the result equals the RFC's for
// any degree of parallelism p, because within a slice no lane reads a block another lane writes in that
// slice (§3.4).
//
// The m' = 4·p·floor(m / 4p) block matrix lives in the caller's per-call arena (the host reserves it and
// the arena wipes it). Blocks are handled as 64 v128 registers of two 64-bit words each (§3.6).
//
// Timing: Argon2id is data-independent in pass 0, slices 0 and 1 (reference blocks come from the address
// generator, §3.4.1.2) and data-dependent afterwards (reference blocks come from the previous block,
// §3.4.1.1). That split is the design of Argon2id (RFC 9106 §3.4.1.3): the rest's memory accesses depend
// on the password by construction. Everything else (loop bounds, the compression function G) depends
// only on the public parameters.

import { blake2b_final, blake2b_init, blake2b_update, blake2b_wipe } from "./blake2b";
import { ERR_INVALID_INPUT, OK } from "./status";

/** RFC 9106 §3.1: version number v = 0x13. */
// @ts-ignore: decorator
@inline const VERSION: u32 = 0x13;
/** RFC 9106 §3.1: type y = 2 for Argon2id. */
// @ts-ignore: decorator
@inline const TYPE_ID: u32 = 2;
/** RFC 9106 §3.4: SL = 4 slices per pass. */
// @ts-ignore: decorator
@inline const SYNC_POINTS: u32 = 4;
/**
 * Largest accepted memory size in KiB (1 GiB). RFC 9106 allows up to 2^32 − 1 KiB, but wasm32 addresses at
 * most 4 GiB in all, and the arena takes i32 lengths: the matrix (m' KiB) must stay well below 2^31 bytes.
 */
// @ts-ignore: decorator
@inline export const ARGON2_MAX_MEMORY_KIB: i32 = 1 << 20;
/** Largest accepted tag length (RFC 9106 allows up to 2^32 − 1 bytes; 1 MiB is far above any practical use). */
// @ts-ignore: decorator
@inline export const ARGON2_MAX_TAG_BYTES: i32 = 1 << 20;

// Static scratch, 16-byte aligned: R = X ⊕ Y and the intermediate Q of G (§3.5, §3.6), the address block
// and its input block (§3.4.1.2), a zero block, H0 with the two LE32 words appended (§3.2 steps 1, 3, 4), and
// the chaining value of H' (§3.3).
const BLOCK_R: usize = memory.data(1024, 16);
const BLOCK_Z: usize = memory.data(1024, 16);
const BLOCK_ADDR: usize = memory.data(1024, 16);
const BLOCK_INPUT: usize = memory.data(1024, 16);
const BLOCK_TMP: usize = memory.data(1024, 16);
const BLOCK_ZERO: usize = memory.data(1024, 16);
const H0: usize = memory.data(72, 16);
const HPRIME_V: usize = memory.data(64, 16);
const LE32: usize = memory.data(4, 4);

// ---------------------------------------------------------------------------------------------------------
// The compression function G (§3.5) and the permutation P (§3.6) on v128 registers.

// §3.6 GB's multiplication 2 · trunc(a) · trunc(b) (trunc = the low 32 bits of a 64-bit word) is done for
// two registers at once: `lows` gathers the low halves of the four words of two registers, and
// i64x2.extmul_low/high_i32x4_u multiply them into full 64-bit products.

/** The low 32 bits of both 64-bit lanes of x and of y, as the four 32-bit lanes (x0, x1, y0, y1). */
// @ts-ignore: decorator
@inline function lows(x: v128, y: v128): v128 {
  return i32x4.shuffle(x, y, 0, 2, 4, 6);
}

/** §3.6 GB: a + b + 2 · trunc(a) · trunc(b), with s = lows(a, ·) and t = lows(b, ·). */
// @ts-ignore: decorator
@inline function blamkaLow(a: v128, b: v128, s: v128, t: v128): v128 {
  const m = i64x2.extmul_low_i32x4_u(s, t);
  return i64x2.add(i64x2.add(a, b), i64x2.add(m, m));
}

/** §3.6 GB: a + b + 2 · trunc(a) · trunc(b), with s = lows(·, a) and t = lows(·, b). */
// @ts-ignore: decorator
@inline function blamkaHigh(a: v128, b: v128, s: v128, t: v128): v128 {
  const m = i64x2.extmul_high_i32x4_u(s, t);
  return i64x2.add(i64x2.add(a, b), i64x2.add(m, m));
}

/** §3.6 GB: (x ⊕ y) >>> 32 in both 64-bit lanes (swap the 32-bit halves). */
// @ts-ignore: decorator
@inline function xorRotr32(x: v128, y: v128): v128 {
  const v = v128.xor(x, y);
  return i32x4.shuffle(v, v, 1, 0, 3, 2);
}

/**
 * §3.6 GB: (x ⊕ y) >>> 24 in both 64-bit lanes. Two shifts measured faster than the equivalent byte
 * shuffle, whose mask the engine rebuilds at every use.
 */
// @ts-ignore: decorator
@inline function xorRotr24(x: v128, y: v128): v128 {
  const v = v128.xor(x, y);
  return v128.or(i64x2.shr_u(v, 24), i64x2.shl(v, 40));
}

/** §3.6 GB: (x ⊕ y) >>> 16 in both 64-bit lanes (a shuffle of 16-bit lanes). */
// @ts-ignore: decorator
@inline function xorRotr16(x: v128, y: v128): v128 {
  const v = v128.xor(x, y);
  return i8x16.shuffle(v, v, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
}

/** §3.6 GB: (x ⊕ y) >>> 63, i.e. a left rotation by 1, in both 64-bit lanes. */
// @ts-ignore: decorator
@inline function xorRotr63(x: v128, y: v128): v128 {
  const v = v128.xor(x, y);
  return v128.or(i64x2.add(v, v), i64x2.shr_u(v, 63));
}

// Where permute2 reads and writes its registers; a constant at every call, so that inlining leaves only
// the chosen loads and stores. The row pass and the column pass are fused with the XORs of §3.5, so the
// block is never copied: BLOCK_R keeps R = X ⊕ Y and BLOCK_Z keeps Q between the passes.
// @ts-ignore: decorator
@inline const ROWS: i32 = 0; // read R = X ⊕ Y (and keep it in BLOCK_R), write Q to BLOCK_Z
// @ts-ignore: decorator
@inline const COLUMNS: i32 = 1; // read Q, write Z ⊕ R to the output block
// @ts-ignore: decorator
@inline const COLUMNS_XOR: i32 = 2; // read Q, XOR Z ⊕ R into the output block

// @ts-ignore: decorator
@inline function loadReg(mode: i32, offset: usize, x: usize, y: usize): v128 {
  if (mode == ROWS) {
    const r = v128.xor(v128.load(x + offset), v128.load(y + offset));
    v128.store(BLOCK_R + offset, r);
    return r;
  }
  return v128.load(BLOCK_Z + offset);
}

// @ts-ignore: decorator
@inline function storeReg(mode: i32, offset: usize, value: v128, out: usize): void {
  if (mode == ROWS) {
    v128.store(BLOCK_Z + offset, value);
  } else if (mode == COLUMNS) {
    v128.store(out + offset, v128.xor(value, v128.load(BLOCK_R + offset)));
  } else {
    v128.store(out + offset, v128.xor(v128.load(out + offset), v128.xor(value, v128.load(BLOCK_R + offset))));
  }
}

/**
 * §3.6 P applied to two independent sets of eight 16-byte registers at once (two rows or two columns): set
 * k (k = 0, 1) is S0..S7 at block offsets base_k, base_k + stride, …, base_k + 7·stride, read and written
 * as `mode` says. S_i holds the words v_{2i} (low lane) and v_{2i+1}, so the column step GB(v0,v4,v8,v12),
 * GB(v1,v5,v9,v13), GB(v2,v6,v10,v14), GB(v3,v7,v11,v15) is two lane-parallel GBs on (S0,S2,S4,S6) and
 * (S1,S3,S5,S7); the diagonal step is the same after rotating the b, c and d rows by one, two and three
 * words. The four GB chains are interleaved because each is a long dependency chain (the multiply's
 * latency), and the CPU overlaps them.
 */
// @ts-ignore: decorator
@inline function permute2(
  base0: usize, base1: usize, stride: usize, mode: i32, x: usize, y: usize, out: usize,
): void {
  let a0 = loadReg(mode, base0, x, y), a1 = loadReg(mode, base0 + stride, x, y);
  let b0 = loadReg(mode, base0 + 2 * stride, x, y), b1 = loadReg(mode, base0 + 3 * stride, x, y);
  let c0 = loadReg(mode, base0 + 4 * stride, x, y), c1 = loadReg(mode, base0 + 5 * stride, x, y);
  let d0 = loadReg(mode, base0 + 6 * stride, x, y), d1 = loadReg(mode, base0 + 7 * stride, x, y);
  let a2 = loadReg(mode, base1, x, y), a3 = loadReg(mode, base1 + stride, x, y);
  let b2 = loadReg(mode, base1 + 2 * stride, x, y), b3 = loadReg(mode, base1 + 3 * stride, x, y);
  let c2 = loadReg(mode, base1 + 4 * stride, x, y), c3 = loadReg(mode, base1 + 5 * stride, x, y);
  let d2 = loadReg(mode, base1 + 6 * stride, x, y), d3 = loadReg(mode, base1 + 7 * stride, x, y);

  let s: v128, t: v128;
  // Column step: lanes (v0,v1) (v4,v5) (v8,v9) (v12,v13) and (v2,v3) (v6,v7) (v10,v11) (v14,v15).
  s = lows(a0, a1); t = lows(b0, b1); a0 = blamkaLow(a0, b0, s, t); a1 = blamkaHigh(a1, b1, s, t);
  s = lows(a2, a3); t = lows(b2, b3); a2 = blamkaLow(a2, b2, s, t); a3 = blamkaHigh(a3, b3, s, t);
  d0 = xorRotr32(d0, a0); d1 = xorRotr32(d1, a1); d2 = xorRotr32(d2, a2); d3 = xorRotr32(d3, a3);
  s = lows(c0, c1); t = lows(d0, d1); c0 = blamkaLow(c0, d0, s, t); c1 = blamkaHigh(c1, d1, s, t);
  s = lows(c2, c3); t = lows(d2, d3); c2 = blamkaLow(c2, d2, s, t); c3 = blamkaHigh(c3, d3, s, t);
  b0 = xorRotr24(b0, c0); b1 = xorRotr24(b1, c1); b2 = xorRotr24(b2, c2); b3 = xorRotr24(b3, c3);
  s = lows(a0, a1); t = lows(b0, b1); a0 = blamkaLow(a0, b0, s, t); a1 = blamkaHigh(a1, b1, s, t);
  s = lows(a2, a3); t = lows(b2, b3); a2 = blamkaLow(a2, b2, s, t); a3 = blamkaHigh(a3, b3, s, t);
  d0 = xorRotr16(d0, a0); d1 = xorRotr16(d1, a1); d2 = xorRotr16(d2, a2); d3 = xorRotr16(d3, a3);
  s = lows(c0, c1); t = lows(d0, d1); c0 = blamkaLow(c0, d0, s, t); c1 = blamkaHigh(c1, d1, s, t);
  s = lows(c2, c3); t = lows(d2, d3); c2 = blamkaLow(c2, d2, s, t); c3 = blamkaHigh(c3, d3, s, t);
  b0 = xorRotr63(b0, c0); b1 = xorRotr63(b1, c1); b2 = xorRotr63(b2, c2); b3 = xorRotr63(b3, c3);

  // Diagonal step: GB(v0,v5,v10,v15), GB(v1,v6,v11,v12) on lanes (v0,v1) (v5,v6) (v10,v11) (v15,v12), and
  // GB(v2,v7,v8,v13), GB(v3,v4,v9,v14) on lanes (v2,v3) (v7,v4) (v8,v9) (v13,v14). The c registers only
  // swap roles: c1 pairs with the first half, c0 with the second.
  let e0 = i64x2.shuffle(b0, b1, 1, 2), e1 = i64x2.shuffle(b1, b0, 1, 2); // (v5, v6), (v7, v4)
  let f0 = i64x2.shuffle(d1, d0, 1, 2), f1 = i64x2.shuffle(d0, d1, 1, 2); // (v15, v12), (v13, v14)
  let e2 = i64x2.shuffle(b2, b3, 1, 2), e3 = i64x2.shuffle(b3, b2, 1, 2); // (v5, v6), (v7, v4)
  let f2 = i64x2.shuffle(d3, d2, 1, 2), f3 = i64x2.shuffle(d2, d3, 1, 2); // (v15, v12), (v13, v14)
  s = lows(a0, a1); t = lows(e0, e1); a0 = blamkaLow(a0, e0, s, t); a1 = blamkaHigh(a1, e1, s, t);
  s = lows(a2, a3); t = lows(e2, e3); a2 = blamkaLow(a2, e2, s, t); a3 = blamkaHigh(a3, e3, s, t);
  f0 = xorRotr32(f0, a0); f1 = xorRotr32(f1, a1); f2 = xorRotr32(f2, a2); f3 = xorRotr32(f3, a3);
  s = lows(c1, c0); t = lows(f0, f1); c1 = blamkaLow(c1, f0, s, t); c0 = blamkaHigh(c0, f1, s, t);
  s = lows(c3, c2); t = lows(f2, f3); c3 = blamkaLow(c3, f2, s, t); c2 = blamkaHigh(c2, f3, s, t);
  e0 = xorRotr24(e0, c1); e1 = xorRotr24(e1, c0); e2 = xorRotr24(e2, c3); e3 = xorRotr24(e3, c2);
  s = lows(a0, a1); t = lows(e0, e1); a0 = blamkaLow(a0, e0, s, t); a1 = blamkaHigh(a1, e1, s, t);
  s = lows(a2, a3); t = lows(e2, e3); a2 = blamkaLow(a2, e2, s, t); a3 = blamkaHigh(a3, e3, s, t);
  f0 = xorRotr16(f0, a0); f1 = xorRotr16(f1, a1); f2 = xorRotr16(f2, a2); f3 = xorRotr16(f3, a3);
  s = lows(c1, c0); t = lows(f0, f1); c1 = blamkaLow(c1, f0, s, t); c0 = blamkaHigh(c0, f1, s, t);
  s = lows(c3, c2); t = lows(f2, f3); c3 = blamkaLow(c3, f2, s, t); c2 = blamkaHigh(c2, f3, s, t);
  e0 = xorRotr63(e0, c1); e1 = xorRotr63(e1, c0); e2 = xorRotr63(e2, c3); e3 = xorRotr63(e3, c2);
  // Undo the rotation: (v4, v5) (v6, v7) and (v12, v13) (v14, v15).
  b0 = i64x2.shuffle(e1, e0, 1, 2); b1 = i64x2.shuffle(e0, e1, 1, 2);
  d0 = i64x2.shuffle(f0, f1, 1, 2); d1 = i64x2.shuffle(f1, f0, 1, 2);
  b2 = i64x2.shuffle(e3, e2, 1, 2); b3 = i64x2.shuffle(e2, e3, 1, 2);
  d2 = i64x2.shuffle(f2, f3, 1, 2); d3 = i64x2.shuffle(f3, f2, 1, 2);

  storeReg(mode, base0, a0, out); storeReg(mode, base0 + stride, a1, out);
  storeReg(mode, base0 + 2 * stride, b0, out); storeReg(mode, base0 + 3 * stride, b1, out);
  storeReg(mode, base0 + 4 * stride, c0, out); storeReg(mode, base0 + 5 * stride, c1, out);
  storeReg(mode, base0 + 6 * stride, d0, out); storeReg(mode, base0 + 7 * stride, d1, out);
  storeReg(mode, base1, a2, out); storeReg(mode, base1 + stride, a3, out);
  storeReg(mode, base1 + 2 * stride, b2, out); storeReg(mode, base1 + 3 * stride, b3, out);
  storeReg(mode, base1 + 4 * stride, c2, out); storeReg(mode, base1 + 5 * stride, c3, out);
  storeReg(mode, base1 + 6 * stride, d2, out); storeReg(mode, base1 + 7 * stride, d3, out);
}

/**
 * §3.5 G(X, Y) written to `out`; with `xorOut` (passes after the first, version 0x13, §3.2 step 6) the
 * result is XORed into the block already at `out`. X and Y are read completely (row pass) before `out` is
 * written (column pass), so `out` may alias either of them.
 */
function compress(x: usize, y: usize, out: usize, xorOut: bool): void {
  // §3.6: R = X ⊕ Y viewed as an 8×8 matrix of 16-byte registers; P on each row gives Q, P on each column
  // gives Z; §3.5: G(X, Y) = Z ⊕ R.
  for (let row: usize = 0; row < 1024; row += 256) permute2(row, row + 128, 16, ROWS, x, y, out);
  if (xorOut) {
    for (let col: usize = 0; col < 128; col += 32) permute2(col, col + 16, 128, COLUMNS_XOR, x, y, out);
  } else {
    for (let col: usize = 0; col < 128; col += 32) permute2(col, col + 16, 128, COLUMNS, x, y, out);
  }
}

// ---------------------------------------------------------------------------------------------------------
// H' (§3.3) over BLAKE2b.

/** Writes LE32(value) into the static LE32 word and absorbs it. */
function absorbLe32(value: u32): void {
  store<u32>(LE32, value); // wasm memory is little-endian
  blake2b_update(LE32, 4);
}

/** §3.3 H'^T(A): the variable-length hash of the `inLen` bytes at `input`, T = outLen bytes to `out`. */
function hprime(out: usize, outLen: i32, input: usize, inLen: i32): void {
  if (outLen <= 64) {
    // §3.3: if T <= 64, H'^T(A) = H^T(LE32(T) || A).
    blake2b_init(outLen);
    absorbLe32(<u32>outLen);
    blake2b_update(input, inLen);
    blake2b_final(out);
    return;
  }
  // §3.3: r = ceil(T/32) − 2; V1 = H^64(LE32(T) || A); V_i = H^64(V_{i−1}); V_{r+1} = H^{T−32r}(V_r);
  // the output is the first 32 bytes of V1..V_r followed by V_{r+1}.
  const r = ((outLen + 31) >>> 5) - 2;
  blake2b_init(64);
  absorbLe32(<u32>outLen);
  blake2b_update(input, inLen);
  blake2b_final(HPRIME_V);
  memory.copy(out, HPRIME_V, 32);
  let pos: usize = 32;
  for (let i = 2; i <= r; i++) {
    blake2b_init(64);
    blake2b_update(HPRIME_V, 64);
    blake2b_final(HPRIME_V);
    memory.copy(out + pos, HPRIME_V, 32);
    pos += 32;
  }
  blake2b_init(outLen - 32 * r);
  blake2b_update(HPRIME_V, 64);
  blake2b_final(out + pos);
  memory.fill(HPRIME_V, 0, 64);
}

// ---------------------------------------------------------------------------------------------------------
// The block matrix (§3.2, §3.4).

// Public parameters of the running call (m' blocks, t passes, p lanes, q columns, segment length).
// @ts-ignore: decorator
@lazy let mBlocks: u32 = 0;
// @ts-ignore: decorator
@lazy let passes: u32 = 0;
// @ts-ignore: decorator
@lazy let lanes: u32 = 0;
// @ts-ignore: decorator
@lazy let laneLength: u32 = 0;
// @ts-ignore: decorator
@lazy let segmentLength: u32 = 0;
// @ts-ignore: decorator
@lazy let matrix: usize = 0;

/** Address of block B[lane][column], column counted over the whole lane. */
// @ts-ignore: decorator
@inline function blockAt(lane: u32, column: u32): usize {
  return matrix + ((<usize>lane * <usize>laneLength + <usize>column) << 10);
}

/** §3.4.1.2: the next block of 128 pseudo-random J1 || J2 values, G(ZERO, G(ZERO, Z || LE64(i) || ZERO)). */
function nextAddresses(): void {
  store<u64>(BLOCK_INPUT, load<u64>(BLOCK_INPUT, 48) + 1, 48); // the counter i, starting at 1
  compress(BLOCK_ZERO, BLOCK_INPUT, BLOCK_TMP, false);
  compress(BLOCK_ZERO, BLOCK_TMP, BLOCK_ADDR, false);
}

/**
 * §3.4.1.1 / §3.4.2: maps J1 to a column of the reference lane. `index` is the position of the new block in
 * its segment; `sameLane` tells whether the reference lane is the current one.
 */
function referenceColumn(pass: u32, slice: u32, index: u32, j1: u64, sameLane: bool): u32 {
  // §3.4.2: the reference set W. In the same lane: every block computed so far in this lane, except the
  // previous one. In another lane: the blocks of the finished segments (the last SL − 1 = 3 of them after
  // the first pass), minus that set's last block when the new block starts a segment.
  let size: u32;
  if (pass == 0) {
    size = slice * segmentLength;
  } else {
    size = laneLength - segmentLength;
  }
  if (sameLane) {
    size += index - 1;
  } else if (index == 0) {
    size -= 1;
  }
  // §3.4.2: x = J1^2 / 2^32, y = (|W| · x) / 2^32, zz = |W| − 1 − y.
  const x = (j1 * j1) >>> 32;
  const y = (<u64>size * x) >>> 32;
  const zz = <u32>(<u64>size - 1 - y);
  // §3.4.2: W is ordered from the segment after the current one (after the first pass), wrapping around.
  let start: u32 = 0;
  if (pass != 0 && slice != SYNC_POINTS - 1) start = (slice + 1) * segmentLength;
  return (start + zz) % laneLength;
}

/** §3.2 steps 5–6 for one segment: the blocks of lane `lane`, slice `slice`, pass `pass`. */
function fillSegment(pass: u32, slice: u32, lane: u32): void {
  // §3.4.1.3 Argon2id: data-independent addressing in the first half of the first pass.
  const independent = pass == 0 && slice < SYNC_POINTS / 2;
  // §3.2 steps 3–4 made the first two blocks of each lane from H0.
  const first: u32 = pass == 0 && slice == 0 ? 2 : 0;
  if (independent) {
    // §3.4.1.2: Z = LE64(r) || LE64(l) || LE64(sl) || LE64(m') || LE64(t) || LE64(y), then LE64(i), zeros.
    memory.fill(BLOCK_INPUT, 0, 1024);
    store<u64>(BLOCK_INPUT, <u64>pass, 0);
    store<u64>(BLOCK_INPUT, <u64>lane, 8);
    store<u64>(BLOCK_INPUT, <u64>slice, 16);
    store<u64>(BLOCK_INPUT, <u64>mBlocks, 24);
    store<u64>(BLOCK_INPUT, <u64>passes, 32);
    store<u64>(BLOCK_INPUT, <u64>TYPE_ID, 40);
    if (first != 0) nextAddresses();
  }
  for (let index = first; index < segmentLength; index++) {
    const column = slice * segmentLength + index;
    // The previous block: B[i][j−1], or the lane's last block for j = 0 (§3.2 step 6).
    const prev = blockAt(lane, column == 0 ? laneLength - 1 : column - 1);
    let rand: u64;
    if (independent) {
      if (index % 128 == 0) nextAddresses();
      rand = load<u64>(BLOCK_ADDR + ((<usize>index & 127) << 3));
    } else {
      // §3.4.1.1: J1 || J2 are the first 64 bits of the previous block.
      rand = load<u64>(prev);
    }
    // §3.4.1.1: l = J2 mod p, forced to the current lane in the first slice of the first pass.
    let refLane = <u32>((rand >>> 32) % <u64>lanes);
    if (pass == 0 && slice == 0) refLane = lane;
    const refColumn = referenceColumn(pass, slice, index, rand & 0xffffffff, refLane == lane);
    // §3.2 step 5 (first pass), and step 6 with version 0x13's XOR into the old block (later passes).
    compress(prev, blockAt(refLane, refColumn), blockAt(lane, column), pass != 0);
  }
}

/**
 * Argon2id (RFC 9106 §3.1–§3.2) with version 0x13. Inputs: the password, salt, secret K and associated data
 * X at their addresses, memory size `memoryKib` (m), `iterations` (t, read as unsigned), `parallelism` (p)
 * and the tag length T = `outLen`. `work` must point to `workLen` = m'·1024 bytes, m' = 4p·floor(m / 4p),
 * reserved by the host in the arena. Returns ERR_INVALID_INPUT for parameters out of range.
 */
export function argon2id(
  pwd: usize, pwdLen: i32, salt: usize, saltLen: i32, secret: usize, secretLen: i32, ad: usize, adLen: i32,
  memoryKib: i32, iterations: i32, parallelism: i32, out: usize, outLen: i32, work: usize, workLen: i32,
): i32 {
  // §3.1 parameter ranges, with the wasm32 bounds on memory and tag length described above.
  if (pwdLen < 0 || secretLen < 0 || adLen < 0) return ERR_INVALID_INPUT;
  if (saltLen < 8) return ERR_INVALID_INPUT;
  if (outLen < 4 || outLen > ARGON2_MAX_TAG_BYTES) return ERR_INVALID_INPUT;
  if (parallelism < 1 || parallelism > 0xffffff) return ERR_INVALID_INPUT;
  if (iterations == 0) return ERR_INVALID_INPUT;
  if (memoryKib < 8 * parallelism || memoryKib > ARGON2_MAX_MEMORY_KIB) return ERR_INVALID_INPUT;
  // §3.2 step 2: m' = 4p · floor(m / 4p); q = m' / p columns per lane.
  const p = <u32>parallelism;
  const blocks = (<u32>memoryKib / (SYNC_POINTS * p)) * (SYNC_POINTS * p);
  if (workLen != <i32>(blocks << 10)) return ERR_INVALID_INPUT;

  mBlocks = blocks;
  passes = <u32>iterations;
  lanes = p;
  laneLength = blocks / p;
  segmentLength = laneLength / SYNC_POINTS;
  matrix = work;

  // §3.2 step 1: H0 = H^64(LE32(p) || LE32(T) || LE32(m) || LE32(t) || LE32(v) || LE32(y) || LE32(|P|) || P
  // || LE32(|S|) || S || LE32(|K|) || K || LE32(|X|) || X).
  blake2b_init(64);
  absorbLe32(p);
  absorbLe32(<u32>outLen);
  absorbLe32(<u32>memoryKib);
  absorbLe32(<u32>iterations);
  absorbLe32(VERSION);
  absorbLe32(TYPE_ID);
  absorbLe32(<u32>pwdLen);
  blake2b_update(pwd, pwdLen);
  absorbLe32(<u32>saltLen);
  blake2b_update(salt, saltLen);
  absorbLe32(<u32>secretLen);
  blake2b_update(secret, secretLen);
  absorbLe32(<u32>adLen);
  blake2b_update(ad, adLen);
  blake2b_final(H0);

  // §3.2 steps 3–4: B[i][0] = H'^1024(H0 || LE32(0) || LE32(i)), B[i][1] = H'^1024(H0 || LE32(1) || LE32(i)).
  for (let lane: u32 = 0; lane < p; lane++) {
    store<u32>(H0, lane, 68);
    store<u32>(H0, 0, 64);
    hprime(blockAt(lane, 0), 1024, H0, 72);
    store<u32>(H0, 1, 64);
    hprime(blockAt(lane, 1), 1024, H0, 72);
  }

  // §3.2 steps 5–6: t passes of SL = 4 slices; within a slice the lanes are independent (§3.4), so they are
  // computed one after the other.
  for (let pass: u32 = 0; pass < passes; pass++) {
    for (let slice: u32 = 0; slice < SYNC_POINTS; slice++) {
      for (let lane: u32 = 0; lane < p; lane++) fillSegment(pass, slice, lane);
    }
  }

  // §3.2 steps 7–8: C = B[0][q−1] ⊕ B[1][q−1] ⊕ … ⊕ B[p−1][q−1]; tag = H'^T(C).
  memory.copy(BLOCK_TMP, blockAt(0, laneLength - 1), 1024);
  for (let lane: u32 = 1; lane < p; lane++) {
    const last = blockAt(lane, laneLength - 1);
    for (let i: usize = 0; i < 1024; i += 16) {
      v128.store(BLOCK_TMP + i, v128.xor(v128.load(BLOCK_TMP + i), v128.load(last + i)));
    }
  }
  hprime(out, outLen, BLOCK_TMP, 1024);

  // Wipe the static scratch that held password-derived data.
  memory.fill(BLOCK_R, 0, 1024);
  memory.fill(BLOCK_Z, 0, 1024);
  memory.fill(BLOCK_ADDR, 0, 1024);
  memory.fill(BLOCK_INPUT, 0, 1024);
  memory.fill(BLOCK_TMP, 0, 1024);
  memory.fill(H0, 0, 72);
  blake2b_wipe();
  matrix = 0;
  return OK;
}
