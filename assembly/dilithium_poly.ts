// Polynomial arithmetic of round-3 CRYSTALS-Dilithium ("CRYSTALS-Dilithium Algorithm Specifications and
// Supporting Documentation", version 3.1, 2021-02-08; "spec" below): the ring
// R_q = Z_q[X]/(X^256 + 1) with q = 8380417, its number-theoretic transform, the rounding functions
// Power2Round / Decompose / MakeHint / UseHint (spec §2.4, Fig. 3), SampleInBall (§2.3), the bit
// packings of the spec's data layout of keys and signatures, and the samplers in the AES variant ("Dilithium-AES": ExpandA, ExpandS and ExpandMask use AES-256-CTR
// keyed by the 32-byte seed with a 96-bit IV holding the 16-bit nonce little-endian in its first two
// bytes; the challenge uses SHAKE256).
//
// A polynomial is 256 signed 32-bit coefficients (1024 bytes) at a caller-provided address; a vector of
// polynomials is consecutive polynomials. Nothing here branches on, or indexes memory by, secret values,
// except that the rejection samplers' loop counts and write positions follow the accept/reject pattern of
// the sampler (inherent to the algorithm; independent of the accepted values).

import { keccakAbsorb, keccakInit, keccakSqueeze, shakeFinalize, SHAKE256_RATE } from "./keccak";
import { aes256CtrStream } from "./aes256ctr";

// @ts-ignore: decorator
@inline export const N: i32 = 256;
// @ts-ignore: decorator
@inline export const Q: i32 = 8380417;
/** q^(-1) mod 2^32, for Montgomery reduction with R = 2^32. */
// @ts-ignore: decorator
@inline const QINV: i32 = 58728449;
/** d = 13 dropped bits of t (spec Table 2). */
// @ts-ignore: decorator
@inline export const D: i32 = 13;
// Dilithium3 parameters (spec Table 2).
// @ts-ignore: decorator
@inline export const K: i32 = 6;
// @ts-ignore: decorator
@inline export const L: i32 = 5;
// @ts-ignore: decorator
@inline export const ETA: i32 = 4;
// @ts-ignore: decorator
@inline export const TAU: i32 = 49;
// @ts-ignore: decorator
@inline export const BETA: i32 = 196;
// @ts-ignore: decorator
@inline export const GAMMA1: i32 = 1 << 19;
// @ts-ignore: decorator
@inline export const GAMMA2: i32 = (Q - 1) / 32;
// @ts-ignore: decorator
@inline export const OMEGA: i32 = 55;

// @ts-ignore: decorator
@inline export const POLY_BYTES: i32 = 1024;
// @ts-ignore: decorator
@inline export const POLYT1_PACKED: i32 = 320;
// @ts-ignore: decorator
@inline export const POLYT0_PACKED: i32 = 416;
// @ts-ignore: decorator
@inline export const POLYETA_PACKED: i32 = 128;
// @ts-ignore: decorator
@inline export const POLYZ_PACKED: i32 = 640;
// @ts-ignore: decorator
@inline export const POLYW1_PACKED: i32 = 128;

