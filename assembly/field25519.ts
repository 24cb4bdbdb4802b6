// Arithmetic in GF(p), p = 2^255 - 19 (RFC 7748 §4.1, RFC 8032 §5.1), shared by X25519 and Ed25519.
//
// A field element is 10 signed 32-bit limbs in static memory (FE_BYTES bytes), in radix 2^25.5:
// f = f0 + f1·2^26 + f2·2^51 + f3·2^77 + f4·2^102 + f5·2^128 + f6·2^153 + f7·2^179 + f8·2^204 + f9·2^230
// (even limbs 26 bits, odd limbs 25 bits). Products are formed in 64-bit lanes or locals; 2^255 ≡ 19 folds
// the high half of a product back. After feMul/feSq/feSq2/feMulSmall/feCarry ("carried") |even limb| ≤ 2^25
// and |odd limb| ≤ 2^24 (+ a few units in limb 1). feAdd/feSub do not carry: callers keep every
// multiplication input within three sums of carried values, which keeps 2·f_i and 19·g9 inside i32 (feMul)
// and every column sum far inside i64.
//
// Every function here runs in time independent of the values: no branches, loop bounds or memory indices
// on data.

/** Bytes of one field element: 10 i32 limbs. */
// @ts-ignore: decorator
@inline export const FE_BYTES: usize = 40;

// Constants as limbs (computed from RFC 8032 §5.1 and RFC 7748 §4.1).
/** d = -121665/121666 (RFC 8032 §5.1). */
export const FE_D: usize = memory.data<i32>([
  56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315,
]);
/** 2·d. */
export const FE_D2: usize = memory.data<i32>([
  45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199,
]);
/** sqrt(-1) = 2^((p-1)/4) (RFC 8032 §5.1.3 step 3). */
export const FE_SQRTM1: usize = memory.data<i32>([
  34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482,
]);

// Scratch for feInvert / fePow22523 and byte conversions. Holds secret-derived values: callers wipe it with
// feWipeScratch before their exported function returns.
const T0: usize = memory.data(40, 16);
const T1: usize = memory.data(40, 16);
const T2: usize = memory.data(40, 16);
const T3: usize = memory.data(40, 16);
const BYTES: usize = memory.data(48, 16);

/** Wipes the field module's own scratch. */
export function feWipeScratch(): void {
  memory.fill(T0, 0, 40);
  memory.fill(T1, 0, 40);
  memory.fill(T2, 0, 40);
  memory.fill(T3, 0, 40);
  memory.fill(BYTES, 0, 48);
}

// @ts-ignore: decorator
@inline function st(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  store<i32>(h, <i32>h0, 0);
  store<i32>(h, <i32>h1, 4);
  store<i32>(h, <i32>h2, 8);
  store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16);
  store<i32>(h, <i32>h5, 20);
  store<i32>(h, <i32>h6, 24);
  store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32);
  store<i32>(h, <i32>h9, 36);
}

/** h = 0. */
export function feZero(h: usize): void {
  memory.fill(h, 0, 40);
}

/** h = 1. */
export function feOne(h: usize): void {
  memory.fill(h, 0, 40);
  store<i32>(h, 1);
}

/** h = f. */
// @ts-ignore: decorator
@inline export function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, 40);
}

/**
 * h = f + g (no carry). SIMD over limbs 0-3, 4-7 and 6-9 (the last word overlaps the middle one and stores
 * the same values there); every load happens before the first store, so h may alias f or g.
 */
// @ts-ignore: decorator
@inline export function feAdd(h: usize, f: usize, g: usize): void {
  const a = i32x4.add(v128.load(f, 0), v128.load(g, 0));
  const b = i32x4.add(v128.load(f, 16), v128.load(g, 16));
  const c = i32x4.add(v128.load(f, 24), v128.load(g, 24));
  v128.store(h, a, 0);
  v128.store(h, b, 16);
  v128.store(h, c, 24);
}

