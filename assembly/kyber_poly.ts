// Polynomial arithmetic of CRYSTALS-Kyber, round 3 (Kyber specification v3.02, §1.1 and §1.2): the ring
// R_q = Z_q[X]/(X^256 + 1), q = 3329, its number-theoretic transform, Montgomery and Barrett reductions,
// centred binomial sampling, (de)serialisation and (de)compression.
//
// A polynomial is 256 signed 16-bit coefficients (512 bytes) in static scratch or caller memory. Every
// function here is constant time: coefficient values never select a branch, a loop bound or a memory
// index (divisions by q are multiplications by precomputed reciprocals). Only rejUniform, which samples the
// public matrix A, looks at its (public) input to decide what to keep.

/** The modulus q (§1.1). */
// @ts-ignore: decorator
@inline export const KYBER_Q: i32 = 3329;
/** n = 256 coefficients (§1.1). */
// @ts-ignore: decorator
@inline export const KYBER_N: i32 = 256;
/** Bytes of one polynomial in memory (256 × i16). */
// @ts-ignore: decorator
@inline export const POLY_MEM: usize = 512;
/** Bytes of one serialised polynomial: Encode_12 (§1.1, Algorithm 3). */
// @ts-ignore: decorator
@inline export const POLY_BYTES: i32 = 384;

// q^-1 mod 2^16, as a signed 16-bit value.
// @ts-ignore: decorator
@inline const QINV: i32 = -3327;

// The powers ζ^brv7(i)·2^16 mod q of the primitive 256th root of unity ζ = 17 (§1.1), centred, in the
// order the NTT consumes them (bit-reversed index brv7).
const ZETAS: usize = memory.data<i16>([
  -1044, -758, -359, -1517, 1493, 1422, 287, 202, -171, 622, 1577, 182, 962, -1202, -1474, 1468,
  573, -1325, 264, 383, -829, 1458, -1602, -130, -681, 1017, 732, 608, -1542, 411, -205, -1571,
  1223, 652, -552, 1015, -1293, 1491, -282, -1544, 516, -8, -320, -666, -1618, -1162, 126, 1469,
  -853, -90, -271, 830, 107, -1421, -247, -951, -398, 961, -1508, -725, 448, -1065, 677, -1275,
  -1103, 430, 555, 843, -1251, 871, 1550, 105, 422, 587, 177, -235, -291, -460, 1574, 1653,
  -246, 778, 1159, -147, -777, 1483, -602, 1119, -1590, 644, -872, 349, 418, 329, -156, -75,
  817, 1097, 603, 610, 1322, -1285, -1465, 384, -1215, -136, 1218, -1335, -874, 220, -1187, -1659,
  -1185, -1530, -1278, 794, -1510, -854, -870, 478, -108, -308, 996, 991, 958, -1460, 1522, 1628,
]);

// @ts-ignore: decorator
@inline function zeta(k: i32): i32 {
  return <i32>load<i16>(ZETAS + (<usize>k << 1));
}
// @ts-ignore: decorator
@inline function coef(p: usize, i: i32): i32 {
  return <i32>load<i16>(p + (<usize>i << 1));
}
// @ts-ignore: decorator
@inline function setCoef(p: usize, i: i32, v: i32): void {
  store<i16>(p + (<usize>i << 1), <i16>v);
}

// ---- Vector arithmetic: eight coefficients per v128 (i16x8) ----

/** High 16 bits of the eight signed 32-bit products a_i·b_i. */
// @ts-ignore: decorator
@inline function mulhi(a: v128, b: v128): v128 {
  return i8x16.shuffle(
    i32x4.extmul_low_i16x8_s(a, b), i32x4.extmul_high_i16x8_s(a, b),
    2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31,
  );
}

/**
 * Montgomery product (§1.1, "NTT-based multiplication", R = 2^16) of each lane: r ≡ a·b·2^-16 (mod q),
 * |r| < q for |a·b| < q·2^15. With t = (a·b mod 2^16)·q^-1 mod 2^16 (as a signed 16-bit value), a·b − t·q
 * is a multiple of 2^16, so (a·b − t·q) >> 16 = hi16(a·b) − hi16(t·q) exactly.
 */
// @ts-ignore: decorator
@inline function fqmulv(a: v128, b: v128): v128 {
  const t = i16x8.mul(i16x8.mul(a, b), i16x8.splat(<i16>QINV));
  return i16x8.sub(mulhi(a, b), mulhi(t, i16x8.splat(<i16>KYBER_Q)));
}