// zetas[k] = 2^32 · r^brv8(k) mod q (centred), r = 1753 a primitive 512-th root of unity mod q, brv8 the
// 8-bit bit reversal: the twiddle factors of the spec's NTT in Montgomery form, in the order used.
const ZETAS: usize = memory.data<i32>([
  0, 25847, -2608894, -518909, 237124, -777960, -876248, 466468,
  1826347, 2353451, -359251, -2091905, 3119733, -2884855, 3111497, 2680103,
  2725464, 1024112, -1079900, 3585928, -549488, -1119584, 2619752, -2108549,
  -2118186, -3859737, -1399561, -3277672, 1757237, -19422, 4010497, 280005,
  2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
  -3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
  -1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
  811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
  -3930395, -1528703, -3677745, -3041255, -1452451, 3475950, 2176455, -1585221,
  -1257611, 1939314, -4083598, -1000202, -3190144, -3157330, -3632928, 126922,
  3412210, -983419, 2147896, 2715295, -2967645, -3693493, -411027, -2477047,
  -671102, -1228525, -22981, -1308169, -381987, 1349076, 1852771, -1430430,
  -3343383, 264944, 508951, 3097992, 44288, -1100098, 904516, 3958618,
  -3724342, -8578, 1653064, -3249728, 2389356, -210977, 759969, -1316856,
  189548, -3553272, 3159746, -1851402, -2409325, -177440, 1315589, 1341330,
  1285669, -1584928, -812732, -1439742, -3019102, -3881060, -3628969, 3839961,
  2091667, 3407706, 2316500, 3817976, -3342478, 2244091, -2446433, -3562462,
  266997, 2434439, -1235728, 3513181, -3520352, -3759364, -1197226, -3193378,
  900702, 1859098, 909542, 819034, 495491, -1613174, -43260, -522500,
  -655327, -3122442, 2031748, 3207046, -3556995, -525098, -768622, -3595838,
  342297, 286988, -2437823, 4108315, 3437287, -3342277, 1735879, 203044,
  2842341, 2691481, -2590150, 1265009, 4055324, 1247620, 2486353, 1595974,
  -3767016, 1250494, 2635921, -3548272, -2994039, 1869119, 1903435, -1050970,
  -1333058, 1237275, -3318210, -1430225, -451100, 1312455, 3306115, -1962642,
  -1279661, 1917081, -2546312, -1374803, 1500165, 777191, 2235880, 3406031,
  -542412, -2831860, -1671176, -1846953, -2584293, -3724270, 594136, -3776993,
  -2013608, 2432395, 2454455, -164721, 1957272, 3369112, 185531, -1207385,
  -3183426, 162844, 1616392, 3014001, 810149, 1652634, -3694233, -1799107,
  -3038916, 3523897, 3866901, 269760, 2213111, -975884, 1717735, 472078,
  -426683, 1723600, -1803090, 1910376, -1667432, -1104333, -260646, -3833893,
  -2939036, -2235985, -420899, -2286327, 183443, -976891, 1612842, -3545687,
  -554416, 3919660, -48306, -1362209, 3937738, 1400424, -846154, 1976782,
]);


// The inverse transform's twiddles in the order it uses them: −zetas[255 − m] for m = 0..254 (padded to 256).
const ZETAS_INV: usize = memory.data<i32>([
  -1976782, 846154, -1400424, -3937738, 1362209, 48306, -3919660, 554416,
  3545687, -1612842, 976891, -183443, 2286327, 420899, 2235985, 2939036,
  3833893, 260646, 1104333, 1667432, -1910376, 1803090, -1723600, 426683,
  -472078, -1717735, 975884, -2213111, -269760, -3866901, -3523897, 3038916,
  1799107, 3694233, -1652634, -810149, -3014001, -1616392, -162844, 3183426,
  1207385, -185531, -3369112, -1957272, 164721, -2454455, -2432395, 2013608,
  3776993, -594136, 3724270, 2584293, 1846953, 1671176, 2831860, 542412,
  -3406031, -2235880, -777191, -1500165, 1374803, 2546312, -1917081, 1279661,
  1962642, -3306115, -1312455, 451100, 1430225, 3318210, -1237275, 1333058,
  1050970, -1903435, -1869119, 2994039, 3548272, -2635921, -1250494, 3767016,
  -1595974, -2486353, -1247620, -4055324, -1265009, 2590150, -2691481, -2842341,
  -203044, -1735879, 3342277, -3437287, -4108315, 2437823, -286988, -342297,
  3595838, 768622, 525098, 3556995, -3207046, -2031748, 3122442, 655327,
  522500, 43260, 1613174, -495491, -819034, -909542, -1859098, -900702,
  3193378, 1197226, 3759364, 3520352, -3513181, 1235728, -2434439, -266997,
  3562462, 2446433, -2244091, 3342478, -3817976, -2316500, -3407706, -2091667,
  -3839961, 3628969, 3881060, 3019102, 1439742, 812732, 1584928, -1285669,
  -1341330, -1315589, 177440, 2409325, 1851402, -3159746, 3553272, -189548,
  1316856, -759969, 210977, -2389356, 3249728, -1653064, 8578, 3724342,
  -3958618, -904516, 1100098, -44288, -3097992, -508951, -264944, 3343383,
  1430430, -1852771, -1349076, 381987, 1308169, 22981, 1228525, 671102,
  2477047, 411027, 3693493, 2967645, -2715295, -2147896, 983419, -3412210,
  -126922, 3632928, 3157330, 3190144, 1000202, 4083598, -1939314, 1257611,
  1585221, -2176455, -3475950, 1452451, 3041255, 3677745, 1528703, 3930395,
  2797779, -2071892, 2556880, -3900724, -3881043, -954230, -531354, -811944,
  -3699596, 1600420, 2140649, -3507263, 3821735, -3505694, 1643818, 1699267,
  539299, -2348700, 300467, -3539968, 2867647, -3574422, 3043716, 3861115,
  -3915439, 2537516, 3592148, 1661693, -3530437, -3077325, -95776, -2706023,
  -280005, -4010497, 19422, -1757237, 3277672, 1399561, 3859737, 2118186,
  2108549, -2619752, 1119584, 549488, -3585928, 1079900, -1024112, -2725464,
  -2680103, -3111497, 2884855, -3119733, 2091905, 359251, -2353451, -1826347,
  -466468, 876248, 777960, -237124, 518909, 2608894, -25847, 0,
]);

