// Point arithmetic on edwards25519, the twisted Edwards curve -x^2 + y^2 = 1 + d·x^2·y^2 of RFC 8032 §5.1.
//
// Representations (each field element FE_BYTES = 40 bytes, see field25519.ts):
//   extended  (X, Y, Z, T), x = X/Z, y = Y/Z, x·y = T/Z (RFC 8032 §5.1.4)                  160 bytes
//   completed (E, F, G, H), the four factors of the §5.1.4 formulas before the last products:
//             X = E·F, Y = G·H, Z = F·G, T = E·H                                          160 bytes
//   projective (X, Y, Z): an extended point whose T is not needed (input of a doubling)    extended layout
//   affine precomputed (y+x, y-x, 2·d·x·y), Z = 1: table entries for mixed additions      120 bytes
//   cached    (Y+X, Y-X, Z, 2·d·T): a point prepared for repeated additions                160 bytes
//
// Constant time: everything except the functions named *Vartime (and the private helpers only they call),
// which verification uses on public data only (decoding public keys, small-order checks, the double-scalar
// multiplication [s]B + [k]A with public s and k), and the one-time construction of the public tables.
import {
  FE_D, FE_D2, FE_SQRTM1, feAdd, feCarry, feCmov, feCopy, feCswap, feFromBytes, feInvert, feIsNegative, feIsZero, feMul,
  feNeg, feOne, fePow22523, feSq, feSq2, feSub, feToBytes, feZero,
} from "./field25519";

// @ts-ignore: decorator
@inline export const POINT_BYTES: usize = 160;
// @ts-ignore: decorator
@inline export const AFFINE_BYTES: usize = 120;

// Field element offsets inside a point.
// @ts-ignore: decorator
@inline const PX: usize = 0;
// @ts-ignore: decorator
@inline const PY: usize = 40;
// @ts-ignore: decorator
@inline const PZ: usize = 80;
// @ts-ignore: decorator
@inline const PT: usize = 120;

/** The base point B (RFC 8032 §5.1): x, then y = 4/5, as limbs. */
const BASE_X: usize = memory.data<i32>([
  52811034, 25909283, 16144682, 17082669, 27570973, 30858332, 40966398, 8378388, 20764389, 8758491,
]);
const BASE_Y: usize = memory.data<i32>([
  40265304, 26843545, 13421772, 20132659, 26843545, 6710886, 53687091, 13421772, 40265318, 26843545,
]);

// Scratch for the formulas. May hold secret-derived values: wiped by geWipeScratch.
const SCRATCH: usize = memory.data(40 * 8 + 160 * 3 + 128 + 64 + 48, 16);
const F0: usize = SCRATCH;
const F1: usize = SCRATCH + 40;
const F2: usize = SCRATCH + 80;
const F3: usize = SCRATCH + 120;
const F4: usize = SCRATCH + 160;
const F5: usize = SCRATCH + 200;
const F6: usize = SCRATCH + 240;
const F7: usize = SCRATCH + 280;
const PA: usize = SCRATCH + 320; //    extended / projective accumulator
const PB: usize = SCRATCH + 480; //    completed
const PC: usize = SCRATCH + 640; //    extended temporary
const SEL: usize = SCRATCH + 800; //   selected table entry (affine precomputed)
const DIGITS: usize = SCRATCH + 928; // 52 signed radix-32 digits (i8)
const SCALAR: usize = SCRATCH + 992; // the scalar, zero-padded to 48 bytes
const SCRATCH_BYTES: usize = 40 * 8 + 160 * 3 + 128 + 64 + 48;

/** Wipes this module's scratch (call before an exported function returns). */
export function geWipeScratch(): void {
  memory.fill(SCRATCH, 0, SCRATCH_BYTES);
}

/** p = the neutral element (0, 1) in extended coordinates. */
export function geIdentity(p: usize): void {
  feZero(p + PX);
  feOne(p + PY);
  feOne(p + PZ);
  feZero(p + PT);
}