/**
 * Barrett reduction of each lane (16-bit signed input): r = a − ⌊(v·a + 2^25) / 2^26⌋·q ≡ a (mod q), r in
 * {−(q−1)/2, …, (q−1)/2}, with v = round(2^26 / q) = 20159.
 */
// @ts-ignore: decorator
@inline function barrettv(a: v128): v128 {
  const v = i16x8.splat(20159);
  const half = i32x4.splat(1 << 25);
  const lo = i32x4.shr_s(i32x4.add(i32x4.extmul_low_i16x8_s(a, v), half), 26);
  const hi = i32x4.shr_s(i32x4.add(i32x4.extmul_high_i16x8_s(a, v), half), 26);
  return i16x8.sub(a, i16x8.mul(i16x8.narrow_i32x4_s(lo, hi), i16x8.splat(<i16>KYBER_Q)));
}

// Per-lane zeta vectors for the layers whose butterflies lie inside one vector, and for the base
// multiplication; filled once from ZETAS (public constants).
const ZL4: usize = memory.data(256, 16); // forward len 4: ζ_k for k = 32 + b, 4 lanes each
const ZL2: usize = memory.data(256, 16); // forward len 2: ζ_k for k = 64 + b, 2 lanes each
const ZIL2: usize = memory.data(256, 16); // inverse len 2: ζ_k for k = 127 − b, 2 lanes each
const ZIL4: usize = memory.data(256, 16); // inverse len 4: ζ_k for k = 63 − b, 4 lanes each
const ZBASE: usize = memory.data(256, 16); // base multiplication: +ζ_{64+i}, −ζ_{64+i} for the pairs 2i, 2i+1
let tablesReady = false;

function fillTables(): void {
  for (let b = 0; b < 32; b++) {
    for (let r = 0; r < 4; r++) {
      setCoef(ZL4, 4 * b + r, zeta(32 + b));
      setCoef(ZIL4, 4 * b + r, zeta(63 - b));
    }
  }
  for (let b = 0; b < 64; b++) {
    for (let r = 0; r < 2; r++) {
      setCoef(ZL2, 2 * b + r, zeta(64 + b));
      setCoef(ZIL2, 2 * b + r, zeta(127 - b));
    }
    setCoef(ZBASE, 2 * b, zeta(64 + b));
    setCoef(ZBASE, 2 * b + 1, -zeta(64 + b));
  }
  tablesReady = true;
}

/** Fills the lane tables on first use (a branch on a public flag). */
export function kyberPolyInit(): void {
  if (!tablesReady) fillTables();
}

/**
 * Forward NTT (§1.1): Cooley–Tukey butterflies, seven layers, input in standard order, output in
 * bit-reversed order as the pairs (â_2i, â_2i+1) of the degree-one residues, then Barrett reduction.
 * Coefficients may grow by q per layer: inputs |a| < q give outputs |â| < 8q before the reduction.
 * Layers with distance ≥ 8 work on whole vectors; distances 4 and 2 regroup two vectors into the
 * "upper" and "lower" halves of their butterflies with byte shuffles.
 */