// @ts-ignore: decorator
@inline function coef(a: usize, i: i32): i32 {
  return load<i32>(a + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function setCoef(a: usize, i: i32, v: i32): void {
  store<i32>(a + (<usize>i << 2), v);
}

/** Montgomery reduction: for |a| < 2^31·q returns a·2^(−32) mod q in (−q, q). */
// @ts-ignore: decorator
@inline export function montgomeryReduce(a: i64): i32 {
  const t = <i32>a * QINV;
  return <i32>((a - <i64>t * <i64>Q) >>> 32);
}

/** For a ≤ 2^31 − 2^22 − 1 returns r ≡ a mod q with −6283009 ≤ r ≤ 6283007. */
// @ts-ignore: decorator
@inline export function reduce32(a: i32): i32 {
  const t = (a + (1 << 22)) >> 23;
  return a - t * Q;
}

/** Adds q when a is negative (mask, no branch). */
// @ts-ignore: decorator
@inline export function caddq(a: i32): i32 {
  return a + ((a >> 31) & Q);
}

/**
 * Montgomery multiplication of four lanes: a·b·2^(−32) mod q in (−q, q) for |a·b| < 2^31·q, the same value as
 * montgomeryReduce(a·b) lane by lane. t = (a·b mod 2^32)·q^(−1) mod 2^32; a·b − t·q is then a multiple of
 * 2^32 and its high half is the result.
 */
// @ts-ignore: decorator
@inline function montMul(a: v128, b: v128): v128 {
  const t = i32x4.mul(i32x4.mul(a, b), i32x4.splat(QINV));
  const q = i32x4.splat(Q);
  const lo = i64x2.sub(i64x2.extmul_low_i32x4_s(a, b), i64x2.extmul_low_i32x4_s(t, q));
  const hi = i64x2.sub(i64x2.extmul_high_i32x4_s(a, b), i64x2.extmul_high_i32x4_s(t, q));
  return v128.shuffle<i32>(lo, hi, 1, 3, 5, 7);
}

/**
 * Forward NTT (the spec's NTT-based multiplication in R_q), in place: the Cooley–Tukey butterflies of the reference order (levels len = 128 .. 1,
 * zetas[1..255]); output in bit-reversed order, no reduction (|out| < 9q for |in| < q). Four butterflies per
 * SIMD step; the last two levels regroup lanes with shuffles.
 */
export function ntt(a: usize): void {
  let k = 0;
  for (let len = 128; len >= 4; len >>= 1) {
    for (let start = 0; start < N; start += len << 1) {
      k++;
      const z = i32x4.splat(load<i32>(ZETAS + (<usize>k << 2)));
      const end = a + (<usize>(start + len) << 2);
      for (let pa = a + (<usize>start << 2); pa < end; pa += 16) {
        const pb = pa + (<usize>len << 2);
        const x = v128.load(pa);
        const t = montMul(v128.load(pb), z);
        v128.store(pb, i32x4.sub(x, t));
        v128.store(pa, i32x4.add(x, t));
      }
    }
  }
  // len = 2: pairs (0,2), (1,3) of each group of four, one zeta per group; two groups per step.
  for (let j = 0; j < N; j += 8) {
    const p = a + (<usize>j << 2);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const z1 = load<i32>(ZETAS + (<usize>(k + 1) << 2));
    const z2 = load<i32>(ZETAS + (<usize>(k + 2) << 2));
    k += 2;
    const z = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(z1), 2, z2), 3, z2);
    const x = v128.shuffle<i32>(v0, v1, 0, 1, 4, 5);
    const t = montMul(v128.shuffle<i32>(v0, v1, 2, 3, 6, 7), z);
    const xs = i32x4.add(x, t);
    const ys = i32x4.sub(x, t);
    v128.store(p, v128.shuffle<i32>(xs, ys, 0, 1, 4, 5));
    v128.store(p, v128.shuffle<i32>(xs, ys, 2, 3, 6, 7), 16);
  }
  // len = 1: pairs (0,1), (2,3), …, one zeta per pair; four pairs per step.
  for (let j = 0; j < N; j += 8) {
    const p = a + (<usize>j << 2);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const z = v128.load(ZETAS + (<usize>(k + 1) << 2));
    k += 4;
    const x = v128.shuffle<i32>(v0, v1, 0, 2, 4, 6);
    const t = montMul(v128.shuffle<i32>(v0, v1, 1, 3, 5, 7), z);
    const xs = i32x4.add(x, t);
    const ys = i32x4.sub(x, t);
    v128.store(p, v128.shuffle<i32>(xs, ys, 0, 4, 1, 5));
    v128.store(p, v128.shuffle<i32>(xs, ys, 2, 6, 3, 7), 16);
  }
}

