// AES-256 and AES-128 block cipher (FIPS 197), bitsliced over WebAssembly SIMD: eight blocks per call, constant time.
//
// Layout. Eight 16-byte blocks are held in eight v128 "slices" s0..s7. Byte 4r + c of slice j holds bit j
// of state byte s[r][c] (FIPS 197 §3.4; the input block has it at byte r + 4c) of all eight blocks, block
// b in bit b. Rows are 32-bit lanes. In this layout
//   - SubBytes (§5.1.1) is one boolean circuit evaluated on whole slices (128 S-boxes at once, no table),
//   - ShiftRows (§5.1.2) is one byte shuffle of each slice, and the row rotations of MixColumns (§5.1.3)
//     are 32-bit lane shuffles,
//   - xtime (§4.2.1) is a renaming of slices plus three XORs,
//   - AddRoundKey (§5.1.4) XORs slices of the round key, each byte 0x00 or 0xff.
// No memory index, branch or loop bound depends on the key or the data.
//
// AES-128 (Nk = 4, Nr = 10) and AES-256 (Nk = 8, Nr = 14) share the round machinery; only KeyExpansion
// (§5.2) and the number of rounds differ.

import { ERR_INVALID_INPUT, OK } from "./status";

// Expanded key w[0..59] as bytes (FIPS 197 §5.2; AES-256 uses all 15 round keys, AES-128 the first 11).
const rkBytes: usize = memory.data(240, 16);
// The round keys in slice form: up to 15 × 8 slices of 16 bytes.
const rkSliced: usize = memory.data(15 * 128, 16);
// The eight-block state in slice form.
const st: usize = memory.data(128, 16);
// An all-zero round key (for SubWord).
const zeroKey: usize = memory.data(128, 16);

/**
 * The difference t of one swap step: XOR t into `b` and t << n into `a` to exchange the bits of `b` selected
 * by `m` with the bits of `a` selected by m << n (the masks keep every moved bit inside its byte). The two
 * XORs are written out at each use because AssemblyScript functions return one value.
 */
// @ts-ignore: decorator
@inline function swapLo(a: v128, b: v128, n: i32, m: v128): v128 {
  return v128.and(v128.xor(i64x2.shr_u(a, n), b), m);
}

/**
 * Transposes, for each of the 16 byte positions, the 8×8 bit matrix (block b, bit j) held by the eight
 * v128 at `src` into the eight v128 at `dst`. The transpose is its own inverse: it converts eight blocks
 * to slices and slices back to blocks.
 */
function transpose(src: usize, dst: usize): void {
  // The byte order changes between column order (blocks, §3.4) and row order (slices); the 4×4 byte
  // transpose is its own inverse too.
  const t4 = v128.load(BYTE_TRANSPOSE);
  let x0 = i8x16.swizzle(v128.load(src, 0), t4);
  let x1 = i8x16.swizzle(v128.load(src, 16), t4);
  let x2 = i8x16.swizzle(v128.load(src, 32), t4);
  let x3 = i8x16.swizzle(v128.load(src, 48), t4);
  let x4 = i8x16.swizzle(v128.load(src, 64), t4);
  let x5 = i8x16.swizzle(v128.load(src, 80), t4);
  let x6 = i8x16.swizzle(v128.load(src, 96), t4);
  let x7 = i8x16.swizzle(v128.load(src, 112), t4);
  const m1 = i8x16.splat(0x55);
  const m2 = i8x16.splat(0x33);
  const m4 = i8x16.splat(0x0f);
  let t: v128;
  // 2×2 blocks: row b+1 even bits <-> row b odd bits
  t = swapLo(x0, x1, 1, m1); x1 = v128.xor(x1, t); x0 = v128.xor(x0, i64x2.shl(t, 1));
  t = swapLo(x2, x3, 1, m1); x3 = v128.xor(x3, t); x2 = v128.xor(x2, i64x2.shl(t, 1));
  t = swapLo(x4, x5, 1, m1); x5 = v128.xor(x5, t); x4 = v128.xor(x4, i64x2.shl(t, 1));
  t = swapLo(x6, x7, 1, m1); x7 = v128.xor(x7, t); x6 = v128.xor(x6, i64x2.shl(t, 1));
  // 4×4 blocks
  t = swapLo(x0, x2, 2, m2); x2 = v128.xor(x2, t); x0 = v128.xor(x0, i64x2.shl(t, 2));
  t = swapLo(x1, x3, 2, m2); x3 = v128.xor(x3, t); x1 = v128.xor(x1, i64x2.shl(t, 2));
  t = swapLo(x4, x6, 2, m2); x6 = v128.xor(x6, t); x4 = v128.xor(x4, i64x2.shl(t, 2));
  t = swapLo(x5, x7, 2, m2); x7 = v128.xor(x7, t); x5 = v128.xor(x5, i64x2.shl(t, 2));
  // 8×8
  t = swapLo(x0, x4, 4, m4); x4 = v128.xor(x4, t); x0 = v128.xor(x0, i64x2.shl(t, 4));
  t = swapLo(x1, x5, 4, m4); x5 = v128.xor(x5, t); x1 = v128.xor(x1, i64x2.shl(t, 4));
  t = swapLo(x2, x6, 4, m4); x6 = v128.xor(x6, t); x2 = v128.xor(x2, i64x2.shl(t, 4));
  t = swapLo(x3, x7, 4, m4); x7 = v128.xor(x7, t); x3 = v128.xor(x3, i64x2.shl(t, 4));
  v128.store(dst, x0, 0);
  v128.store(dst, x1, 16);
  v128.store(dst, x2, 32);
  v128.store(dst, x3, 48);
  v128.store(dst, x4, 64);
  v128.store(dst, x5, 80);
  v128.store(dst, x6, 96);
  v128.store(dst, x7, 112);
}