export function polyNtt(r: usize): void {
  let k = 1;
  for (let len = 128; len >= 8; len >>= 1) {
    for (let start = 0; start < 256; start += len << 1) {
      const z = i16x8.splat(<i16>zeta(k++));
      for (let j = start; j < start + len; j += 8) {
        const pa = r + (<usize>j << 1);
        const pb = pa + (<usize>len << 1);
        const a = v128.load(pa);
        const t = fqmulv(z, v128.load(pb));
        v128.store(pb, i16x8.sub(a, t));
        v128.store(pa, i16x8.add(a, t));
      }
    }
  }
  // len = 4: each 8-coefficient block is (a0..a3, b0..b3) with ζ_{32+block}
  for (let i = 0; i < 16; i++) {
    const p = r + (<usize>i << 5);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    const a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const b = i8x16.shuffle(v0, v1, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const t = fqmulv(v128.load(ZL4 + (<usize>i << 4)), b);
    const x = i16x8.add(a, t), y = i16x8.sub(a, t);
    v128.store(p, i8x16.shuffle(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(x, y, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
  }
  // len = 2: each 4-coefficient block is (a0, a1, b0, b1) with ζ_{64+block}
  for (let i = 0; i < 16; i++) {
    const p = r + (<usize>i << 5);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    const a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const b = i8x16.shuffle(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const t = fqmulv(v128.load(ZL2 + (<usize>i << 4)), b);
    const x = i16x8.add(a, t), y = i16x8.sub(a, t);
    v128.store(p, i8x16.shuffle(x, y, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(x, y, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
  }
  polyReduce(r);
}

/**
 * Inverse NTT (§1.1) with Gentleman–Sande butterflies (a, b) -> (a + b, ζ·(b − a)), Barrett-reducing the
 * sums, followed by multiplication by 2^16·2^16/128 mod q = 1441, so that the output carries an extra
 * Montgomery factor 2^16 that cancels the 2^-16 of polyvecBasemulAcc.
 */
export function polyInvNttToMont(r: usize): void {
  // len = 2, ζ_k for k = 127, 126, …
  for (let i = 0; i < 16; i++) {
    const p = r + (<usize>i << 5);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    const a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const b = i8x16.shuffle(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const x = barrettv(i16x8.add(a, b));
    const y = fqmulv(v128.load(ZIL2 + (<usize>i << 4)), i16x8.sub(b, a));
    v128.store(p, i8x16.shuffle(x, y, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(x, y, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
  }
  // len = 4, ζ_k for k = 63, 62, …
  for (let i = 0; i < 16; i++) {
    const p = r + (<usize>i << 5);
    const v0 = v128.load(p), v1 = v128.load(p, 16);
    const a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const b = i8x16.shuffle(v0, v1, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const x = barrettv(i16x8.add(a, b));
    const y = fqmulv(v128.load(ZIL4 + (<usize>i << 4)), i16x8.sub(b, a));
    v128.store(p, i8x16.shuffle(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(x, y, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
  }
  let k = 31;
  for (let len = 8; len <= 128; len <<= 1) {
    for (let start = 0; start < 256; start += len << 1) {
      const z = i16x8.splat(<i16>zeta(k--));
      for (let j = start; j < start + len; j += 8) {
        const pa = r + (<usize>j << 1);
        const pb = pa + (<usize>len << 1);
        const a = v128.load(pa), b = v128.load(pb);
        v128.store(pa, barrettv(i16x8.add(a, b)));
        v128.store(pb, fqmulv(z, i16x8.sub(b, a)));
      }
    }
  }
  const f = i16x8.splat(1441);
  for (let j: usize = 0; j < 512; j += 16) v128.store(r + j, fqmulv(v128.load(r + j), f));
}

/**
 * r = Σ_{v<k} a_v ∘ b_v in the NTT domain (§1.1: products of the degree-one residues (x0 + x1·X) modulo
 * X^2 − γ_i, γ = ±ζ_{64+i}), with a factor 2^-16 from the Montgomery products, then Barrett-reduced. `a`
 * and `b` hold k consecutive polynomials. Eight pairs at a time, split into even and odd lanes.
 */
export function polyvecBasemulAcc(r: usize, a: usize, b: usize, k: i32): void {
  for (let c = 0; c < 16; c++) {
    const off = <usize>c << 5;
    const z = v128.load(ZBASE + (<usize>c << 4));
    let r0 = i16x8.splat(0), r1 = i16x8.splat(0);
    for (let v = 0; v < k; v++) {
      const pa = a + (<usize>v << 9) + off, pb = b + (<usize>v << 9) + off;
      const a00 = v128.load(pa), a01 = v128.load(pa, 16);
      const b00 = v128.load(pb), b01 = v128.load(pb, 16);
      const a0 = i8x16.shuffle(a00, a01, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const a1 = i8x16.shuffle(a00, a01, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
      const b0 = i8x16.shuffle(b00, b01, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const b1 = i8x16.shuffle(b00, b01, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
      r0 = i16x8.add(r0, i16x8.add(fqmulv(fqmulv(a1, b1), z), fqmulv(a0, b0)));
      r1 = i16x8.add(r1, i16x8.add(fqmulv(a0, b1), fqmulv(a1, b0)));
    }
    r0 = barrettv(r0);
    r1 = barrettv(r1);
    v128.store(r + off, i8x16.shuffle(r0, r1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
    v128.store(r + off, i8x16.shuffle(r0, r1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
  }
}

/** Multiplies every coefficient by 2^32 mod q = 1353 in Montgomery form: converts to the Montgomery domain. */
export function polyToMont(r: usize): void {
  const f = i16x8.splat(1353);
  for (let j: usize = 0; j < 512; j += 16) v128.store(r + j, fqmulv(v128.load(r + j), f));
}

/** Barrett-reduces every coefficient. */
export function polyReduce(r: usize): void {
  for (let j: usize = 0; j < 512; j += 16) v128.store(r + j, barrettv(v128.load(r + j)));
}

/** r = a + b (no reduction). */
export function polyAdd(r: usize, a: usize, b: usize): void {
  for (let j: usize = 0; j < 512; j += 16) v128.store(r + j, i16x8.add(v128.load(a + j), v128.load(b + j)));
}

/** r = a − b (no reduction). */
export function polySub(r: usize, a: usize, b: usize): void {
  for (let j: usize = 0; j < 512; j += 16) v128.store(r + j, i16x8.sub(v128.load(a + j), v128.load(b + j)));
}

/** The standard representative in [0, q) of a coefficient in (−q, q), without a branch. */
// @ts-ignore: decorator
@inline function positive(a: i32): i32 {
  return a + ((a >> 31) & KYBER_Q);
}

/** Encode_12 (§1.1, Algorithm 3) of a polynomial with coefficients in (−q, q), mapped to [0, q): 384 bytes. */
export function polyToBytes(out: usize, a: usize): void {
  for (let i = 0; i < 128; i++) {
    const t0 = positive(coef(a, 2 * i));
    const t1 = positive(coef(a, 2 * i + 1));
    const o = out + <usize>(3 * i);
    store<u8>(o, <u8>t0);
    store<u8>(o, <u8>((t0 >> 8) | (t1 << 4)), 1);
    store<u8>(o, <u8>(t1 >> 4), 2);
  }
}

/** Decode_12 (§1.1, Algorithm 2): 384 bytes to 256 coefficients in [0, 4096). */
export function polyFromBytes(r: usize, a: usize): void {
  for (let i = 0; i < 128; i++) {
    const p = a + <usize>(3 * i);
    const b0 = <i32>load<u8>(p), b1 = <i32>load<u8>(p, 1), b2 = <i32>load<u8>(p, 2);
    setCoef(r, 2 * i, (b0 | (b1 << 8)) & 0xfff);
    setCoef(r, 2 * i + 1, (b1 >> 4) | (b2 << 4));
  }
}

/**
 * Compress_q(x, 10) = ⌈(2^10/q)·x⌋ mod 2^10 (§1.1) of each coefficient followed by Encode_10: 320 bytes.
 * ⌊(x·2^10 + q/2)/q⌋ is computed as ((x·2^10 + 1664)·2580335) >> 33, exact for all x in [0, q).
 */
export function polyCompress10(out: usize, a: usize): void {
  for (let i = 0; i < 64; i++) {
    const t0 = compress10(coef(a, 4 * i));
    const t1 = compress10(coef(a, 4 * i + 1));
    const t2 = compress10(coef(a, 4 * i + 2));
    const t3 = compress10(coef(a, 4 * i + 3));
    const o = out + <usize>(5 * i);
    store<u8>(o, <u8>t0);
    store<u8>(o, <u8>((t0 >> 8) | (t1 << 2)), 1);
    store<u8>(o, <u8>((t1 >> 6) | (t2 << 4)), 2);
    store<u8>(o, <u8>((t2 >> 4) | (t3 << 6)), 3);
    store<u8>(o, <u8>(t3 >> 2), 4);
  }
}

// @ts-ignore: decorator
@inline function compress10(c: i32): u32 {
  return <u32>((((<u64>positive(c) << 10) + 1664) * 2580335) >> 33) & 0x3ff;
}

/** Decode_10 then Decompress_q(y, 10) = ⌈(q/2^10)·y⌋ (§1.1) of 320 bytes. */
export function polyDecompress10(r: usize, a: usize): void {
  for (let i = 0; i < 64; i++) {
    const p = a + <usize>(5 * i);
    const b0 = <u32>load<u8>(p), b1 = <u32>load<u8>(p, 1), b2 = <u32>load<u8>(p, 2);
    const b3 = <u32>load<u8>(p, 3), b4 = <u32>load<u8>(p, 4);
    const t0 = (b0 | (b1 << 8)) & 0x3ff;
    const t1 = ((b1 >> 2) | (b2 << 6)) & 0x3ff;
    const t2 = ((b2 >> 4) | (b3 << 4)) & 0x3ff;
    const t3 = ((b3 >> 6) | (b4 << 2)) & 0x3ff;
    setCoef(r, 4 * i, <i32>((t0 * 3329 + 512) >> 10));
    setCoef(r, 4 * i + 1, <i32>((t1 * 3329 + 512) >> 10));
    setCoef(r, 4 * i + 2, <i32>((t2 * 3329 + 512) >> 10));
    setCoef(r, 4 * i + 3, <i32>((t3 * 3329 + 512) >> 10));
  }
}

/**
 * Compress_q(x, 4) (§1.1) of each coefficient followed by Encode_4: 128 bytes.
 * ⌊(x·2^4 + q/2)/q⌋ = ((x·2^4 + 1664)·20159) >> 26, exact for all x in [0, q).
 */
export function polyCompress4(out: usize, a: usize): void {
  for (let i = 0; i < 128; i++) {
    const x0 = <u32>positive(coef(a, 2 * i));
    const x1 = <u32>positive(coef(a, 2 * i + 1));
    const t0 = ((((x0 << 4) + 1664) * 20159) >> 26) & 15;
    const t1 = ((((x1 << 4) + 1664) * 20159) >> 26) & 15;
    store<u8>(out + <usize>i, <u8>(t0 | (t1 << 4)));
  }
}

/** Decode_4 then Decompress_q(y, 4) (§1.1) of 128 bytes. */
export function polyDecompress4(r: usize, a: usize): void {
  for (let i = 0; i < 128; i++) {
    const b = <i32>load<u8>(a + <usize>i);
    setCoef(r, 2 * i, ((b & 15) * 3329 + 8) >> 4);
    setCoef(r, 2 * i + 1, ((b >> 4) * 3329 + 8) >> 4);
  }
}

/** Decompress_q(Decode_1(m), 1) (§1.1): bit b of the message becomes b·⌈q/2⌋ = b·1665, through a mask. */
export function polyFromMsg(r: usize, msg: usize): void {
  for (let i = 0; i < 32; i++) {
    const b = <i32>load<u8>(msg + <usize>i);
    for (let j = 0; j < 8; j++) {
      const mask = -((b >> j) & 1);
      setCoef(r, 8 * i + j, mask & 1665);
    }
  }
}

/**
 * Encode_1(Compress_q(x, 1)) (§1.1): 32 bytes. ⌊(2x + q/2)/q⌋ = ((2x + 1664)·315) >> 20, exact for x in
 * [0, q).
 */
export function polyToMsg(msg: usize, a: usize): void {
  for (let i = 0; i < 32; i++) {
    let b: u32 = 0;
    for (let j = 0; j < 8; j++) {
      const x = <u32>positive(coef(a, 8 * i + j));
      b |= ((((x << 1) + 1664) * 315) >> 20 & 1) << j;
    }
    store<u8>(msg + <usize>i, <u8>b);
  }
}

/**
 * CBD_2 (§1.2, Algorithm 2, η = 2) of the 128 bytes at `buf`: each coefficient is
 * (b_4i + b_4i+1) − (b_4i+2 + b_4i+3) of the little-endian bit stream.
 */
export function polyCbd2(r: usize, buf: usize): void {
  for (let i = 0; i < 32; i++) {
    const t = load<u32>(buf + (<usize>i << 2));
    const d = (t & 0x55555555) + ((t >> 1) & 0x55555555);
    for (let j = 0; j < 8; j++) {
      const a = <i32>((d >> (4 * j)) & 3);
      const b = <i32>((d >> (4 * j + 2)) & 3);
      setCoef(r, 8 * i + j, a - b);
    }
  }
}

/**
 * Parse (§1.1, Algorithm 1) step: consumes 3-byte groups of the public stream at `buf` (from byte `pos`
 * up to `len`) into 12-bit candidates d1, d2 and keeps those < q as coefficients ctr, ctr+1, … of `r`, up
 * to 256. Returns (pos << 16) | ctr. Branches only on the public stream.
 */
export function rejUniform(r: usize, ctr: i32, buf: usize, pos: i32, len: i32): i32 {
  while (ctr < 256 && pos + 3 <= len) {
    const p = buf + <usize>pos;
    const b0 = <i32>load<u8>(p), b1 = <i32>load<u8>(p, 1), b2 = <i32>load<u8>(p, 2);
    const d1 = (b0 | (b1 << 8)) & 0xfff;
    const d2 = (b1 >> 4) | (b2 << 4);
    pos += 3;
    if (d1 < KYBER_Q) setCoef(r, ctr++, d1);
    if (ctr < 256 && d2 < KYBER_Q) setCoef(r, ctr++, d2);
  }
  return (pos << 16) | ctr;
}