/**
 * Inverse NTT followed by multiplication by the Montgomery factor 2^32, in place (Gentleman–Sande butterflies
 * of the reference order, levels len = 1 .. 128 with −zetas[255..1]); |out| < q for |in| < q.
 */
export function invnttTomont(a: usize): void {
  let m = 0;
  // len = 1
  for (let j = 0; j < N; j += 8) {
    const p = a + (<usize>j << 2);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const z = v128.load(ZETAS_INV + (<usize>m << 2));
    m += 4;
    const x = v128.shuffle<i32>(v0, v1, 0, 2, 4, 6);
    const y = v128.shuffle<i32>(v0, v1, 1, 3, 5, 7);
    const xs = i32x4.add(x, y);
    const ys = montMul(i32x4.sub(x, y), z);
    v128.store(p, v128.shuffle<i32>(xs, ys, 0, 4, 1, 5));
    v128.store(p, v128.shuffle<i32>(xs, ys, 2, 6, 3, 7), 16);
  }
  // len = 2
  for (let j = 0; j < N; j += 8) {
    const p = a + (<usize>j << 2);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    const z1 = load<i32>(ZETAS_INV + (<usize>m << 2));
    const z2 = load<i32>(ZETAS_INV + (<usize>(m + 1) << 2));
    m += 2;
    const z = i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(z1), 2, z2), 3, z2);
    const x = v128.shuffle<i32>(v0, v1, 0, 1, 4, 5);
    const y = v128.shuffle<i32>(v0, v1, 2, 3, 6, 7);
    const xs = i32x4.add(x, y);
    const ys = montMul(i32x4.sub(x, y), z);
    v128.store(p, v128.shuffle<i32>(xs, ys, 0, 1, 4, 5));
    v128.store(p, v128.shuffle<i32>(xs, ys, 2, 3, 6, 7), 16);
  }
  for (let len = 4; len < N; len <<= 1) {
    for (let start = 0; start < N; start += len << 1) {
      const z = i32x4.splat(load<i32>(ZETAS_INV + (<usize>m << 2)));
      m++;
      const end = a + (<usize>(start + len) << 2);
      for (let pa = a + (<usize>start << 2); pa < end; pa += 16) {
        const pb = pa + (<usize>len << 2);
        const x = v128.load(pa);
        const y = v128.load(pb);
        v128.store(pa, i32x4.add(x, y));
        v128.store(pb, montMul(i32x4.sub(x, y), z));
      }
    }
  }
  // 41978 = 2^64 / 256 mod q: undoes the 256 and adds one Montgomery factor.
  const f = i32x4.splat(41978);
  for (let p = a; p < a + 1024; p += 16) v128.store(p, montMul(v128.load(p), f));
}

/** c = a ∘ b · 2^(−32) coefficient-wise (product in the NTT domain). */
export function polyPointwise(c: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(c + i, montMul(v128.load(a + i), v128.load(b + i)));
}

/** c += a ∘ b · 2^(−32) coefficient-wise. */
export function polyPointwiseAcc(c: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) {
    v128.store(c + i, i32x4.add(v128.load(c + i), montMul(v128.load(a + i), v128.load(b + i))));
  }
}

export function polyAdd(c: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(c + i, i32x4.add(v128.load(a + i), v128.load(b + i)));
}

export function polySub(c: usize, a: usize, b: usize): void {
  for (let i: usize = 0; i < 1024; i += 16) v128.store(c + i, i32x4.sub(v128.load(a + i), v128.load(b + i)));
}

