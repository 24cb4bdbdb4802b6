// Round-3 CRYSTALS-Dilithium3 ("CRYSTALS-Dilithium Algorithm Specifications and Supporting Documentation",
// version 3.1, 2021-02-08; "spec" below) in the AES variant (ExpandA, ExpandS and ExpandMask use
// AES-256-CTR) with randomized signing (ρ′ drawn at random instead of CRH(K ‖ μ)). Sizes: public key 1952, secret key 4000, signature 3293.
//
// Randomness comes from the host: key generation takes the 32-byte seed ζ, signing takes the 64-byte ρ′.
// Key generation and signing are constant time apart from the rejection loops (matrix and secret
// sampling, the signing loop and the challenge sampler), whose counts depend only on rejected samples.
// Verification handles public data only and may branch on it.
//
// The polynomial work space (up to 76 polynomials) is taken from the per-call arena and wiped before
// returning; the host wipes the whole arena after every call as well.

import { alloc } from "./arena";
import { aes256CtrSetKey, aes256CtrWipe } from "./aes256ctr";
import { ct_equal } from "./ct";
import { keccakAbsorb, keccakInit, keccakSqueeze, shakeFinalize, shake256, SHAKE256_RATE } from "./keccak";
import { ERR_INVALID_INPUT, ERR_OUT_OF_MEMORY, ERR_VERIFY, OK } from "./status";
import {
  BETA, GAMMA1, GAMMA2, invnttTomont, K, L, N, ntt, OMEGA, POLY_BYTES, POLYETA_PACKED, POLYT0_PACKED,
  POLYT1_PACKED, POLYW1_PACKED, POLYZ_PACKED, polyAdd, polyCaddq, polyChallenge, polyChkNorm, polyDecompose,
  polyEtaPack, polyEtaUnpack, polyMakeHint, polyPointwise, polyPointwiseAcc, polyPower2Round, polyReduce,
  polyShiftl, polySub, polyT0Pack, polyT0Unpack, polyT1Pack, polyT1Unpack, polyUniform, polyUniformEta,
  polyUniformGamma1, polyUseHint, polyW1Pack, polyzPack, polyzUnpack,
} from "./dilithium_poly";

// @ts-ignore: decorator
@inline export const DILITHIUM3_PUBLICKEYBYTES: i32 = 32 + K * POLYT1_PACKED; // 1952
// @ts-ignore: decorator
@inline export const DILITHIUM3_SECRETKEYBYTES: i32 = 3 * 32 + (L + K) * POLYETA_PACKED + K * POLYT0_PACKED; // 4000
// @ts-ignore: decorator
@inline export const DILITHIUM3_BYTES: i32 = 32 + L * POLYZ_PACKED + OMEGA + K; // 3293
// @ts-ignore: decorator
@inline const CRHBYTES: i32 = 64;
// @ts-ignore: decorator
@inline const W1_BYTES: i32 = K * POLYW1_PACKED;

// @ts-ignore: decorator
@inline function poly(base: usize, i: i32): usize {
  return base + <usize>(i * POLY_BYTES);
}

/** ExpandA (AES variant): A[i][j] = uniform(AES-256-CTR(ρ, nonce = 256·i + j)), row-major. */
function expandA(mat: usize, rho: usize): void {
  aes256CtrSetKey(rho);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < L; j++) polyUniform(poly(mat, i * L + j), (i << 8) + j);
  }
  aes256CtrWipe();
}

/** w_i = Σ_j A[i][j] ∘ v_j (NTT domain) for i < K. */
function matrixPointwise(w: usize, mat: usize, v: usize): void {
  for (let i = 0; i < K; i++) {
    const wi = poly(w, i);
    polyPointwise(wi, poly(mat, i * L), v);
    for (let j = 1; j < L; j++) polyPointwiseAcc(wi, poly(mat, i * L + j), poly(v, j));
  }
}

// Key generation work space: A (30), s1 (5), ŝ1 (5), s2 (6), t (6), t0 (6) polynomials, then ζ-derived seeds.
// @ts-ignore: decorator
@inline const KG_POLYS: i32 = K * L + 2 * L + 3 * K;

/**
 * Dilithium3 key generation (spec: Gen, in the implementation form of the reference): from the 32-byte seed ζ at `seed`
 * writes the public key (ρ ‖ t1) to `pk` and the secret key (ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0) to `sk`.
 */