// Byte permutations as swizzle masks (public constants; i8x16.swizzle keeps them in registers, where a
// general byte permutation written as i8x16.shuffle is rebuilt from immediates at every use by V8).
// Row order <-> column order: byte 4r + c <-> byte r + 4c.
const BYTE_TRANSPOSE: usize = memory.data<u8>([0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15], 16);
// ShiftRows (§5.1.2): s'[r][c] = s[r][(c + r) mod 4], byte 4r + c.
const SHIFT_ROWS: usize = memory.data<u8>([0, 1, 2, 3, 5, 6, 7, 4, 10, 11, 8, 9, 15, 12, 13, 14], 16);
// SubWord input: byte r of a word to all of row r.
const WORD_TO_ROWS: usize = memory.data<u8>([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], 16);

// s'[r][c] = s[(r + 1) mod 4][c] and s[(r + 2) mod 4][c]: 32-bit lane rotations.
// @ts-ignore: decorator
@inline function rot1(x: v128): v128 {
  return i8x16.shuffle(x, x, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
}
// @ts-ignore: decorator
@inline function rot2(x: v128): v128 {
  return i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

/**
 * ShiftRows (§5.1.2), MixColumns (§5.1.3) and AddRoundKey (§5.1.4) of the slices y0..y7, stored at `p`.
 * MixColumns per column: s'_r = 2·s_r ⊕ 3·s_{r+1} ⊕ s_{r+2} ⊕ s_{r+3}
 *                              = xtime(s_r ⊕ s_{r+1}) ⊕ s_{r+1} ⊕ rot2(s_r ⊕ s_{r+1}).
 * xtime (§4.2.1) in slices: bit 0 <- a7, 1 <- a0^a7, 2 <- a1, 3 <- a2^a7, 4 <- a3^a7, 5..7 <- a4..a6.
 */
// @ts-ignore: decorator
@inline function mixLayer(p: usize, rk: usize, sr: v128, y0: v128, y1: v128, y2: v128, y3: v128, y4: v128, y5: v128, y6: v128, y7: v128): void {
  const x0 = i8x16.swizzle(y0, sr), z0 = rot1(x0), a0 = v128.xor(x0, z0);
  const x1 = i8x16.swizzle(y1, sr), z1 = rot1(x1), a1 = v128.xor(x1, z1);
  const x2 = i8x16.swizzle(y2, sr), z2 = rot1(x2), a2 = v128.xor(x2, z2);
  const x3 = i8x16.swizzle(y3, sr), z3 = rot1(x3), a3 = v128.xor(x3, z3);
  const x4 = i8x16.swizzle(y4, sr), z4 = rot1(x4), a4 = v128.xor(x4, z4);
  const x5 = i8x16.swizzle(y5, sr), z5 = rot1(x5), a5 = v128.xor(x5, z5);
  const x6 = i8x16.swizzle(y6, sr), z6 = rot1(x6), a6 = v128.xor(x6, z6);
  const x7 = i8x16.swizzle(y7, sr), z7 = rot1(x7), a7 = v128.xor(x7, z7);
  v128.store(p, v128.xor(v128.xor(a7, z0), v128.xor(rot2(a0), v128.load(rk, 0))), 0);
  v128.store(p, v128.xor(v128.xor(v128.xor(a0, a7), z1), v128.xor(rot2(a1), v128.load(rk, 16))), 16);
  v128.store(p, v128.xor(v128.xor(a1, z2), v128.xor(rot2(a2), v128.load(rk, 32))), 32);
  v128.store(p, v128.xor(v128.xor(v128.xor(a2, a7), z3), v128.xor(rot2(a3), v128.load(rk, 48))), 48);
  v128.store(p, v128.xor(v128.xor(v128.xor(a3, a7), z4), v128.xor(rot2(a4), v128.load(rk, 64))), 64);
  v128.store(p, v128.xor(v128.xor(a4, z5), v128.xor(rot2(a5), v128.load(rk, 80))), 80);
  v128.store(p, v128.xor(v128.xor(a5, z6), v128.xor(rot2(a6), v128.load(rk, 96))), 96);
  v128.store(p, v128.xor(v128.xor(a6, z7), v128.xor(rot2(a7), v128.load(rk, 112))), 112);
}

/**
 * One round on the eight slices at `p`, in place: SubBytes (FIPS 197 §5.1.1), ShiftRows (§5.1.2),
 * MixColumns (§5.1.3) unless `last`, and AddRoundKey (§5.1.4) with the sliced round key at `rk`.
 *
 * SubBytes evaluates the S-box as a boolean circuit
 * (multiplicative inverse in GF(2^8) followed by the affine map of §5.1.1, in the 113-gate form of
 * Boyar and Peralta). U0 is the most significant bit (slice 7) and S0 the most significant output bit.
 * The affine constant 0x63 is left out here (its four NOT gates) and folded into round keys 1..14 instead,
 * which is exact because ShiftRows and MixColumns map a state of all-0x63 bytes to itself.
 */
function round(p: usize, rk: usize, last: bool): void {
  const U0 = v128.load(p, 112);
  const U1 = v128.load(p, 96);
  const U2 = v128.load(p, 80);
  const U3 = v128.load(p, 64);
  const U4 = v128.load(p, 48);
  const U5 = v128.load(p, 32);
  const U6 = v128.load(p, 16);
  const U7 = v128.load(p, 0);
  // top linear layer
  const T1 = v128.xor(U0, U3);
  const T2 = v128.xor(U0, U5);
  const T3 = v128.xor(U0, U6);
  const T4 = v128.xor(U3, U5);
  const T5 = v128.xor(U4, U6);
  const T6 = v128.xor(T1, T5);
  const T7 = v128.xor(U1, U2);
  const T8 = v128.xor(U7, T6);
  const T9 = v128.xor(U7, T7);
  const T10 = v128.xor(T6, T7);
  const T11 = v128.xor(U1, U5);
  const T12 = v128.xor(U2, U5);
  const T13 = v128.xor(T3, T4);
  const T14 = v128.xor(T6, T11);
  const T15 = v128.xor(T5, T11);
  const T16 = v128.xor(T5, T12);
  const T17 = v128.xor(T9, T16);
  const T18 = v128.xor(U3, U7);
  const T19 = v128.xor(T7, T18);
  const T20 = v128.xor(T1, T19);
  const T21 = v128.xor(U6, U7);
  const T22 = v128.xor(T7, T21);
  const T23 = v128.xor(T2, T22);
  const T24 = v128.xor(T2, T10);
  const T25 = v128.xor(T20, T17);
  const T26 = v128.xor(T3, T16);
  const T27 = v128.xor(T1, T12);
  // non-linear middle: inversion in GF(2^8) via GF(2^4)
  const M1 = v128.and(T13, T6);
  const M2 = v128.and(T23, T8);
  const M3 = v128.xor(T14, M1);
  const M4 = v128.and(T19, U7);
  const M5 = v128.xor(M4, M1);
  const M6 = v128.and(T3, T16);
  const M7 = v128.and(T22, T9);
  const M8 = v128.xor(T26, M6);
  const M9 = v128.and(T20, T17);
  const M10 = v128.xor(M9, M6);
  const M11 = v128.and(T1, T15);
  const M12 = v128.and(T4, T27);
  const M13 = v128.xor(M12, M11);
  const M14 = v128.and(T2, T10);
  const M15 = v128.xor(M14, M11);
  const M16 = v128.xor(M3, M2);
  const M17 = v128.xor(M5, T24);
  const M18 = v128.xor(M8, M7);
  const M19 = v128.xor(M10, M15);
  const M20 = v128.xor(M16, M13);
  const M21 = v128.xor(M17, M15);
  const M22 = v128.xor(M18, M13);
  const M23 = v128.xor(M19, T25);
  const M24 = v128.xor(M22, M23);
  const M25 = v128.and(M22, M20);
  const M26 = v128.xor(M21, M25);
  const M27 = v128.xor(M20, M21);
  const M28 = v128.xor(M23, M25);
  const M29 = v128.and(M28, M27);
  const M30 = v128.and(M26, M24);
  const M31 = v128.and(M20, M23);
  const M32 = v128.and(M27, M31);
  const M33 = v128.xor(M27, M25);
  const M34 = v128.and(M21, M22);
  const M35 = v128.and(M24, M34);
  const M36 = v128.xor(M24, M25);
  const M37 = v128.xor(M21, M29);
  const M38 = v128.xor(M32, M33);
  const M39 = v128.xor(M23, M30);
  const M40 = v128.xor(M35, M36);
  const M41 = v128.xor(M38, M40);
  const M42 = v128.xor(M37, M39);
  const M43 = v128.xor(M37, M38);
  const M44 = v128.xor(M39, M40);
  const M45 = v128.xor(M42, M41);
  const M46 = v128.and(M44, T6);
  const M47 = v128.and(M40, T8);
  const M48 = v128.and(M39, U7);
  const M49 = v128.and(M43, T16);
  const M50 = v128.and(M38, T9);
  const M51 = v128.and(M37, T17);
  const M52 = v128.and(M42, T15);
  const M53 = v128.and(M45, T27);
  const M54 = v128.and(M41, T10);
  const M55 = v128.and(M44, T13);
  const M56 = v128.and(M40, T23);
  const M57 = v128.and(M39, T19);
  const M58 = v128.and(M43, T3);
  const M59 = v128.and(M38, T22);
  const M60 = v128.and(M37, T20);
  const M61 = v128.and(M42, T1);
  const M62 = v128.and(M45, T4);
  const M63 = v128.and(M41, T2);
  // bottom linear layer (with the affine map of §5.1.1 minus its constant)
  const L0 = v128.xor(M61, M62);
  const L1 = v128.xor(M50, M56);
  const L2 = v128.xor(M46, M48);
  const L3 = v128.xor(M47, M55);
  const L4 = v128.xor(M54, M58);
  const L5 = v128.xor(M49, M61);
  const L6 = v128.xor(M62, L5);
  const L7 = v128.xor(M46, L3);
  const L8 = v128.xor(M51, M59);
  const L9 = v128.xor(M52, M53);
  const L10 = v128.xor(M53, L4);
  const L11 = v128.xor(M60, L2);
  const L12 = v128.xor(M48, M51);
  const L13 = v128.xor(M50, L0);
  const L14 = v128.xor(M52, M61);
  const L15 = v128.xor(M55, L1);
  const L16 = v128.xor(M56, L0);
  const L17 = v128.xor(M57, L1);
  const L18 = v128.xor(M58, L8);
  const L19 = v128.xor(M63, L4);
  const L20 = v128.xor(L0, L1);
  const L21 = v128.xor(L1, L7);
  const L22 = v128.xor(L3, L12);
  const L23 = v128.xor(L18, L2);
  const L24 = v128.xor(L15, L9);
  const L25 = v128.xor(L6, L10);
  const L26 = v128.xor(L7, L9);
  const L27 = v128.xor(L8, L10);
  const L28 = v128.xor(L11, L14);
  const L29 = v128.xor(L11, L17);
  const s0 = v128.xor(L6, L23); // S7 (XNOR in the full S-box)
  const s1 = v128.xor(L13, L27); // S6 (XNOR)
  const s2 = v128.xor(L25, L29); // S5
  const s3 = v128.xor(L20, L22); // S4
  const s4 = v128.xor(L6, L21); // S3
  const s5 = v128.xor(L19, L28); // S2 (XNOR)
  const s6 = v128.xor(L16, L26); // S1 (XNOR)
  const s7 = v128.xor(L6, L24); // S0
  const sr = v128.load(SHIFT_ROWS);
  if (last) {
    // Final round (§5.1): no MixColumns.
    v128.store(p, v128.xor(i8x16.swizzle(s0, sr), v128.load(rk, 0)), 0);
    v128.store(p, v128.xor(i8x16.swizzle(s1, sr), v128.load(rk, 16)), 16);
    v128.store(p, v128.xor(i8x16.swizzle(s2, sr), v128.load(rk, 32)), 32);
    v128.store(p, v128.xor(i8x16.swizzle(s3, sr), v128.load(rk, 48)), 48);
    v128.store(p, v128.xor(i8x16.swizzle(s4, sr), v128.load(rk, 64)), 64);
    v128.store(p, v128.xor(i8x16.swizzle(s5, sr), v128.load(rk, 80)), 80);
    v128.store(p, v128.xor(i8x16.swizzle(s6, sr), v128.load(rk, 96)), 96);
    v128.store(p, v128.xor(i8x16.swizzle(s7, sr), v128.load(rk, 112)), 112);
  } else {
    mixLayer(p, rk, sr, s0, s1, s2, s3, s4, s5, s6, s7);
  }
}

/** AddRoundKey (§5.1.4). */
// @ts-ignore: decorator
@inline function addRoundKey(p: usize, rk: usize): void {
  for (let j = 0; j < 128; j += 16) {
    v128.store(p + j, v128.xor(v128.load(p + j), v128.load(rk + j)));
  }
}

/** Slices of one 16-byte value `v` repeated over all eight blocks: byte k of slice j is -(bit j of v[k]). */
// @ts-ignore: decorator
@inline function spreadBits(v: v128, p: usize): void {
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 7), 7), 0);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 6), 7), 16);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 5), 7), 32);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 4), 7), 48);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 3), 7), 64);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 2), 7), 80);
  v128.store(p, i8x16.shr_s(i8x16.shl(v, 1), 7), 96);
  v128.store(p, i8x16.shr_s(v, 7), 112);
}