/** reduce32 on every coefficient: t = (a + 2^22) >> 23, a − t·q. */
export function polyReduce(a: usize): void {
  const q = i32x4.splat(Q);
  const h = i32x4.splat(1 << 22);
  for (let p = a; p < a + 1024; p += 16) {
    const x = v128.load(p);
    const t = i32x4.shr_s(i32x4.add(x, h), 23);
    v128.store(p, i32x4.sub(x, i32x4.mul(t, q)));
  }
}

/** caddq on every coefficient. */
export function polyCaddq(a: usize): void {
  const q = i32x4.splat(Q);
  for (let p = a; p < a + 1024; p += 16) {
    const x = v128.load(p);
    v128.store(p, i32x4.add(x, v128.and(i32x4.shr_s(x, 31), q)));
  }
}

/** a ← a · 2^d (t1 · 2^d in verification). */
export function polyShiftl(a: usize): void {
  for (let i = 0; i < N; i++) setCoef(a, i, coef(a, i) << D);
}

/**
 * Power2Round_q (§2.4, Fig. 3): for a in [0, q) splits a = a1·2^d + a0 with a0 in (−2^(d−1), 2^(d−1)];
 * a1 to `a1`, a0 to `a0` (may alias the input).
 */
export function polyPower2Round(a1: usize, a0: usize, a: usize): void {
  for (let i = 0; i < N; i++) {
    const x = coef(a, i);
    const hi = (x + (1 << (D - 1)) - 1) >> D;
    setCoef(a0, i, x - (hi << D));
    setCoef(a1, i, hi);
  }
}

/**
 * Decompose_q with α = 2γ2 = (q − 1)/16 (§2.4, Fig. 3): for a in [0, q) returns a1 in [0, 15] with
 * a = a1·α + a0, a0 in (−α/2, α/2], except that a1 = 16 is folded to a1 = 0, a0 = a − q. Branch-free.
 */
// @ts-ignore: decorator
@inline function decomposeHigh(a: i32): i32 {
  let a1 = (a + 127) >> 7;
  a1 = (a1 * 1025 + (1 << 21)) >> 22;
  return a1 & 15;
}
// @ts-ignore: decorator
@inline function decomposeLow(a: i32, a1: i32): i32 {
  let a0 = a - a1 * 2 * GAMMA2;
  a0 -= (((Q - 1) / 2 - a0) >> 31) & Q;
  return a0;
}

/** Decompose every coefficient: high parts to `a1`, low parts to `a0` (a1 may alias a); four lanes at a time. */
export function polyDecompose(a1: usize, a0: usize, a: usize): void {
  const c127 = i32x4.splat(127);
  const c1025 = i32x4.splat(1025);
  const half = i32x4.splat(1 << 21);
  const m15 = i32x4.splat(15);
  const alpha = i32x4.splat(2 * GAMMA2);
  const hq = i32x4.splat((Q - 1) / 2);
  const q = i32x4.splat(Q);
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = v128.load(a + i);
    let hi = i32x4.shr_s(i32x4.add(x, c127), 7);
    hi = v128.and(i32x4.shr_s(i32x4.add(i32x4.mul(hi, c1025), half), 22), m15);
    let lo = i32x4.sub(x, i32x4.mul(hi, alpha));
    lo = i32x4.sub(lo, v128.and(i32x4.shr_s(i32x4.sub(hq, lo), 31), q));
    v128.store(a0 + i, lo);
    v128.store(a1 + i, hi);
  }
}

/**
 * MakeHint (§2.4, Fig. 3) in the form of the round-3 signing algorithm: h = 1 when the low part a0 (of
 * w − cs2 + ct0) is outside [−γ2, γ2] or equals −γ2 with a nonzero high part a1. Returns the number of ones.
 * Lane compares only (no branch).
 */
export function polyMakeHint(h: usize, a0: usize, a1: usize): i32 {
  const g = i32x4.splat(GAMMA2);
  const ng = i32x4.splat(-GAMMA2);
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1);
  let sum = zero;
  for (let i: usize = 0; i < 1024; i += 16) {
    const x = v128.load(a0 + i);
    const y = v128.load(a1 + i);
    const m = v128.or(v128.or(i32x4.gt_s(x, g), i32x4.lt_s(x, ng)), v128.and(i32x4.eq(x, ng), i32x4.ne(y, zero)));
    const bit = v128.and(m, one);
    v128.store(h + i, bit);
    sum = i32x4.add(sum, bit);
  }
  return i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3);
}

