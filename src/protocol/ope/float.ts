/**
 * Natural logarithm and exponential with results that are identical in every JavaScript engine.
 *
 * The OPE sampler (hgd.ts) feeds `ln` and `exp` results into comparisons and truncations, so a one-ulp
 * difference changes ciphertexts. sentc computes them with Rust `libm` (0.2.7), which ports the FreeBSD
 * msun / fdlibm routines `e_log.c` and `e_exp.c` (Sun Microsystems, 1993) in the arrangement used by musl.
 * ECMAScript leaves `Math.log` and `Math.exp` implementation-approximated, so both are written out here
 * from the published method: argument reduction, then the published minimax polynomial, with every
 * operation in IEEE 754 binary64 (round to nearest even) in a fixed order. Only +, -, *, / and bit
 * access are used, which ECMAScript defines exactly.
 */

// Access to the two 32-bit halves of a binary64, whatever the platform's byte order.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function highWord(x: number): number {
  F64[0] = x;
  return U32[HI]!;
}

function fromWords(hi: number, lo: number): number {
  U32[HI] = hi;
  U32[LO] = lo;
  return F64[0]!;
}

/** 2^n for an integer n in [-1022, 1023], built from its exponent field. */
function pow2(n: number): number {
  return fromWords(((0x3ff + n) << 20) >>> 0, 0);
}

// ln 2 split so that k * LN2_HI is exact for |k| < 2000 (fdlibm e_log.c / e_exp.c).
const LN2_HI = 6.9314718036912381649e-1; // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const TWO54 = 1.8014398509481984e16; // 2^54

// log: minimax polynomial for R(z) = (log(1+s) - log(1-s) - 2s) / s with z = s^2 on [0, 0.1716],
// error below 2^-58.45 (fdlibm e_log.c, "Lg1".."Lg7").
const LG1 = 6.66666666666673513e-1; // 0x3FE55555 55555593
const LG2 = 3.999999999940941908e-1; // 0x3FD99999 9997FA04
const LG3 = 2.857142874366239149e-1; // 0x3FD24924 94229359
const LG4 = 2.222219843214978396e-1; // 0x3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-1; // 0x3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-1; // 0x3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-1; // 0x3FC2F112 DF3E5244

/**
 * ln(x), fdlibm's method:
 *  1. Reduction: x = 2^k * (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2), done on the exponent bits.
 *  2. s = f / (2 + f); log(1+f) = log(1+s) - log(1-s) = 2s + s*R(s^2), R from the minimax polynomial,
 *     evaluated as two interleaved Horner chains in w = z^2.
 *  3. With hfsq = f^2/2: log(x) = k*ln2_hi + (f - (hfsq - (s*(hfsq + R) + k*ln2_lo))), summed in
 *     libm's order s*(hfsq+R) + k*ln2_lo - hfsq + f + k*ln2_hi.
 * Special cases: log(±0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity, log(NaN) = NaN,
 * log(1) = +0. Error below 1 ulp.
 */
export function fdlibmLog(x: number): number {
  F64[0] = x;
  let hx = U32[HI]!;
  const lx = U32[LO]!;
  let k = 0;
  if (hx < 0x00100000 || hx >>> 31 !== 0) {
    if (((hx & 0x7fffffff) | lx) === 0) return -1 / (x * x); // log(±0) = -Infinity
    if (hx >>> 31 !== 0) return (x - x) / 0; // negative (or -NaN with sign bit set): NaN
    // subnormal: scale up by 2^54 and correct k
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  } else if (hx >= 0x7ff00000) {
    return x; // +Infinity or NaN
  } else if (hx === 0x3ff00000 && lx === 0) {
    return 0;
  }
  // Step 1: move the mantissa into [sqrt(2)/2, sqrt(2)) (0x3fe6a09e is the high word of sqrt(2)/2).
  hx = (hx + (0x3ff00000 - 0x3fe6a09e)) >>> 0;
  k += (hx >>> 20) - 0x3ff;
  hx = (hx & 0x000fffff) + 0x3fe6a09e;
  F64[0] = x;
  U32[HI] = hx;
  const f = F64[0]! - 1.0;
  // Step 2
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  const dk = k;
  // Step 3 (left to right, no fused operations)
  return s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
}

