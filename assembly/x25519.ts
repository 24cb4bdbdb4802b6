// X25519 (RFC 7748 §5): the Montgomery ladder on Curve25519's u-coordinates, and public keys X25519(k, 9)
// through the Edwards fixed-base multiplication. Constant time: the ladder runs all 255 steps, the scalar
// bits only feed masked conditional swaps, and the memory addresses depend only on the loop counter; see
// edwards25519.ts for the fixed-base multiplication.
import {
  feAdd, feCswap, feInvert, feMul, feMulSmall, feOne, feSq, feSub, feToBytes, feWipeScratch, feZero,
  feFromBytes,
} from "./field25519";
import { geScalarmultBase, geWipeScratch } from "./edwards25519";
import { OK, ERR_VERIFY } from "./status";

/** Bytes of a scalar, a u-coordinate and a shared secret. */
export const X25519_BYTES: i32 = 32;

// Scratch (secret-derived, wiped before every return).
const K: usize = memory.data(32, 16);
const SCRATCH: usize = memory.data(40 * 12, 16);
const X1: usize = SCRATCH + 0;
const X2: usize = SCRATCH + 40;
const Z2: usize = SCRATCH + 80;
const X3: usize = SCRATCH + 120;
const Z3: usize = SCRATCH + 160;
const TA: usize = SCRATCH + 200;
const TB: usize = SCRATCH + 240;
const AA: usize = SCRATCH + 280;
const BB: usize = SCRATCH + 320;
const TE: usize = SCRATCH + 360;
const TC: usize = SCRATCH + 400;
const TD: usize = SCRATCH + 440;
/** An extended Edwards point for x25519Base (secret-derived, wiped). */
const POINT: usize = memory.data(160, 16);

function wipeScratch(): void {
  memory.fill(K, 0, 32);
  memory.fill(SCRATCH, 0, 40 * 12);
  feWipeScratch();
}

/**
 * out = X25519(k, u) (RFC 7748 §5), 32 bytes each. Returns OK, or ERR_VERIFY when the result is all zero
 * (u of small order, RFC 7748 §6.1 "check"); `out` is written in both cases.
 */
export function x25519Scalarmult(out: usize, k: usize, u: usize): i32 {
  // §5 decodeScalar25519: clear bits 0, 1, 2 and 255, set bit 254.
  memory.copy(K, k, 32);
  store<u8>(K, load<u8>(K) & 248);
  store<u8>(K + 31, (load<u8>(K + 31) & 127) | 64);
  // §5 decodeUCoordinate: the top bit of the last byte is masked; non-canonical values are taken mod p.
  feFromBytes(X1, u);
  feOne(X2);
  feZero(Z2);
  memory.copy(X3, X1, 40);
  feOne(Z3);
  let swap = 0;
  for (let t = 254; t >= 0; t--) {
    const kt = <i32>(load<u8>(K + <usize>(t >> 3)) >> <u8>(t & 7)) & 1;
    swap ^= kt;
    feCswap(X2, X3, swap);
    feCswap(Z2, Z3, swap);
    swap = kt;
    feAdd(TA, X2, Z2); //   A = x_2 + z_2
    feSq(AA, TA); //        AA = A^2
    feSub(TB, X2, Z2); //   B = x_2 - z_2
    feSq(BB, TB); //        BB = B^2
    feSub(TE, AA, BB); //   E = AA - BB
    feAdd(TC, X3, Z3); //   C = x_3 + z_3
    feSub(TD, X3, Z3); //   D = x_3 - z_3
    feMul(TD, TD, TA); //   DA = D * A
    feMul(TC, TC, TB); //   CB = C * B
    feAdd(X3, TD, TC);
    feSq(X3, X3); //        x_3 = (DA + CB)^2
    feSub(Z3, TD, TC);
    feSq(Z3, Z3);
    feMul(Z3, X1, Z3); //   z_3 = x_1 * (DA - CB)^2
    feMul(X2, AA, BB); //   x_2 = AA * BB
    feMulSmall(TA, TE, 121665);
    feAdd(TA, AA, TA);
    feMul(Z2, TE, TA); //   z_2 = E * (AA + a24 * E), a24 = 121665
  }
  feCswap(X2, X3, swap);
  feCswap(Z2, Z3, swap);
  // Return x_2 * (z_2^(p - 2)).
  feInvert(Z2, Z2);
  feMul(X2, X2, Z2);
  feToBytes(out, X2);
  // §6.1: the all-zero output (small-order u) is rejected, checked without a data-dependent branch.
  let acc: u64 = 0;
  for (let i: usize = 0; i < 32; i += 8) acc |= load<u64>(out + i);
  wipeScratch();
  const zero = <i32>(((acc | (0 - acc)) >> 63) ^ 1);
  return select<i32>(ERR_VERIFY, OK, zero);
}

/**
 * out = X25519(k, 9), the public key of the private key k (RFC 7748 §6.1). Computed on the birationally
 * equivalent Edwards curve (RFC 7748 §4.1: u = (1 + y)/(1 - y)) with the constant-time fixed-base
 * multiplication of edwards25519.ts, which is several times faster than the ladder. The clamped k is a
 * multiple of 8 below 2^255, so [k]B is never the neutral element and 1 - y ≠ 0.
 */
export function x25519Base(out: usize, k: usize): i32 {
  // §5 decodeScalar25519.
  memory.copy(K, k, 32);
  store<u8>(K, load<u8>(K) & 248);
  store<u8>(K + 31, (load<u8>(K + 31) & 127) | 64);
  geScalarmultBase(POINT, K);
  // u = (1 + y)/(1 - y) = (Z + Y)/(Z - Y).
  feAdd(TA, POINT + 80, POINT + 40);
  feSub(TB, POINT + 80, POINT + 40);
  feInvert(TB, TB);
  feMul(TA, TA, TB);
  feToBytes(out, TA);
  memory.fill(POINT, 0, 160);
  geWipeScratch();
  wipeScratch();
  return OK;
}

// ---- ABI (re-exported by assembly/abi/curve25519.ts) ----

/** X25519(k, u) into out (32 bytes each). OK, or ERR_VERIFY for the all-zero result (out is then zero). */
export function x25519(out: usize, k: usize, u: usize): i32 {
  return x25519Scalarmult(out, k, u);
}

/** The X25519 public key of the private key k (32 bytes each). */
export function x25519_base(out: usize, k: usize): i32 {
  return x25519Base(out, k);
}