/** UseHint (§2.4, Fig. 3) for a in [0, q) and hint bits h (public data: verification only). */
export function polyUseHint(b: usize, a: usize, h: usize): void {
  for (let i = 0; i < N; i++) {
    const x = coef(a, i);
    const a1 = decomposeHigh(x);
    const a0 = decomposeLow(x, a1);
    let r = a1;
    if (coef(h, i) != 0) r = a0 > 0 ? (a1 + 1) & 15 : (a1 - 1) & 15;
    setCoef(b, i, r);
  }
}

/**
 * Returns 1 when some coefficient has |a_i| ≥ bound (the ‖·‖∞ checks of signing and verification), else 0. Every
 * coefficient is read and no branch depends on them; the inputs must be reduced (reduce32).
 */
export function polyChkNorm(a: usize, bound: i32): i32 {
  let bad = i32x4.splat(0);
  const b = i32x4.splat(bound - 1);
  for (let p = a; p < a + 1024; p += 16) bad = v128.or(bad, i32x4.gt_s(i32x4.abs(v128.load(p)), b));
  return <i32>v128.any_true(bad);
}

// ---- Sampling (spec: ExpandA, ExpandS, ExpandMask; AES variant) -------------------------------------------------------------------

// The 12-byte AES-CTR IV: the 16-bit nonce little-endian, then ten zero bytes.
const iv: usize = memory.data(16, 16);
// Keystream buffer (the largest request is 768 bytes).
const stream: usize = memory.data(832, 16);
// Rejection-sampling target with one spare slot for the branch-free writes.
const sampled: usize = memory.data(4 * 260, 16);
// Keccak context for the challenge, and the challenge as signed bytes.
const challengeCtx: usize = memory.data(208, 16);
const ball: usize = memory.data(256, 16);
const IOTA16: usize = memory.data<u8>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 16);

// @ts-ignore: decorator
@inline function setNonce(nonce: i32): void {
  store<u64>(iv, <u64>(nonce & 0xffff));
  store<u64>(iv, 0, 8);
}

/**
 * ExpandA element (AES variant): a uniform polynomial in [0, q) (NTT domain) by rejection sampling on 23-bit
 * little-endian chunks of 3 bytes of AES-256-CTR(ρ, nonce). The key ρ must be set (aes256CtrSetKey).
 * ρ and the output are public, so this may run in variable time.
 */
export function polyUniform(a: usize, nonce: i32): void {
  setNonce(nonce);
  // The stream is read as one continuous sequence of 3-byte chunks: 768 bytes (48 blocks, six 8-block AES
  // batches) give 256 chunks, enough about 78% of the time; then 128 more bytes (one batch) at a time, with
  // the 0–2 unread bytes carried to the front.
  aes256CtrStream(iv, 0, stream, 768);
  let block: u32 = 48;
  let len = 768;
  let ctr = 0;
  while (true) {
    let pos = 0;
    for (; pos + 3 <= len && ctr < N; pos += 3) {
      const t = (<i32>load<u8>(stream + pos) | (<i32>load<u8>(stream + pos + 1) << 8) | (<i32>load<u8>(stream + pos + 2) << 16)) & 0x7fffff;
      if (t < Q) {
        setCoef(a, ctr, t);
        ctr++;
      }
    }
    if (ctr >= N) break;
    const rem = len - pos;
    for (let r = 0; r < rem; r++) store<u8>(stream + r, load<u8>(stream + pos + r));
    aes256CtrStream(iv, block, stream + rem, 128);
    block += 8;
    len = rem + 128;
  }
}

/**
 * ExpandS element (AES variant) for η = 4: coefficients 4 − t for the nibbles t < 9 (low nibble first) of
 * AES-256-CTR(ρ′, nonce); the key (first 32 bytes of ρ′) must be set. Branch-free per nibble: every nibble
 * is written at the current position and the position advances by the accept bit.
 */
export function polyUniformEta(a: usize, nonce: i32): void {
  setNonce(nonce);
  aes256CtrStream(iv, 0, stream, 256);
  let block: u32 = 16;
  let len = 256;
  let ctr = 0;
  while (true) {
    for (let pos = 0; pos < len; pos++) {
      const byte = <i32>load<u8>(stream + pos);
      const t0 = byte & 15;
      const t1 = byte >> 4;
      setCoef(sampled, ctr, 4 - t0);
      ctr += ((t0 - 9) >>> 31) & ((ctr - N) >>> 31);
      setCoef(sampled, ctr, 4 - t1);
      ctr += ((t1 - 9) >>> 31) & ((ctr - N) >>> 31);
    }
    if (ctr >= N) break;
    aes256CtrStream(iv, block, stream, 64);
    block += 4;
    len = 64;
  }
  memory.copy(a, sampled, 1024);
  memory.fill(sampled, 0, 4 * 260);
  memory.fill(stream, 0, 256);
}