/** SubWord (§5.2): the S-box on each of the four bytes of `w`, through the same circuit as SubBytes. */
function subWord(w: u32): u32 {
  // ShiftRows leaves a state whose rows each hold one repeated byte unchanged, so a final round with a
  // zero round key is SubBytes alone.
  spreadBits(i8x16.swizzle(i32x4.splat(<i32>w), v128.load(WORD_TO_ROWS)), st);
  round(st, zeroKey, true);
  // Gather the bits back (byte k, bit j from slice j) and add the affine constant 0x63 (§5.1.1).
  let v = i8x16.splat(0x63);
  for (let j = 0; j < 8; j++) {
    v = v128.xor(v, v128.and(v128.load(st + (<usize>j << 4)), i8x16.shl(i8x16.splat(1), j)));
  }
  return <u32>i32x4.extract_lane(i8x16.shuffle(v, v, 0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);
}

/**
 * KeyExpansion (FIPS 197 §5.2) of the key at `key` with Nk = `nk` words (4 or 8) into Nr + 1 = `nr` + 1
 * round keys, then the round keys in slice form. The constant 0x63 that SubBytes leaves out is added to
 * round keys 1..Nr. `nk` and `nr` are public.
 */
function expandKey(key: usize, nk: i32, nr: i32): void {
  memory.copy(rkBytes, key, <usize>nk << 2);
  let rcon: u32 = 1; // Rcon[i/Nk] (§5.2), low byte = first byte of the word (little-endian load)
  const words = (nr + 1) << 2; // Nb (Nr + 1) words (§5.2)
  for (let i = nk; i < words; i++) {
    let temp = load<u32>(rkBytes + ((<usize>i - 1) << 2));
    const phase = i & (nk - 1); // i mod Nk (Nk is a power of two)
    if (phase == 0) {
      // temp = SubWord(RotWord(temp)) xor Rcon[i/Nk]; RotWord on a little-endian word is a right rotation.
      temp = subWord(rotr<u32>(temp, 8)) ^ rcon;
      rcon = (rcon << 1) ^ (((rcon >> 7) & 1) * 0x11b); // xtime in GF(2^8) (§4.2.1), public value
    } else if (nk > 6 && phase == 4) {
      // §5.2: the extra SubWord for Nk > 6 (AES-256 only).
      temp = subWord(temp);
    }
    store<u32>(rkBytes + (<usize>i << 2), load<u32>(rkBytes + ((<usize>(i - nk)) << 2)) ^ temp);
  }
  const t4 = v128.load(BYTE_TRANSPOSE);
  spreadBits(i8x16.swizzle(v128.load(rkBytes), t4), rkSliced);
  const c63 = i8x16.splat(0x63);
  for (let r = 1; r <= nr; r++) {
    spreadBits(v128.xor(i8x16.swizzle(v128.load(rkBytes + (<usize>r << 4)), t4), c63), rkSliced + (<usize>r << 7));
  }
  memory.fill(rkBytes, 0, 240);
  memory.fill(st, 0, 128);
}

/** Cipher (FIPS 197 §5.1) with `nr` rounds (public) on eight blocks, using the sliced round keys. */
// @ts-ignore: decorator
@inline function encrypt8(src: usize, dst: usize, nr: i32): void {
  transpose(src, st);
  addRoundKey(st, rkSliced); // round 0
  for (let r = 1; r < nr; r++) round(st, rkSliced + (<usize>r << 7), false);
  round(st, rkSliced + (<usize>nr << 7), true);
  transpose(st, dst);
}

/** KeyExpansion for AES-256 (FIPS 197 §5.2, Nk = 8, Nr = 14) of the 32-byte key at `key`. */
export function aesExpandKey(key: usize): void {
  expandKey(key, 8, 14);
}

/**
 * Cipher (FIPS 197 §5.1) on the eight consecutive 16-byte blocks at `src`, written to `dst` (may equal
 * `src`). Needs aesExpandKey first.
 */
export function aesEncrypt8(src: usize, dst: usize): void {
  encrypt8(src, dst, 14);
}

/** KeyExpansion for AES-128 (FIPS 197 §5.2, Nk = 4, Nr = 10) of the 16-byte key at `key`. */
export function aes128ExpandKey(key: usize): void {
  expandKey(key, 4, 10);
}

/** AES-128 Cipher (FIPS 197 §5.1, Nr = 10) on eight blocks, as aesEncrypt8. Needs aes128ExpandKey first. */
export function aes128Encrypt8(src: usize, dst: usize): void {
  encrypt8(src, dst, 10);
}

// Eight blocks of staging space for a last, partial batch.
const tailBuf: usize = memory.data(128, 16);
// Largest number of blocks per call: keeps blocks << 4 far inside the 32-bit address space.
const MAX_BLOCKS: i32 = 1 << 26;

/**
 * AES-128 in ECB form (FIPS 197 §5.1 applied to each block independently): encrypts `blocks` 16-byte
 * blocks at `input` under the 16-byte key at `key` into `output` (may equal `input`). The key schedule,
 * the state and the staging buffer are wiped before returning.
 */
export function aes128_encrypt_blocks(key: usize, input: usize, output: usize, blocks: i32): i32 {
  if (blocks < 0 || blocks > MAX_BLOCKS) return ERR_INVALID_INPUT;
  aes128ExpandKey(key);
  const full = blocks & ~7;
  for (let b = 0; b < full; b += 8) {
    const off = <usize>b << 4;
    aes128Encrypt8(input + off, output + off);
  }
  const rest = blocks - full; // public: depends on the length only
  if (rest > 0) {
    const off = <usize>full << 4;
    const bytes = <usize>rest << 4;
    memory.fill(tailBuf, 0, 128);
    memory.copy(tailBuf, input + off, bytes);
    aes128Encrypt8(tailBuf, tailBuf);
    memory.copy(output + off, tailBuf, bytes);
    memory.fill(tailBuf, 0, 128);
  }
  aesWipe();
  return OK;
}

/** Wipes the expanded key and the state. */
export function aesWipe(): void {
  memory.fill(rkBytes, 0, 240);
  memory.fill(rkSliced, 0, 15 * 128);
  memory.fill(st, 0, 128);
}