/** Completed → extended: 4 multiplications (RFC 8032 §5.1.4, X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G). */
export function geCompletedToExtended(r: usize, c: usize): void {
  feMul(r + PX, c + PX, c + PY);
  feMul(r + PY, c + PZ, c + PT);
  feMul(r + PZ, c + PY, c + PZ);
  feMul(r + PT, c + PX, c + PT);
}

/** Completed → projective: as above without T, 3 multiplications. */
export function geCompletedToProjective(r: usize, c: usize): void {
  feMul(r + PX, c + PX, c + PY);
  feMul(r + PY, c + PZ, c + PT);
  feMul(r + PZ, c + PY, c + PZ);
}

/**
 * Doubling (RFC 8032 §5.1.4): A = X1^2, B = Y1^2, C = 2·Z1^2, H = A + B, E = H - (X1 + Y1)^2, G = A - B,
 * F = C + G. Reads X, Y, Z of p; writes the completed point (E, F, G, H) to r (r ≠ p).
 */
export function geDouble(r: usize, p: usize): void {
  feSq(F0, p + PX); //                     A
  feSq(F1, p + PY); //                     B
  feAdd(r + PT, F0, F1); //                H = A + B
  feSub(r + PZ, F0, F1); //                G = A - B
  feAdd(F0, p + PX, p + PY);
  feSq(F0, F0); //                         (X1 + Y1)^2
  feSub(r + PX, r + PT, F0); //            E = H - (X1 + Y1)^2
  feSq2(F1, p + PZ); //                    C = 2·Z1^2
  feAdd(r + PY, F1, r + PZ); //            F = C + G
}

/**
 * Mixed addition with an affine precomputed point q (RFC 8032 §5.1.4 with Z2 = 1 and the sums y2 ± x2 and
 * 2·d·x2·y2 precomputed): A = (Y1-X1)·(y2-x2), B = (Y1+X1)·(y2+x2), C = T1·2·d·x2·y2, D = 2·Z1,
 * E = B - A, F = D - C, G = D + C, H = B + A. r (completed) ≠ p.
 */
export function geAddAffine(r: usize, p: usize, q: usize): void {
  feSub(F0, p + PY, p + PX);
  feMul(F0, F0, q + 40); //                A
  feAdd(F1, p + PY, p + PX);
  feMul(F1, F1, q); //                     B
  feSub(r + PX, F1, F0); //                E
  feAdd(r + PT, F1, F0); //                H
  feMul(F0, p + PT, q + 80); //            C
  feAdd(F1, p + PZ, p + PZ); //            D
  feSub(r + PY, F1, F0); //                F
  feAdd(r + PZ, F1, F0); //                G
}

/** Mixed subtraction p - q: the addition above with -q = (y2-x2, y2+x2, -2·d·x2·y2). */
export function geSubAffine(r: usize, p: usize, q: usize): void {
  feSub(F0, p + PY, p + PX);
  feMul(F0, F0, q); //                     A
  feAdd(F1, p + PY, p + PX);
  feMul(F1, F1, q + 40); //                B
  feSub(r + PX, F1, F0); //                E
  feAdd(r + PT, F1, F0); //                H
  feMul(F0, p + PT, q + 80); //            -C
  feAdd(F1, p + PZ, p + PZ); //            D
  feAdd(r + PY, F1, F0); //                F = D - C
  feSub(r + PZ, F1, F0); //                G = D + C
}

/** Extended → cached (Y+X, Y-X, Z, 2·d·T). */
export function geToCached(r: usize, p: usize): void {
  feAdd(r, p + PY, p + PX);
  feSub(r + 40, p + PY, p + PX);
  feCopy(r + 80, p + PZ);
  feMul(r + 120, p + PT, FE_D2);
}