/** h = f - g (no carry), like feAdd. */
// @ts-ignore: decorator
@inline export function feSub(h: usize, f: usize, g: usize): void {
  const a = i32x4.sub(v128.load(f, 0), v128.load(g, 0));
  const b = i32x4.sub(v128.load(f, 16), v128.load(g, 16));
  const c = i32x4.sub(v128.load(f, 24), v128.load(g, 24));
  v128.store(h, a, 0);
  v128.store(h, b, 16);
  v128.store(h, c, 24);
}

/** h = -f (no carry). */
export function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, -load<i32>(f + i));
}

/** Swaps f and g when `bit` is 1, leaves them when 0, with the same memory accesses either way. */
export function feCswap(f: usize, g: usize, bit: i32): void {
  const m = i32x4.splat(-bit);
  const f0 = v128.load(f, 0), f1 = v128.load(f, 16), f2 = v128.load(f, 24);
  const g0 = v128.load(g, 0), g1 = v128.load(g, 16), g2 = v128.load(g, 24);
  const x0 = v128.and(v128.xor(f0, g0), m), x1 = v128.and(v128.xor(f1, g1), m), x2 = v128.and(v128.xor(f2, g2), m);
  v128.store(f, v128.xor(f0, x0), 0);
  v128.store(f, v128.xor(f1, x1), 16);
  v128.store(f, v128.xor(f2, x2), 24);
  v128.store(g, v128.xor(g0, x0), 0);
  v128.store(g, v128.xor(g1, x1), 16);
  v128.store(g, v128.xor(g2, x2), 24);
}

/** f = g when `bit` is 1, unchanged when 0, with the same memory accesses either way. */
export function feCmov(f: usize, g: usize, bit: i32): void {
  const m = i32x4.splat(-bit);
  const a = v128.bitselect(v128.load(g, 0), v128.load(f, 0), m);
  const b = v128.bitselect(v128.load(g, 16), v128.load(f, 16), m);
  const c = v128.bitselect(v128.load(g, 24), v128.load(f, 24), m);
  v128.store(f, a, 0);
  v128.store(f, b, 16);
  v128.store(f, c, 24);
}

/**
 * The carry chain shared by every multiplication: brings 64-bit column sums back to the carried limb bounds.
 * Carries round to nearest (add half, arithmetic shift), so limbs stay signed and small; 2^255 ≡ 19 wraps
 * the carry out of limb 9 into limb 0.
 */
