// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1),
// for Ed25519's hashes and signature scalar (RFC 8032 §5.1.6 steps 2, 4 and 5, §5.1.7 step 2).
//
// Numbers are held as 25 signed 64-bit limbs of 21 bits in static scratch. Reduction folds the bits above
// 2^252 with 2^252 ≡ -δ (mod L), δ = L - 2^252 < 2^125, in four fixed rounds (see reduceLimbs). Every
// function runs in time independent of the values (fixed loop bounds, no branches or indices on data).

// @ts-ignore: decorator
@inline const LIMBS: i32 = 25;
// @ts-ignore: decorator
@inline const MASK21: i64 = 0x1fffff;

/** δ = L - 2^252 in 21-bit limbs. */
const DELTA: usize = memory.data<i64>([1430509, 1626855, 1442968, 997804, 1960495, 683900]);

/** L, 32 bytes little-endian (RFC 8032 §5.1). */
export const SC_L: usize = memory.data<u8>([
  237, 211, 245, 92, 26, 99, 18, 88, 214, 156, 247, 162, 222, 249, 222, 20,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
]);

// Scratch (secret-derived: wiped at the end of every public function here).
const S: usize = memory.data(8 * 26, 16); //   the number being reduced
const A: usize = memory.data(8 * 13, 16); //   factor limbs for scMulAdd
const B: usize = memory.data(8 * 13, 16);
const IN: usize = memory.data(72, 16); //       zero-padded input bytes

// @ts-ignore: decorator
@inline function limb(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function setLimb(p: usize, i: i32, v: i64): void {
  store<i64>(p + (<usize>i << 3), v);
}

/** Splits the `len` (≤ 64) little-endian bytes at `src` into `n` 21-bit limbs at `dst`. */
function toLimbs(dst: usize, n: i32, src: usize, len: i32): void {
  memory.fill(IN, 0, 72);
  memory.copy(IN, src, <usize>len);
  for (let i = 0; i < n; i++) {
    const bit = i * 21;
    setLimb(dst, i, <i64>(load<u64>(IN + <usize>(bit >> 3)) >> <u64>(bit & 7)) & MASK21);
  }
  memory.fill(IN, 0, 72);
}

/** Floor carries: limbs 0..23 end in [0, 2^21); limb 24 keeps the (signed) rest. */
function normalize(): void {
  for (let i = 0; i < LIMBS - 1; i++) {
    const v = limb(S, i);
    const c = v >> 21;
    setLimb(S, i, v & MASK21);
    setLimb(S, i + 1, limb(S, i + 1) + c);
  }
}

/**
 * Reduces the value in S (0 ≤ value < 2^512, normalized) to [0, L). Each round writes
 * value = lo + 2^252·hi (lo < 2^252) and replaces it by lo - hi·δ ≡ value (mod L). Bounds:
 * [0, 2^512) → (-2^385, 2^252) → [0, 2^258.1) → (-2^131.1, 2^252) → [0, L).
 */
function reduceLimbs(): void {
  for (let round = 0; round < 4; round++) {
    for (let k = 12; k < LIMBS; k++) {
      const t = limb(S, k);
      setLimb(S, k, 0);
      const base = S + (<usize>(k - 12) << 3);
      for (let j = 0; j < 6; j++) {
        const p = base + (<usize>j << 3);
        store<i64>(p, load<i64>(p) - t * limb(DELTA, j));
      }
    }
    normalize();
  }
}

/** out = the 64 little-endian bytes at `src` mod L (RFC 8032 §5.1.6 steps 2 and 4), 32 bytes. */
export function scReduce64(out: usize, src: usize): void {
  toLimbs(S, LIMBS, src, 64);
  setLimb(S, LIMBS, 0);
  reduceLimbs();
  packOut(out);
}

/** out = (a·b + c) mod L (RFC 8032 §5.1.6 step 5: S = r + k·s). a, b, c: 32 bytes each; a·b + c < 2^512. */
export function scMulAdd(out: usize, a: usize, b: usize, c: usize): void {
  toLimbs(A, 13, a, 32);
  toLimbs(B, 13, b, 32);
  toLimbs(S, 13, c, 32);
  for (let i = 13; i <= LIMBS; i++) setLimb(S, i, 0);
  // Schoolbook product into 25 column sums (each < 13·2^42), plus c.
  for (let i = 0; i < 13; i++) {
    const ai = limb(A, i);
    const row = S + (<usize>i << 3);
    for (let j = 0; j < 13; j++) {
      const p = row + (<usize>j << 3);
      store<i64>(p, load<i64>(p) + ai * limb(B, j));
    }
  }
  // With a, b < 2^256 the value a·b + c is below 2^512 + 2^256; in use (a < L, b < 2^255) it is below
  // 2^509, inside the range reduceLimbs is proven for.
  normalize();
  reduceLimbs();
  packOut(out);
  memory.fill(A, 0, 8 * 13);
  memory.fill(B, 0, 8 * 13);
}

/** Packs limbs 0..12 of S into 32 bytes at out, then wipes S. */
function packOut(out: usize): void {
  let acc: u64 = 0;
  let bits = 0;
  let o: usize = 0;
  for (let i = 0; i < 13; i++) {
    acc |= <u64>limb(S, i) << <u64>bits;
    bits += 21;
    while (bits >= 8 && o < 32) {
      store<u8>(out + o, <u8>acc);
      o++;
      acc >>= 8;
      bits -= 8;
    }
  }
  memory.fill(S, 0, 8 * 26);
}

/** 1 when the 32 little-endian bytes at s encode an integer < L (RFC 8032 §5.1.7 step 1), else 0. */
export function scIsCanonical(s: usize): i32 {
  // The borrow out of the byte-wise subtraction s - L (least significant byte first) is 1 exactly when s < L.
  let borrow: i32 = 0;
  for (let i = 0; i < 32; i++) {
    borrow = (<i32>load<u8>(s + <usize>i) - <i32>load<u8>(SC_L + <usize>i) - borrow) >>> 31;
  }
  return borrow;
}