export function dilithium3_keypair(pk: usize, sk: usize, seed: usize): i32 {
  const wsLen = KG_POLYS * POLY_BYTES + 128;
  const ws = alloc(wsLen);
  if (ws == 0) return ERR_OUT_OF_MEMORY;
  const mat = ws;
  const s1 = poly(mat, K * L);
  const s1hat = poly(s1, L);
  const s2 = poly(s1hat, L);
  const t = poly(s2, K);
  const t0 = poly(t, K);
  const seeds = poly(t0, K);
  // (ρ, ρ′, K) = H(ζ) with H = SHAKE256: 32 + 64 + 32 bytes.
  shake256(seeds, 128, seed, 32);
  const rho = seeds;
  const rhoPrime = seeds + 32;
  const key = seeds + 96;

  expandA(mat, rho);
  // (s1, s2) = ExpandS(ρ′): nonces 0..L−1 for s1 and L..L+K−1 for s2, AES key = first 32 bytes of ρ′.
  aes256CtrSetKey(rhoPrime);
  for (let i = 0; i < L; i++) polyUniformEta(poly(s1, i), i);
  for (let i = 0; i < K; i++) polyUniformEta(poly(s2, i), L + i);
  aes256CtrWipe();

  // t = A·s1 + s2 (via the NTT), then (t1, t0) = Power2Round(t, d).
  memory.copy(s1hat, s1, <usize>(L * POLY_BYTES));
  for (let i = 0; i < L; i++) ntt(poly(s1hat, i));
  matrixPointwise(t, mat, s1hat);
  for (let i = 0; i < K; i++) {
    const ti = poly(t, i);
    polyReduce(ti);
    invnttTomont(ti);
    polyAdd(ti, ti, poly(s2, i));
    polyCaddq(ti);
    polyPower2Round(ti, poly(t0, i), ti);
  }

  // pk = ρ ‖ t1 (10-bit packing).
  memory.copy(pk, rho, 32);
  for (let i = 0; i < K; i++) polyT1Pack(pk + 32 + <usize>(i * POLYT1_PACKED), poly(t, i));
  // sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0 with tr = CRH(pk) = SHAKE256(pk), 32 bytes (v3.1).
  memory.copy(sk, rho, 32);
  memory.copy(sk + 32, key, 32);
  shake256(sk + 64, 32, pk, DILITHIUM3_PUBLICKEYBYTES);
  let off: usize = 96;
  for (let i = 0; i < L; i++) {
    polyEtaPack(sk + off, poly(s1, i));
    off += POLYETA_PACKED;
  }
  for (let i = 0; i < K; i++) {
    polyEtaPack(sk + off, poly(s2, i));
    off += POLYETA_PACKED;
  }
  for (let i = 0; i < K; i++) {
    polyT0Pack(sk + off, poly(t0, i));
    off += POLYT0_PACKED;
  }
  memory.fill(ws, 0, <usize>wsLen);
  return OK;
}

// Signing work space: A (30), s1 (5), s2 (6), t0 (6), y (5), z (5), w1 (6), w0 (6), h (6), c (1).
// @ts-ignore: decorator
@inline const SIGN_POLYS: i32 = K * L + 3 * L + 5 * K + 1;
// @ts-ignore: decorator
@inline const KECCAK_CTX: i32 = 208;
// @ts-ignore: decorator
@inline const MAX_ROUNDS: i32 = 1000;

/**
 * Dilithium3 signing (spec: Sign, randomized variant): signs `len` bytes at `msg` with the secret
 * key at `sk`, using the 64 random bytes ρ′ at `rnd`, and writes c̃ ‖ z ‖ h (3293 bytes) to `sig`.
 */