/** Addition with a cached point (RFC 8032 §5.1.4, D = 2·Z1·Z2). r (completed) ≠ p. */
export function geAddCached(r: usize, p: usize, q: usize): void {
  feSub(F0, p + PY, p + PX);
  feMul(F0, F0, q + 40); //                A
  feAdd(F1, p + PY, p + PX);
  feMul(F1, F1, q); //                     B
  feSub(r + PX, F1, F0); //                E
  feAdd(r + PT, F1, F0); //                H
  feMul(F0, p + PT, q + 120); //           C
  feMul(F1, p + PZ, q + 80);
  feAdd(F1, F1, F1); //                    D
  feSub(r + PY, F1, F0); //                F
  feAdd(r + PZ, F1, F0); //                G
}

/** Subtraction of a cached point: -q = (Y-X, Y+X, Z, -2·d·T). */
export function geSubCached(r: usize, p: usize, q: usize): void {
  feSub(F0, p + PY, p + PX);
  feMul(F0, F0, q); //                     A
  feAdd(F1, p + PY, p + PX);
  feMul(F1, F1, q + 40); //                B
  feSub(r + PX, F1, F0); //                E
  feAdd(r + PT, F1, F0); //                H
  feMul(F0, p + PT, q + 120); //           -C
  feMul(F1, p + PZ, q + 80);
  feAdd(F1, F1, F1); //                    D
  feAdd(r + PY, F1, F0); //                F
  feSub(r + PZ, F1, F0); //                G
}

/** Encodes p (RFC 8032 §5.1.2): y as 32 little-endian bytes, the low bit of x in bit 255. Constant time. */
export function geToBytes(s: usize, p: usize): void {
  feInvert(F2, p + PZ);
  feMul(F3, p + PX, F2); //                x
  feMul(F4, p + PY, F2); //                y
  feToBytes(s, F4);
  store<u8>(s + 31, load<u8>(s + 31) | <u8>(feIsNegative(F3) << 7));
}

/**
 * Encodes two points with one inversion (Montgomery's trick: 1/Z1 = Z2/(Z1·Z2), 1/Z2 = Z1/(Z1·Z2)).
 * Constant time.
 */
export function geToBytes2(s1: usize, p1: usize, s2: usize, p2: usize): void {
  feMul(F5, p1 + PZ, p2 + PZ);
  feInvert(F5, F5);
  feMul(F2, F5, p2 + PZ); //               1/Z1
  feMul(F3, p1 + PX, F2);
  feMul(F4, p1 + PY, F2);
  feToBytes(s1, F4);
  store<u8>(s1 + 31, load<u8>(s1 + 31) | <u8>(feIsNegative(F3) << 7));
  feMul(F2, F5, p1 + PZ); //               1/Z2
  feMul(F3, p2 + PX, F2);
  feMul(F4, p2 + PY, F2);
  feToBytes(s2, F4);
  store<u8>(s2 + 31, load<u8>(s2 + 31) | <u8>(feIsNegative(F3) << 7));
}

/** 1 when the public little-endian bytes s (bit 255 cleared) encode an integer < p. Variable time. */
function isCanonicalY(s: usize): bool {
  // p = 2^255 - 19: s ≥ p only if bytes 1..30 are 0xff, byte 31 (masked) is 0x7f and byte 0 ≥ 0xed.
  if ((load<u8>(s + 31) & 0x7f) != 0x7f) return true;
  for (let i: usize = 30; i >= 1; i--) if (load<u8>(s + i) != 0xff) return true;
  return load<u8>(s) < 0xed;
}

/**
 * Decodes a point (RFC 8032 §5.1.3) from 32 public bytes into extended coordinates. Strict: rejects a
 * y ≥ p (step 1) and x = 0 with x_0 = 1 (step 4). Returns 1 on success, 0 for an invalid encoding.
 * Variable time (public keys and signatures only).
 */