// exp: 1/ln2 and the minimax polynomial for R(r^2) = r*(e^r + 1)/(e^r - 1) ≈ 2 + P1 r^2 + ... + P5 r^10
// on [0, 0.34658], error below 2^-59 (fdlibm e_exp.c).
const INV_LN2 = 1.442695040888963387; // 0x3ff71547 652b82fe
const P1 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4 = -1.6533902205465251539e-6; // 0xBEBBBD41 C5D26BF1
const P5 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0
const OVERFLOW = 7.09782712893383973096e2; // above: +Infinity
const UNDERFLOW = -7.4513321910194110842e2; // below: 0
const TWO1023 = 8.98846567431158e307; // 2^1023

/** y * 2^k for integer k, with a single rounding (C99 scalbn; only the last product may round). */
function scale(y: number, k: number): number {
  if (k > 1023) {
    y *= TWO1023;
    k -= 1023;
    if (k > 1023) return y * TWO1023; // overflows to Infinity
  } else if (k < -1022) {
    // two steps so that only the final product can enter the subnormal range (no double rounding)
    y *= pow2(-1022) * pow2(53);
    k += 1022 - 53;
    if (k < -1022) k = -1022;
  }
  return y * pow2(k);
}

/**
 * e^x, fdlibm's method:
 *  1. Reduction: x = k*ln2 + r with |r| <= 0.5*ln2, k = round(x/ln2) (for |x| < 1.5 ln2, k = ±1 directly),
 *     r carried as hi - lo with hi = x - k*ln2_hi (exact) and lo = k*ln2_lo.
 *  2. e^r = 1 + 2r/(2 - R(r)) with R(r) = r - r^2*(P1 + r^2*(P2 + ... + r^2*P5)) (the "c" below), so
 *     e^r = 1 + (hi - (lo - r*c/(2 - c))), summed in libm's order 1 + (r*c/(2 - c) - lo + hi).
 *  3. e^x = 2^k * e^r.
 * Special cases: exp(NaN) = NaN, exp(x > 709.78...) = +Infinity, exp(x < -745.13...) = 0, and
 * exp(x) = 1 + x for |x| <= 2^-28. Error below 1 ulp.
 */
export function fdlibmExp(x: number): number {
  const hxSigned = highWord(x);
  const sign = hxSigned >>> 31;
  const hx = hxSigned & 0x7fffffff; // high word of |x|
  if (hx >= 0x4086232b) {
    // |x| >= 708.39...
    if (x !== x) return x; // NaN
    if (x > OVERFLOW) return x * TWO1023; // +Infinity
    if (x < UNDERFLOW) return 0;
  }
  let hi: number;
  let lo: number;
  let k: number;
  if (hx > 0x3fd62e42) {
    // |x| > 0.5 ln2
    if (hx >= 0x3ff0a2b2) {
      // |x| >= 1.5 ln2: k = (int)(x/ln2 ± 0.5), truncated toward zero
      k = Math.trunc(INV_LN2 * x + (sign === 0 ? 0.5 : -0.5));
    } else {
      k = 1 - sign - sign;
    }
    hi = x - k * LN2_HI; // exact
    lo = k * LN2_LO;
    x = hi - lo;
  } else if (hx > 0x3e300000) {
    // 2^-28 < |x| <= 0.5 ln2
    k = 0;
    hi = x;
    lo = 0;
  } else {
    return 1 + x;
  }
  const xx = x * x;
  const c = x - xx * (P1 + xx * (P2 + xx * (P3 + xx * (P4 + xx * P5))));
  const y = 1 + ((x * c) / (2 - c) - lo + hi);
  return k === 0 ? y : scale(y, k);
}