export function dilithium3_sign(sig: usize, msg: usize, len: i32, sk: usize, rnd: usize): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  const wsLen = SIGN_POLYS * POLY_BYTES + KECCAK_CTX + CRHBYTES + 32 + W1_BYTES;
  const ws = alloc(wsLen);
  if (ws == 0) return ERR_OUT_OF_MEMORY;
  const mat = ws;
  const s1 = poly(mat, K * L);
  const s2 = poly(s1, L);
  const t0 = poly(s2, K);
  const y = poly(t0, K);
  const z = poly(y, L);
  const w1 = poly(z, L);
  const w0 = poly(w1, K);
  const h = poly(w0, K);
  const cp = poly(h, K);
  const ctx = poly(cp, 1);
  const mu = ctx + KECCAK_CTX;
  const ctilde = mu + CRHBYTES;
  const w1packed = ctilde + 32;

  // Unpack sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0.
  let off: usize = 96;
  for (let i = 0; i < L; i++) {
    polyEtaUnpack(poly(s1, i), sk + off);
    off += POLYETA_PACKED;
  }
  for (let i = 0; i < K; i++) {
    polyEtaUnpack(poly(s2, i), sk + off);
    off += POLYETA_PACKED;
  }
  for (let i = 0; i < K; i++) {
    polyT0Unpack(poly(t0, i), sk + off);
    off += POLYT0_PACKED;
  }

  // μ = CRH(tr ‖ M) = SHAKE256(tr ‖ M), 64 bytes.
  keccakInit(ctx, SHAKE256_RATE);
  keccakAbsorb(ctx, sk + 64, 32);
  keccakAbsorb(ctx, msg, len);
  shakeFinalize(ctx);
  keccakSqueeze(ctx, mu, CRHBYTES);

  expandA(mat, sk);
  for (let i = 0; i < L; i++) ntt(poly(s1, i));
  for (let i = 0; i < K; i++) {
    ntt(poly(s2, i));
    ntt(poly(t0, i));
  }

  // ExpandMask keys AES-256-CTR with the first 32 bytes of ρ′ (AES variant).
  aes256CtrSetKey(rnd);
  let kappa = 0;
  let status = OK;
  while (true) {
    // A valid key needs about 5 rounds on average (spec Table 2, expected repetitions); a malformed secret
    // key (bytes no key generation produces) might never succeed. After MAX_ROUNDS rounds (probability
    // below 2^-300 for a valid key) the key is rejected instead of looping forever.
    if (kappa >= MAX_ROUNDS) {
      status = ERR_INVALID_INPUT;
      break;
    }
    // y = ExpandMask(ρ′, κ): polynomial i uses nonce L·κ + i (16 bits).
    for (let i = 0; i < L; i++) polyUniformGamma1(poly(y, i), L * kappa + i);
    kappa++;

    // w = A·y; (w1, w0) = Decompose(w, 2γ2).
    memory.copy(z, y, <usize>(L * POLY_BYTES));
    for (let i = 0; i < L; i++) ntt(poly(z, i));
    matrixPointwise(w1, mat, z);
    for (let i = 0; i < K; i++) {
      const wi = poly(w1, i);
      polyReduce(wi);
      invnttTomont(wi);
      polyCaddq(wi);
      polyDecompose(wi, poly(w0, i), wi);
      polyW1Pack(w1packed + <usize>(i * POLYW1_PACKED), wi);
    }

    // c̃ = H(μ ‖ w1) (SHAKE256, 32 bytes); c = SampleInBall(c̃).
    keccakInit(ctx, SHAKE256_RATE);
    keccakAbsorb(ctx, mu, CRHBYTES);
    keccakAbsorb(ctx, w1packed, W1_BYTES);
    shakeFinalize(ctx);
    keccakSqueeze(ctx, ctilde, 32);
    polyChallenge(cp, ctilde);
    ntt(cp);

    // z = y + c·s1; reject if ‖z‖∞ ≥ γ1 − β.
    for (let i = 0; i < L; i++) {
      const zi = poly(z, i);
      polyPointwise(zi, cp, poly(s1, i));
      invnttTomont(zi);
      polyAdd(zi, zi, poly(y, i));
      polyReduce(zi);
    }
    let reject = 0;
    for (let i = 0; i < L; i++) reject |= polyChkNorm(poly(z, i), GAMMA1 - BETA);
    if (reject != 0) continue;

    // r0 = LowBits(w − c·s2); reject if ‖r0‖∞ ≥ γ2 − β.
    for (let i = 0; i < K; i++) {
      const hi = poly(h, i);
      const w0i = poly(w0, i);
      polyPointwise(hi, cp, poly(s2, i));
      invnttTomont(hi);
      polySub(w0i, w0i, hi);
      polyReduce(w0i);
      reject |= polyChkNorm(w0i, GAMMA2 - BETA);
    }
    if (reject != 0) continue;

    // c·t0; reject if ‖c·t0‖∞ ≥ γ2; h = MakeHint(−c·t0, w − c·s2 + c·t0); reject if more than ω ones.
    for (let i = 0; i < K; i++) {
      const hi = poly(h, i);
      polyPointwise(hi, cp, poly(t0, i));
      invnttTomont(hi);
      polyReduce(hi);
      reject |= polyChkNorm(hi, GAMMA2);
    }
    if (reject != 0) continue;
    let ones = 0;
    for (let i = 0; i < K; i++) {
      const w0i = poly(w0, i);
      polyAdd(w0i, w0i, poly(h, i));
      ones += polyMakeHint(poly(h, i), w0i, poly(w1, i));
    }
    if (ones > OMEGA) continue;
    break;
  }
  aes256CtrWipe();
  if (status != OK) {
    memory.fill(ws, 0, <usize>wsLen);
    return status;
  }

  // σ = c̃ ‖ z ‖ h (spec: signature layout): z packed with 20 bits, h as OMEGA indices then K running counts.
  memory.copy(sig, ctilde, 32);
  for (let i = 0; i < L; i++) polyzPack(sig + 32 + <usize>(i * POLYZ_PACKED), poly(z, i));
  const hp = sig + 32 + <usize>(L * POLYZ_PACKED);
  memory.fill(hp, 0, <usize>(OMEGA + K));
  let k = 0;
  for (let i = 0; i < K; i++) {
    const hi = poly(h, i);
    // h is part of the signature (public once returned), so the encoder may branch on it.
    for (let j = 0; j < N; j++) {
      if (load<i32>(hi + (<usize>j << 2)) != 0) {
        store<u8>(hp + <usize>k, <u8>j);
        k++;
      }
    }
    store<u8>(hp + <usize>(OMEGA + i), <u8>k);
  }
  memory.fill(ws, 0, <usize>wsLen);
  return OK;
}