export function geFromBytesVartime(p: usize, s: usize): i32 {
  // Step 1: y is the low 255 bits; it must be canonical.
  if (!isCanonicalY(s)) return 0;
  const x0 = <i32>(load<u8>(s + 31) >> 7);
  feFromBytes(p + PY, s);
  feOne(p + PZ);
  // Step 2: u = y^2 - 1, v = d·y^2 + 1.
  feSq(F0, p + PY);
  feMul(F1, F0, FE_D);
  feSub(F0, F0, p + PZ); //                u
  feAdd(F1, F1, p + PZ); //                v
  // Step 3: x = u·v^3·(u·v^7)^((p-5)/8).
  feSq(F2, F1);
  feMul(F2, F2, F1); //                    v^3
  feSq(F3, F2);
  feMul(F3, F3, F1); //                    v^7
  feMul(F3, F3, F0); //                    u·v^7
  fePow22523(F3, F3);
  feMul(F3, F3, F2);
  feMul(p + PX, F3, F0); //                x candidate
  // If v·x^2 = u, x is a root; if v·x^2 = -u, x·sqrt(-1) is; otherwise there is none.
  feSq(F2, p + PX);
  feMul(F2, F2, F1); //                    v·x^2
  feSub(F3, F2, F0);
  if (!feIsZero(F3)) {
    feAdd(F3, F2, F0);
    if (!feIsZero(F3)) return 0;
    feMul(p + PX, p + PX, FE_SQRTM1);
  }
  // Step 4: x = 0 with x_0 = 1 is invalid; pick the root whose low bit is x_0.
  if (feIsZero(p + PX) && x0 == 1) return 0;
  if (feIsNegative(p + PX) != x0) feNeg(p + PX, p + PX);
  feMul(p + PT, p + PX, p + PY);
  return 1;
}

/** 1 when [8]p is the neutral element, i.e. p has small order (1, 2, 4 or 8). Variable time. */
export function geHasSmallOrderVartime(p: usize): bool {
  geDouble(PB, p);
  geCompletedToProjective(PC, PB);
  geDouble(PB, PC);
  geCompletedToProjective(PC, PB);
  geDouble(PB, PC);
  geCompletedToProjective(PC, PB);
  // Neutral element: X = 0 and Y = Z.
  if (!feIsZero(PC + PX)) return false;
  feSub(F0, PC + PY, PC + PZ);
  return feIsZero(F0) != 0;
}

// ---- Fixed-base multiplication [a]B for signing (constant time) ----

/**
 * TABLE[i][j-1] = j·32^(2i)·B for i = 0..25, j = 1..16, as affine precomputed points padded to ENTRY = 128
 * bytes (eight SIMD words): 52 KiB of static memory, computed once on first use (public data).
 */
// @ts-ignore: decorator
@inline const ENTRY: usize = 128;
// @ts-ignore: decorator
@inline const ROWS: i32 = 26;
// @ts-ignore: decorator
@inline const ROW_ENTRIES: i32 = 16;
const TABLE: usize = memory.data(ROWS * ROW_ENTRIES * <i32>ENTRY, 16);
/** ODD[j] = (2j+1)·B for j = 0..63 (wNAF digits of width 8 in verification), computed on first use. */
const ODD: usize = memory.data(64 * 120, 16);
let tablesReady = false;
/** A cached point for the table builders and the A multiples (public data). */
const CACHE2: usize = memory.data(160, 16);

/** Batch size of batchToAffine: 64 field elements of scratch. */
const BATCH: usize = memory.data(64 * 40, 16);

/** Turns the entry q holding (X, Y, Z) into (y+x, y-x, 2·d·x·y) given zinv = 1/Z. */
function finishAffine(q: usize, zinv: usize): void {
  feMul(F3, q, zinv); //                   x
  feMul(F4, q + 40, zinv); //              y
  feMul(F6, F3, F4);
  feMul(q + 80, F6, FE_D2);
  feAdd(q, F4, F3);
  feSub(q + 40, F4, F3);
  // Bring y±x back to carried limbs: table entries feed many multiplications.
  feCarry(q, q);
  feCarry(q + 40, q + 40);
}