/** ExpandMask element (AES variant): 640 bytes of AES-256-CTR(ρ′, nonce) unpacked as γ1 − (20-bit value). */
export function polyUniformGamma1(a: usize, nonce: i32): void {
  setNonce(nonce);
  aes256CtrStream(iv, 0, stream, POLYZ_PACKED);
  polyzUnpack(a, stream);
  memory.fill(stream, 0, POLYZ_PACKED);
}

/**
 * SampleInBall (§2.3 "Hashing to a ball", Fig. 2): c with τ = 49 coefficients ±1 from SHAKE256(seed), 32
 * bytes. The first 8 output bytes give the signs; then for i = 256 − τ .. 255 a byte b ≤ i is drawn
 * (rejection), c_i = c_b and c_b = ±1. c is built as 256 signed bytes; the read of c_b and the write of c_b
 * touch all 256 bytes with SIMD compare masks, so no memory index depends on b; only the number of rejected
 * bytes shows.
 */
export function polyChallenge(c: usize, seed: usize): void {
  keccakInit(challengeCtx, SHAKE256_RATE);
  keccakAbsorb(challengeCtx, seed, 32);
  shakeFinalize(challengeCtx);
  keccakSqueeze(challengeCtx, stream, SHAKE256_RATE);
  let signs = load<u64>(stream);
  let pos = 8;
  memory.fill(ball, 0, 256);
  const step = i8x16.splat(16);
  for (let i = N - TAU; i < N; i++) {
    let b: i32;
    while (true) {
      if (pos >= SHAKE256_RATE) {
        keccakSqueeze(challengeCtx, stream, SHAKE256_RATE);
        pos = 0;
      }
      b = <i32>load<u8>(stream + pos);
      pos++;
      if (b <= i) break;
    }
    const s = i8x16.splat(<i8>(1 - 2 * <i32>(signs & 1)));
    signs >>= 1;
    const bv = i8x16.splat(<i8>b);
    // c_b: OR of every byte masked by (index == b); at most one byte survives.
    let idx = v128.load(IOTA16);
    let acc = i8x16.splat(0);
    for (let p = ball; p < ball + 256; p += 16) {
      acc = v128.or(acc, v128.and(v128.load(p), i8x16.eq(idx, bv)));
      idx = i8x16.add(idx, step);
    }
    let x = i64x2.extract_lane(acc, 0) | i64x2.extract_lane(acc, 1);
    x |= x >>> 32;
    x |= x >>> 16;
    x |= x >>> 8;
    // c_i = c_b (i is public), then c_b = ±1 (masked over all bytes; wins when b = i).
    store<u8>(ball + <usize>i, <u8>x);
    idx = v128.load(IOTA16);
    for (let p = ball; p < ball + 256; p += 16) {
      v128.store(p, v128.bitselect(s, v128.load(p), i8x16.eq(idx, bv)));
      idx = i8x16.add(idx, step);
    }
  }
  // Sign-extend the bytes to 32-bit coefficients.
  for (let j: usize = 0; j < 256; j += 16) {
    const v = v128.load(ball + j);
    const lo = i16x8.extend_low_i8x16_s(v);
    const hi = i16x8.extend_high_i8x16_s(v);
    const q = c + (j << 2);
    v128.store(q, i32x4.extend_low_i16x8_s(lo));
    v128.store(q, i32x4.extend_high_i16x8_s(lo), 16);
    v128.store(q, i32x4.extend_low_i16x8_s(hi), 32);
    v128.store(q, i32x4.extend_high_i16x8_s(hi), 48);
  }
  memory.fill(ball, 0, 256);
  memory.fill(challengeCtx, 0, 208);
  memory.fill(stream, 0, SHAKE256_RATE);
}

// ---- Bit packing (spec: data layout of keys and signatures) -------------------------------------------------------------------------------

/** η = 4: two coefficients per byte as 4 − a (low nibble first). */
export function polyEtaPack(r: usize, a: usize): void {
  for (let i = 0; i < N / 2; i++) {
    store<u8>(r + i, <u8>((ETA - coef(a, 2 * i)) | ((ETA - coef(a, 2 * i + 1)) << 4)));
  }
}