// Verification work space: A (30), z (5), t1 (6), w1 (6), h (6), c (1).
// @ts-ignore: decorator
@inline const VERIFY_POLYS: i32 = K * L + L + 3 * K + 1;

/**
 * Dilithium3 verification (spec: Verify): checks the 3293-byte signature at `sig` on `len` bytes at
 * `msg` under the public key at `pk`. Returns OK, or ERR_VERIFY for a malformed or invalid signature.
 */
export function dilithium3_verify(sig: usize, msg: usize, len: i32, pk: usize): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  const wsLen = VERIFY_POLYS * POLY_BYTES + KECCAK_CTX + CRHBYTES + 32 + W1_BYTES;
  const ws = alloc(wsLen);
  if (ws == 0) return ERR_OUT_OF_MEMORY;
  const mat = ws;
  const z = poly(mat, K * L);
  const t1 = poly(z, L);
  const w1 = poly(t1, K);
  const h = poly(w1, K);
  const cp = poly(h, K);
  const ctx = poly(cp, 1);
  const mu = ctx + KECCAK_CTX;
  const c2 = mu + CRHBYTES;
  const w1packed = c2 + 32;

  // Decode h (spec: signature layout): counts non-decreasing and ≤ ω, indices strictly increasing within each polynomial,
  // unused index slots zero (strong unforgeability).
  const hp = sig + 32 + <usize>(L * POLYZ_PACKED);
  memory.fill(h, 0, <usize>(K * POLY_BYTES));
  let k = 0;
  for (let i = 0; i < K; i++) {
    const end = <i32>load<u8>(hp + <usize>(OMEGA + i));
    if (end < k || end > OMEGA) return ERR_VERIFY;
    const hi = poly(h, i);
    for (let j = k; j < end; j++) {
      const idx = <i32>load<u8>(hp + <usize>j);
      if (j > k && idx <= <i32>load<u8>(hp + <usize>(j - 1))) return ERR_VERIFY;
      store<i32>(hi + (<usize>idx << 2), 1);
    }
    k = end;
  }
  for (let j = k; j < OMEGA; j++) if (load<u8>(hp + <usize>j) != 0) return ERR_VERIFY;

  // z, with ‖z‖∞ < γ1 − β.
  for (let i = 0; i < L; i++) {
    const zi = poly(z, i);
    polyzUnpack(zi, sig + 32 + <usize>(i * POLYZ_PACKED));
    if (polyChkNorm(zi, GAMMA1 - BETA) != 0) return ERR_VERIFY;
  }

  // μ = CRH(CRH(pk) ‖ M): tr = SHAKE256(pk, 32), then SHAKE256(tr ‖ M, 64).
  shake256(mu, 32, pk, DILITHIUM3_PUBLICKEYBYTES);
  keccakInit(ctx, SHAKE256_RATE);
  keccakAbsorb(ctx, mu, 32);
  keccakAbsorb(ctx, msg, len);
  shakeFinalize(ctx);
  keccakSqueeze(ctx, mu, CRHBYTES);

  // w′ = A·z − c·t1·2^d.
  polyChallenge(cp, sig);
  expandA(mat, pk);
  for (let i = 0; i < L; i++) ntt(poly(z, i));
  matrixPointwise(w1, mat, z);
  ntt(cp);
  for (let i = 0; i < K; i++) {
    const ti = poly(t1, i);
    polyT1Unpack(ti, pk + 32 + <usize>(i * POLYT1_PACKED));
    polyShiftl(ti);
    ntt(ti);
    polyPointwise(ti, cp, ti);
    const wi = poly(w1, i);
    polySub(wi, wi, ti);
    polyReduce(wi);
    invnttTomont(wi);
    // w1′ = UseHint(h, w′).
    polyCaddq(wi);
    polyUseHint(wi, wi, poly(h, i));
    polyW1Pack(w1packed + <usize>(i * POLYW1_PACKED), wi);
  }

  // Accept iff c̃ = H(μ ‖ w1′).
  keccakInit(ctx, SHAKE256_RATE);
  keccakAbsorb(ctx, mu, CRHBYTES);
  keccakAbsorb(ctx, w1packed, W1_BYTES);
  shakeFinalize(ctx);
  keccakSqueeze(ctx, c2, 32);
  return ct_equal(c2, sig, 32) == 1 ? OK : ERR_VERIFY;
}