/**
 * Converts n ≤ 64 entries (X, Y, Z) at base, base + stride, … to affine precomputed form with a single
 * inversion (Montgomery's trick: invert the product of all Z, then peel off one Z at a time).
 */
function batchToAffine(base: usize, stride: usize, n: i32): void {
  feCopy(BATCH, base + 80);
  for (let i = 1; i < n; i++) {
    feMul(BATCH + <usize>i * 40, BATCH + <usize>(i - 1) * 40, base + <usize>i * stride + 80);
  }
  feInvert(F5, BATCH + <usize>(n - 1) * 40); //      1/(Z_0 ⋯ Z_(n-1))
  for (let i = n - 1; i > 0; i--) {
    const q = base + <usize>i * stride;
    feMul(F2, F5, BATCH + <usize>(i - 1) * 40); //   1/Z_i
    feMul(F5, F5, q + 80); //                         1/(Z_0 ⋯ Z_(i-1))
    finishAffine(q, F2);
  }
  finishAffine(base, F5);
}

/** Builds TABLE and ODD (public data). */
function initTables(): void {
  const P = PA, Q = PC;
  // P = B.
  feCopy(P + PX, BASE_X);
  feCopy(P + PY, BASE_Y);
  feOne(P + PZ);
  feMul(P + PT, BASE_X, BASE_Y);
  // ODD: (2j+1)·B, stepping by 2B; entries first hold (X, Y, Z).
  geDouble(PB, P);
  geCompletedToExtended(Q, PB); //                    2B
  geToCached(CACHE2, Q);
  memory.copy(Q, P, 160);
  for (let j = 0; j < 64; j++) {
    memory.copy(ODD + <usize>j * 120, Q, 120);
    geAddCached(PB, Q, CACHE2);
    geCompletedToExtended(Q, PB);
  }
  batchToAffine(ODD, 120, 64);
  // TABLE rows: P = 1024^i·B; row entries j·P by repeated addition of P.
  for (let i = 0; i < ROWS; i++) {
    geToCached(CACHE2, P);
    memory.copy(Q, P, 160);
    const row = TABLE + <usize>(i * ROW_ENTRIES) * ENTRY;
    for (let j = 0; j < ROW_ENTRIES; j++) {
      memory.copy(row + <usize>j * ENTRY, Q, 120);
      geAddCached(PB, Q, CACHE2);
      geCompletedToExtended(Q, PB);
    }
    // P = 1024·P: ten doublings.
    for (let k = 0; k < 10; k++) {
      geDouble(PB, P);
      geCompletedToExtended(P, PB);
    }
    // Every 4 rows (64 entries), and the last 2 rows: one batch.
    if ((i & 3) == 3) batchToAffine(TABLE + <usize>((i - 3) * ROW_ENTRIES) * ENTRY, ENTRY, 64);
  }
  batchToAffine(TABLE + <usize>(24 * ROW_ENTRIES) * ENTRY, ENTRY, 2 * ROW_ENTRIES);
  tablesReady = true;
}

/** Makes sure the precomputed tables exist. */
export function geInitTables(): void {
  if (!tablesReady) initTables();
}