// @ts-ignore: decorator
@inline function carryStore(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + (1 << 24)) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + (1 << 24)) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + (1 << 25)) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + (1 << 25)) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + (1 << 24)) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + (1 << 24)) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + (1 << 25)) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + (1 << 24)) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  st(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** The square of a field element given as limbs, times 2 when `twice` (a compile-time constant). */
// @ts-ignore: decorator
@inline function sqLimbs(
  h: usize, twice: bool,
  f0: i64, f1: i64, f2: i64, f3: i64, f4: i64, f5: i64, f6: i64, f7: i64, f8: i64, f9: i64,
): void {
  const f0_2 = f0 << 1, f1_2 = f1 << 1, f2_2 = f2 << 1, f3_2 = f3 << 1, f4_2 = f4 << 1;
  const f5_2 = f5 << 1, f6_2 = f6 << 1, f7_2 = f7 << 1, f8_2 = f8 << 1, f9_2 = f9 << 1;
  const f5_19 = f5 * 19, f6_19 = f6 * 19, f7_19 = f7 * 19, f8_19 = f8 * 19, f9_19 = f9 * 19;
  const f7_38 = f7 * 38, f9_38 = f9 * 38;
  let h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5_2 * f5_19;
  let h1 = f0_2 * f1 + f2_2 * f9_19 + f3_2 * f8_19 + f4_2 * f7_19 + f5_2 * f6_19;
  let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
  let h3 = f0_2 * f3 + f1_2 * f2 + f4_2 * f9_19 + f5_2 * f8_19 + f6_2 * f7_19;
  let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7_2 * f7_19;
  let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6_2 * f9_19 + f7_2 * f8_19;
  let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8_2 * f9_19;
  let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9_2 * f9_19;
  let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  if (twice) {
    h0 <<= 1; h1 <<= 1; h2 <<= 1; h3 <<= 1; h4 <<= 1; h5 <<= 1; h6 <<= 1; h7 <<= 1; h8 <<= 1; h9 <<= 1;
  }
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

// @ts-ignore: decorator
@inline function mul2(a: v128, b: v128): v128 {
  return i64x2.extmul_low_i32x4_s(a, b);
}
// @ts-ignore: decorator
@inline function mac2(acc: v128, a: v128, b: v128): v128 {
  return i64x2.add(acc, i64x2.extmul_low_i32x4_s(a, b));
}
// @ts-ignore: decorator
@inline function times19(x: v128): v128 {
  return i64x2.add(i64x2.add(x, i64x2.shl(x, 1)), i64x2.shl(x, 4));
}

/**
 * h = f·g (h may alias f or g: everything is loaded first). Reads up to 8 bytes past the end of g (the
 * unused lanes of the last SIMD load); every field element lives in static memory followed by more data.
 */
export function feMul(h: usize, f: usize, g: usize): void {
  // The ten column sums are computed in pairs (h0, h1), (h2, h3), …, (h8, h9), one i64x2 lane each, with
  // 32×32→64-bit SIMD products. Limb i sits at 2^ceil(25.5·i): two odd limbs multiply to twice the weight
  // of their index sum, which only happens in the even (first) lane, so F_i = (2·f_i if i is odd, f_i).
  // G_j = (g_j, g_(j+1)) is loaded straight from memory (only the two low lanes matter). Index sums ≥ 10
  // wrap with 2^255 ≡ 19: those products go to hi_m, added as 19·hi_m, except the pair (g9, g0) where only
  // the first lane wraps: there g9 is premultiplied (19·g9 < 2^31 for inputs within six carried sums).
  const f0 = load<i32>(f, 0), f1 = load<i32>(f, 4), f2 = load<i32>(f, 8), f3 = load<i32>(f, 12), f4 = load<i32>(f, 16);
  const f5 = load<i32>(f, 20), f6 = load<i32>(f, 24), f7 = load<i32>(f, 28), f8 = load<i32>(f, 32), f9 = load<i32>(f, 36);
  const F0 = i32x4.splat(f0);
  const F1 = i32x4.replace_lane(i32x4.splat(f1), 0, f1 << 1);
  const F2 = i32x4.splat(f2);
  const F3 = i32x4.replace_lane(i32x4.splat(f3), 0, f3 << 1);
  const F4 = i32x4.splat(f4);
  const F5 = i32x4.replace_lane(i32x4.splat(f5), 0, f5 << 1);
  const F6 = i32x4.splat(f6);
  const F7 = i32x4.replace_lane(i32x4.splat(f7), 0, f7 << 1);
  const F8 = i32x4.splat(f8);
  const F9 = i32x4.replace_lane(i32x4.splat(f9), 0, f9 << 1);
  const G0 = v128.load(g, 0), G1 = v128.load(g, 4), G2 = v128.load(g, 8), G3 = v128.load(g, 12);
  const G4 = v128.load(g, 16), G5 = v128.load(g, 20), G6 = v128.load(g, 24), G7 = v128.load(g, 28);
  const G8 = v128.load(g, 32), G9 = i32x4.replace_lane(i32x4.splat(load<i32>(g, 36) * 19), 1, load<i32>(g, 0));
  // h0, h1
  let lo0 = mul2(F0, G0);
  lo0 = mac2(lo0, F1, G9);
  let hi0 = mul2(F2, G8);
  hi0 = mac2(hi0, F3, G7);
  hi0 = mac2(hi0, F4, G6);
  hi0 = mac2(hi0, F5, G5);
  hi0 = mac2(hi0, F6, G4);
  hi0 = mac2(hi0, F7, G3);
  hi0 = mac2(hi0, F8, G2);
  hi0 = mac2(hi0, F9, G1);
  lo0 = i64x2.add(lo0, times19(hi0));
  // h2, h3
  let lo1 = mul2(F0, G2);
  lo1 = mac2(lo1, F1, G1);
  lo1 = mac2(lo1, F2, G0);
  lo1 = mac2(lo1, F3, G9);
  let hi1 = mul2(F4, G8);
  hi1 = mac2(hi1, F5, G7);
  hi1 = mac2(hi1, F6, G6);
  hi1 = mac2(hi1, F7, G5);
  hi1 = mac2(hi1, F8, G4);
  hi1 = mac2(hi1, F9, G3);
  lo1 = i64x2.add(lo1, times19(hi1));
  // h4, h5
  let lo2 = mul2(F0, G4);
  lo2 = mac2(lo2, F1, G3);
  lo2 = mac2(lo2, F2, G2);
  lo2 = mac2(lo2, F3, G1);
  lo2 = mac2(lo2, F4, G0);
  lo2 = mac2(lo2, F5, G9);
  let hi2 = mul2(F6, G8);
  hi2 = mac2(hi2, F7, G7);
  hi2 = mac2(hi2, F8, G6);
  hi2 = mac2(hi2, F9, G5);
  lo2 = i64x2.add(lo2, times19(hi2));
  // h6, h7
  let lo3 = mul2(F0, G6);
  lo3 = mac2(lo3, F1, G5);
  lo3 = mac2(lo3, F2, G4);
  lo3 = mac2(lo3, F3, G3);
  lo3 = mac2(lo3, F4, G2);
  lo3 = mac2(lo3, F5, G1);
  lo3 = mac2(lo3, F6, G0);
  lo3 = mac2(lo3, F7, G9);
  let hi3 = mul2(F8, G8);
  hi3 = mac2(hi3, F9, G7);
  lo3 = i64x2.add(lo3, times19(hi3));
  // h8, h9
  let lo4 = mul2(F0, G8);
  lo4 = mac2(lo4, F1, G7);
  lo4 = mac2(lo4, F2, G6);
  lo4 = mac2(lo4, F3, G5);
  lo4 = mac2(lo4, F4, G4);
  lo4 = mac2(lo4, F5, G3);
  lo4 = mac2(lo4, F6, G2);
  lo4 = mac2(lo4, F7, G1);
  lo4 = mac2(lo4, F8, G0);
  lo4 = mac2(lo4, F9, G9);
  carryStore(
    h,
    i64x2.extract_lane(lo0, 0), i64x2.extract_lane(lo0, 1), i64x2.extract_lane(lo1, 0), i64x2.extract_lane(lo1, 1),
    i64x2.extract_lane(lo2, 0), i64x2.extract_lane(lo2, 1), i64x2.extract_lane(lo3, 0), i64x2.extract_lane(lo3, 1),
    i64x2.extract_lane(lo4, 0), i64x2.extract_lane(lo4, 1),
  );
}

/** h = f² (h may alias f). Uses the symmetry of the square: 55 products instead of 100. */
export function feSq(h: usize, f: usize): void {
  sqLimbs(
    h, false,
    <i64>load<i32>(f, 0),
    <i64>load<i32>(f, 4),
    <i64>load<i32>(f, 8),
    <i64>load<i32>(f, 12),
    <i64>load<i32>(f, 16),
    <i64>load<i32>(f, 20),
    <i64>load<i32>(f, 24),
    <i64>load<i32>(f, 28),
    <i64>load<i32>(f, 32),
    <i64>load<i32>(f, 36),
  );
}

/** h = 2·f². */
export function feSq2(h: usize, f: usize): void {
  sqLimbs(
    h, true,
    <i64>load<i32>(f, 0),
    <i64>load<i32>(f, 4),
    <i64>load<i32>(f, 8),
    <i64>load<i32>(f, 12),
    <i64>load<i32>(f, 16),
    <i64>load<i32>(f, 20),
    <i64>load<i32>(f, 24),
    <i64>load<i32>(f, 28),
    <i64>load<i32>(f, 32),
    <i64>load<i32>(f, 36),
  );
}

/** h = f^(2^n) for n ≥ 1: n squarings in a row. */
export function feSqN(h: usize, f: usize, n: i32): void {
  feSq(h, f);
  for (let i = 1; i < n; i++) feSq(h, h);
}

/** h = f·n for a small constant n < 2^20 (RFC 7748 §5 uses n = a24 = 121665). */
export function feMulSmall(h: usize, f: usize, n: i32): void {
  const m = <i64>n;
  carryStore(
    h,
    <i64>load<i32>(f, 0) * m, <i64>load<i32>(f, 4) * m, <i64>load<i32>(f, 8) * m, <i64>load<i32>(f, 12) * m,
    <i64>load<i32>(f, 16) * m, <i64>load<i32>(f, 20) * m, <i64>load<i32>(f, 24) * m, <i64>load<i32>(f, 28) * m,
    <i64>load<i32>(f, 32) * m, <i64>load<i32>(f, 36) * m,
  );
}

/** Brings the limbs of f (e.g. a sum) back to the carried bounds. */
export function feCarry(h: usize, f: usize): void {
  carryStore(
    h,
    <i64>load<i32>(f, 0), <i64>load<i32>(f, 4), <i64>load<i32>(f, 8), <i64>load<i32>(f, 12), <i64>load<i32>(f, 16),
    <i64>load<i32>(f, 20), <i64>load<i32>(f, 24), <i64>load<i32>(f, 28), <i64>load<i32>(f, 32), <i64>load<i32>(f, 36),
  );
}

/**
 * h = f^(2^250 - 1) into `h`, with f^11 left in T1 (the common head of inversion and square root). Addition
 * chain on the exponent: 2, 8, 9, 11, 2^5-1, 2^10-1, 2^20-1, 2^40-1, 2^50-1, 2^100-1, 2^200-1, 2^250-1.
 */
function pow2250m1(h: usize, f: usize): void {
  feSq(T0, f); //                    f^2
  feSqN(T1, T0, 2); //               f^8
  feMul(T1, f, T1); //               f^9
  feMul(T0, T0, T1); //              f^11
  feSq(T2, T0); //                   f^22
  feMul(T2, T1, T2); //              f^(2^5-1) = f^31
  feCopy(T1, T0); //                 keep f^11 in T1
  feSqN(T0, T2, 5);
  feMul(T2, T0, T2); //              f^(2^10-1)
  feSqN(T0, T2, 10);
  feMul(T0, T0, T2); //              f^(2^20-1)
  feSqN(T3, T0, 20);
  feMul(T0, T3, T0); //              f^(2^40-1)
  feSqN(T0, T0, 10);
  feMul(T2, T0, T2); //              f^(2^50-1)
  feSqN(T0, T2, 50);
  feMul(T0, T0, T2); //              f^(2^100-1)
  feSqN(T3, T0, 100);
  feMul(T0, T3, T0); //              f^(2^200-1)
  feSqN(T0, T0, 50);
  feMul(h, T0, T2); //               f^(2^250-1)
}

/** h = 1/f = f^(p-2) = f^(2^255 - 21) (Fermat; 0 maps to 0). Constant time. */
export function feInvert(h: usize, f: usize): void {
  pow2250m1(T3, f);
  feSqN(T3, T3, 5); //               f^(2^255 - 32)
  feMul(h, T3, T1); //               · f^11 = f^(2^255 - 21)
}

/** h = f^((p-5)/8) = f^(2^252 - 3), the exponent of the square root in RFC 8032 §5.1.3 step 3. */
export function fePow22523(h: usize, f: usize): void {
  pow2250m1(T3, f);
  feSqN(T3, T3, 2); //               f^(2^252 - 4)
  feMul(h, T3, f); //                f^(2^252 - 3)
}

/** Limb widths, alternating 26 and 25 bits. */
// @ts-ignore: decorator
@inline function width(i: i32): i32 {
  return 26 - (i & 1);
}

/**
 * h = the 255 low bits of the 32 little-endian bytes at s (bit 255 ignored, RFC 7748 §5 and RFC 8032 §5.1.3
 * step 1). Values in [p, 2^255) are accepted and act as their residue.
 */
export function feFromBytes(h: usize, s: usize): void {
  memory.copy(BYTES, s, 32);
  store<u64>(BYTES + 32, 0);
  let pos = 0;
  for (let i = 0; i < 10; i++) {
    const w = width(i);
    const v = load<u64>(BYTES + <usize>(pos >> 3)) >> <u64>(pos & 7);
    store<i32>(h + (<usize>i << 2), <i32>(v & ((<u64>1 << <u64>w) - 1)));
    pos += w;
  }
  memory.fill(BYTES, 0, 40);
}

/** Writes the canonical (fully reduced mod p) 32-byte little-endian encoding of f to s. Constant time. */
export function feToBytes(s: usize, f: usize): void {
  // Three floor-carry passes (the carry out of limb 9 re-enters limb 0 as ·19, 2^255 ≡ 19): afterwards
  // every limb is within its width and 0 ≤ value < 2^255.
  let c: i64 = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < 10; i++) {
      const w = width(i);
      const p = T0 + (<usize>i << 2);
      const v = <i64>load<i32>(pass == 0 ? f + (<usize>i << 2) : p) + (i == 0 ? c * 19 : c);
      c = v >> w;
      store<i32>(p, <i32>(v - (c << w)));
    }
  }
  // The value is now v in [0, 2^255); v ≥ p exactly when v + 19 ≥ 2^255. Compute v + 19 with its carry out
  // of bit 255 and keep it (minus 2^255) when that carry is 1.
  c = 19;
  for (let i = 0; i < 10; i++) {
    const w = width(i);
    const v = <i64>load<i32>(T0 + (<usize>i << 2)) + c;
    c = v >> w;
    store<i32>(T1 + (<usize>i << 2), <i32>(v - (c << w)));
  }
  feCmov(T0, T1, <i32>c);
  // Pack 255 bits.
  let acc: u64 = 0;
  let bits = 0;
  let o: usize = 0;
  for (let i = 0; i < 10; i++) {
    acc |= <u64>load<u32>(T0 + (<usize>i << 2)) << <u64>bits;
    bits += width(i);
    while (bits >= 8) {
      store<u8>(s + o, <u8>acc);
      o++;
      acc >>= 8;
      bits -= 8;
    }
  }
  store<u8>(s + 31, <u8>acc);
  memory.fill(T0, 0, 40);
  memory.fill(T1, 0, 40);
}

/** The "sign" of f: the least significant bit of its canonical encoding (RFC 8032 §5.1.2). */
export function feIsNegative(f: usize): i32 {
  feToBytes(BYTES, f);
  const r = <i32>(load<u8>(BYTES) & 1);
  memory.fill(BYTES, 0, 32);
  return r;
}

/** 1 when f ≡ 0 (mod p), else 0. Constant time. */
export function feIsZero(f: usize): i32 {
  feToBytes(BYTES, f);
  let acc: u64 = 0;
  for (let i: usize = 0; i < 32; i += 8) acc |= load<u64>(BYTES + i);
  memory.fill(BYTES, 0, 32);
  // (acc | -acc) has its top bit set exactly when acc ≠ 0.
  return <i32>(((acc | (0 - acc)) >> 63) ^ 1);
}