export function polyEtaUnpack(r: usize, a: usize): void {
  for (let i = 0; i < N / 2; i++) {
    const b = <i32>load<u8>(a + i);
    setCoef(r, 2 * i, ETA - (b & 15));
    setCoef(r, 2 * i + 1, ETA - (b >> 4));
  }
}

/** t1: 10 bits per coefficient, four coefficients in five bytes, little-endian. */
export function polyT1Pack(r: usize, a: usize): void {
  for (let i = 0; i < N / 4; i++) {
    const x = <u64>coef(a, 4 * i) | (<u64>coef(a, 4 * i + 1) << 10) | (<u64>coef(a, 4 * i + 2) << 20) | (<u64>coef(a, 4 * i + 3) << 30);
    store<u32>(r + 5 * i, <u32>x);
    store<u8>(r + 5 * i + 4, <u8>(x >> 32));
  }
}

export function polyT1Unpack(r: usize, a: usize): void {
  for (let i = 0; i < N / 4; i++) {
    const x = <u64>load<u32>(a + 5 * i) | (<u64>load<u8>(a + 5 * i + 4) << 32);
    setCoef(r, 4 * i, <i32>(x & 0x3ff));
    setCoef(r, 4 * i + 1, <i32>((x >> 10) & 0x3ff));
    setCoef(r, 4 * i + 2, <i32>((x >> 20) & 0x3ff));
    setCoef(r, 4 * i + 3, <i32>((x >> 30) & 0x3ff));
  }
}

/** t0: 13 bits per coefficient as 2^(d−1) − a, eight coefficients in 13 bytes, little-endian. */
export function polyT0Pack(r: usize, a: usize): void {
  for (let i = 0; i < N / 8; i++) {
    let lo: u64 = 0;
    for (let j = 0; j < 4; j++) lo |= <u64>((1 << (D - 1)) - coef(a, 8 * i + j)) << (13 * j);
    let hi: u64 = 0;
    for (let j = 0; j < 4; j++) hi |= <u64>((1 << (D - 1)) - coef(a, 8 * i + 4 + j)) << (13 * j);
    // bits 0..51 from lo, bits 52..103 from hi
    const w0 = lo | (hi << 52);
    const w1 = hi >> 12;
    store<u64>(r + 13 * i, w0);
    store<u32>(r + 13 * i + 8, <u32>w1);
    store<u8>(r + 13 * i + 12, <u8>(w1 >> 32));
  }
}

export function polyT0Unpack(r: usize, a: usize): void {
  for (let i = 0; i < N / 8; i++) {
    const w0 = load<u64>(a + 13 * i);
    const w1 = <u64>load<u32>(a + 13 * i + 8) | (<u64>load<u8>(a + 13 * i + 12) << 32);
    const lo = w0 & 0xfffffffffffff;
    const hi = (w0 >> 52) | (w1 << 12);
    for (let j = 0; j < 4; j++) setCoef(r, 8 * i + j, (1 << (D - 1)) - <i32>((lo >> (13 * j)) & 0x1fff));
    for (let j = 0; j < 4; j++) setCoef(r, 8 * i + 4 + j, (1 << (D - 1)) - <i32>((hi >> (13 * j)) & 0x1fff));
  }
}

/** z (γ1 = 2^19): 20 bits per coefficient as γ1 − a, two coefficients in five bytes, little-endian. */
export function polyzPack(r: usize, a: usize): void {
  for (let i = 0; i < N / 2; i++) {
    const x = <u64>(<u32>(GAMMA1 - coef(a, 2 * i))) | (<u64>(<u32>(GAMMA1 - coef(a, 2 * i + 1))) << 20);
    store<u32>(r + 5 * i, <u32>x);
    store<u8>(r + 5 * i + 4, <u8>(x >> 32));
  }
}

export function polyzUnpack(r: usize, a: usize): void {
  for (let i = 0; i < N / 2; i++) {
    const x = <u64>load<u32>(a + 5 * i) | (<u64>load<u8>(a + 5 * i + 4) << 32);
    setCoef(r, 2 * i, GAMMA1 - <i32>(x & 0xfffff));
    setCoef(r, 2 * i + 1, GAMMA1 - <i32>((x >> 20) & 0xfffff));
  }
}

/** w1 (γ2 = (q − 1)/32): coefficients in [0, 15], two per byte, low nibble first. */
export function polyW1Pack(r: usize, a: usize): void {
  for (let i = 0; i < N / 2; i++) store<u8>(r + i, <u8>(coef(a, 2 * i) | (coef(a, 2 * i + 1) << 4)));
}