/** The neutral element as an affine precomputed entry (1, 1, 0), padded to ENTRY bytes. */
const NEUTRAL: usize = memory.data<i32>([
  1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/**
 * SEL = TABLE[i][|b|-1], negated when b < 0, or the neutral element (1, 1, 0) when b = 0, for -16 ≤ b ≤ 16.
 * Reads all sixteen entries of row i and combines them with SIMD masks: the memory accesses do not depend on b.
 */
function select(i: i32, b: i32): void {
  const neg = (b >> 31) & 1;
  const abs = b - ((-neg & b) << 1);
  // Start from the neutral element masked by (|b| = 0), then OR in each entry masked by (|b| = j): exactly
  // one mask is all ones.
  let m = i32x4.splat(-<i32>(<u32>(abs - 1) >> 31));
  let a0 = v128.and(v128.load(NEUTRAL, 0), m), a1 = v128.and(v128.load(NEUTRAL, 16), m);
  let a2 = v128.and(v128.load(NEUTRAL, 32), m), a3 = v128.and(v128.load(NEUTRAL, 48), m);
  let a4 = v128.and(v128.load(NEUTRAL, 64), m), a5 = v128.and(v128.load(NEUTRAL, 80), m);
  let a6 = v128.and(v128.load(NEUTRAL, 96), m), a7 = v128.and(v128.load(NEUTRAL, 112), m);
  let e = TABLE + <usize>(i * ROW_ENTRIES) * ENTRY;
  for (let j = 1; j <= ROW_ENTRIES; j++) {
    m = i32x4.splat(-<i32>(<u32>((abs ^ j) - 1) >> 31));
    a0 = v128.or(a0, v128.and(v128.load(e, 0), m));
    a1 = v128.or(a1, v128.and(v128.load(e, 16), m));
    a2 = v128.or(a2, v128.and(v128.load(e, 32), m));
    a3 = v128.or(a3, v128.and(v128.load(e, 48), m));
    a4 = v128.or(a4, v128.and(v128.load(e, 64), m));
    a5 = v128.or(a5, v128.and(v128.load(e, 80), m));
    a6 = v128.or(a6, v128.and(v128.load(e, 96), m));
    a7 = v128.or(a7, v128.and(v128.load(e, 112), m));
    e += ENTRY;
  }
  v128.store(SEL, a0, 0);
  v128.store(SEL, a1, 16);
  v128.store(SEL, a2, 32);
  v128.store(SEL, a3, 48);
  v128.store(SEL, a4, 64);
  v128.store(SEL, a5, 80);
  v128.store(SEL, a6, 96);
  v128.store(SEL, a7, 112);
  // -(y+x, y-x, 2dxy) = (y-x, y+x, -2dxy).
  feCswap(SEL, SEL + 40, neg);
  feNeg(F6, SEL + 80);
  feCmov(SEL + 80, F6, neg);
}

/**
 * r (extended) = [a]B for a 32-byte little-endian scalar a < 2^255 (RFC 8032 §5.1.5 step 3, §5.1.6 step 3;
 * RFC 7748 public keys through x25519.ts). a is recoded into 52 signed radix-32 digits e_i ∈ [-16, 16] with
 * a = Σ e_i·32^i, then [a]B = 32·Σ_{i odd} e_i·32^(i-1)·B + Σ_{i even} e_i·32^i·B, where e_i·32^(2k)·B is
 * a masked scan of TABLE row k: 52 mixed additions and 5 doublings. Constant time: the digits only reach
 * arithmetic and masks; loop bounds and table rows depend on the digit position, never its value.
 */
export function geScalarmultBase(r: usize, a: usize): void {
  geInitTables();
  // Digits in [0, 31] (bits 5i..5i+4), then carry to [-16, 15]; the last digit takes the final carry.
  memory.copy(SCALAR, a, 32);
  memory.fill(SCALAR + 32, 0, 16);
  for (let i = 0; i < 51; i++) {
    const bit = i * 5;
    store<i8>(DIGITS + <usize>i, <i8>((load<u32>(SCALAR + <usize>(bit >> 3)) >> <u32>(bit & 7)) & 31));
  }
  let carry = 0;
  for (let i = 0; i < 51; i++) {
    const e = <i32>load<i8>(DIGITS + <usize>i) + carry;
    carry = (e + 16) >> 5;
    store<i8>(DIGITS + <usize>i, <i8>(e - (carry << 5)));
  }
  store<i8>(DIGITS + 51, <i8>carry);

  geIdentity(r);
  for (let i = 1; i < 52; i += 2) {
    select(i >> 1, <i32>load<i8>(DIGITS + <usize>i));
    geAddAffine(PB, r, SEL);
    geCompletedToExtended(r, PB);
  }
  for (let k = 0; k < 4; k++) {
    geDouble(PB, r);
    geCompletedToProjective(r, PB);
  }
  geDouble(PB, r);
  geCompletedToExtended(r, PB);
  for (let i = 0; i < 52; i += 2) {
    select(i >> 1, <i32>load<i8>(DIGITS + <usize>i));
    geAddAffine(PB, r, SEL);
    geCompletedToExtended(r, PB);
  }
}

// ---- Double-scalar multiplication for verification (variable time, public inputs only) ----

const NAF_A: usize = memory.data(264, 16);
const NAF_B: usize = memory.data(264, 16);
const NAF_IN: usize = memory.data(48, 16);
/** (2j+1)·P for j = 0..7 in cached form. */
const AI: usize = memory.data(8 * 160, 16);

/**
 * Width-w non-adjacent form of the 32-byte scalar at s into 256+ i8 digits at out: every non-zero digit is
 * odd, |digit| < 2^(w-1), and any w consecutive digits hold at most one non-zero. Variable time.
 */
function wnaf(out: usize, s: usize, w: i32): void {
  memory.copy(NAF_IN, s, 32);
  memory.fill(NAF_IN + 32, 0, 16);
  memory.fill(out, 0, 264);
  const width = <u64>1 << <u64>w;
  const mask = width - 1;
  let carry: u64 = 0;
  let pos = 0;
  while (pos < 258) {
    const bits = load<u64>(NAF_IN + <usize>(pos >> 3)) >> <u64>(pos & 7);
    const window = carry + (bits & mask);
    if ((window & 1) == 0) {
      pos++;
      continue;
    }
    if (window < (width >> 1)) {
      carry = 0;
      store<i8>(out + <usize>pos, <i8>window);
    } else {
      carry = 1;
      store<i8>(out + <usize>pos, <i8>(<i64>window - <i64>width));
    }
    pos += w;
  }
}

/**
 * Prepares geDoubleScalarmultVartime for the extended point A: AI[j] = (2j+1)·A in cached form. The table
 * is public data and stays valid until the next call, so a caller may reuse it for the same A.
 */
export function gePrepareVartime(A: usize): void {
  geToCached(AI, A);
  geDouble(PB, A);
  geCompletedToExtended(PC, PB); //                 2A
  geToCached(CACHE2, PC);
  memory.copy(PC, A, 160);
  for (let j = 1; j < 8; j++) {
    geAddCached(PB, PC, CACHE2);
    geCompletedToExtended(PC, PB);
    geToCached(AI + <usize>j * 160, PC);
  }
}

/**
 * r (projective) = [s]B + [k]A for public 32-byte scalars s, k < 2^253 and the point A last given to
 * gePrepareVartime (RFC 8032 §5.1.7 step 3 with A negated by the caller). Joint wNAF: width 5 for A (the 8
 * cached odd multiples in AI) and width 8 for B (the ODD table). Variable time: only for public data.
 */
export function geDoubleScalarmultVartime(r: usize, k: usize, s: usize): void {
  geInitTables();
  wnaf(NAF_A, k, 5);
  wnaf(NAF_B, s, 8);
  let top = 257;
  while (top >= 0 && load<i8>(NAF_A + <usize>top) == 0 && load<i8>(NAF_B + <usize>top) == 0) top--;
  geIdentity(r);
  for (let i = top; i >= 0; i--) {
    geDouble(PB, r);
    const a = <i32>load<i8>(NAF_A + <usize>i);
    const b = <i32>load<i8>(NAF_B + <usize>i);
    if (a != 0) {
      geCompletedToExtended(r, PB);
      if (a > 0) geAddCached(PB, r, AI + <usize>(a >> 1) * 160);
      else geSubCached(PB, r, AI + <usize>((-a) >> 1) * 160);
    }
    if (b != 0) {
      geCompletedToExtended(r, PB);
      if (b > 0) geAddAffine(PB, r, ODD + <usize>(b >> 1) * 120);
      else geSubAffine(PB, r, ODD + <usize>((-b) >> 1) * 120);
    }
    geCompletedToProjective(r, PB);
  }
}
