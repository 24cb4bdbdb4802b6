// Kyber768-90s, round 3 (CRYSTALS-Kyber specification v3.02): Kyber.CPAPKE (§1.4, Algorithms 4–6) and
// Kyber.CCAKEM (§1.5, Algorithms 7–9) with k = 3, η1 = η2 = 2, (du, dv) = (10, 4), and the "90s"
// symmetric primitives of §1.5 / Table 2 (variant "Kyber-90s"):
//   XOF(ρ, i, j) = AES-256-CTR keyed with ρ, nonce i ‖ j ‖ 0^10, counter from 0   (assembly/aes256ctr.ts)
//   PRF(s, b)    = AES-256-CTR keyed with s, nonce b ‖ 0^11, counter from 0
//   H = SHA-256, G = SHA-512, KDF = SHA-256                                      (FIPS 180-4)
// Sizes: public key 1184 bytes, secret key 2400 bytes, ciphertext 1088 bytes, shared secret 32 bytes.
//
// Randomness comes from the caller: key generation takes d ‖ z (64 bytes: d for CPAPKE.KeyGen, z for the
// implicit rejection), encapsulation takes the 32 bytes m is hashed from.
//
// Constant time: no branch, loop bound or memory index depends on a secret. The matrix A is sampled from
// the public seed ρ (its rejection sampling is public); decapsulation compares the re-encryption with a
// full-length OR of differences and selects the pre-key or z with a mask. All static scratch is wiped
// before the exported functions return.

import { aes256CtrSetKey, aes256CtrStream, aes256CtrWipe } from "./aes256ctr";
import {
  POLY_BYTES, POLY_MEM, polyAdd, polyCbd2, polyCompress10, polyCompress4, polyDecompress10, polyDecompress4,
  kyberPolyInit, polyFromBytes, polyFromMsg, polyInvNttToMont, polyNtt, polyReduce, polySub, polyToBytes, polyToMont,
  polyToMsg, polyvecBasemulAcc, rejUniform,
} from "./kyber_poly";
import { sha256Final, sha256Init, sha256Update } from "./sha256";
import { sha512Final, sha512Init, sha512Update, SHA512_STATE_BYTES } from "./sha512";
import { OK } from "./status";

// @ts-ignore: decorator
@inline const K: i32 = 3;
// @ts-ignore: decorator
@inline const POLYVEC_BYTES: i32 = K * POLY_BYTES; // 1152
// @ts-ignore: decorator
@inline const POLYVEC_MEM: usize = <usize>K * POLY_MEM;
/** Public key: Encode_12(t̂) ‖ ρ (§1.4, Algorithm 4, step 20). */
// @ts-ignore: decorator
@inline export const KYBER768_PUBLIC_KEY_BYTES: i32 = POLYVEC_BYTES + 32; // 1184
/** Secret key: Encode_12(ŝ) ‖ pk ‖ H(pk) ‖ z (§1.5, Algorithm 7, step 3). */
// @ts-ignore: decorator
@inline export const KYBER768_SECRET_KEY_BYTES: i32 = POLYVEC_BYTES + KYBER768_PUBLIC_KEY_BYTES + 64; // 2400
/** Ciphertext: Compress_q(u, 10) ‖ Compress_q(v, 4) (§1.4, Algorithm 5, steps 21–22). */
// @ts-ignore: decorator
@inline export const KYBER768_CIPHERTEXT_BYTES: i32 = K * 320 + 128; // 1088

// Static scratch (wiped by wipeAll).
const MAT: usize = memory.data(9 * 512, 16); // Â or Âᵀ, row-major, 3 × 3 polynomials
const VS: usize = memory.data(3 * 512, 16); // ŝ or r̂
const VE: usize = memory.data(3 * 512, 16); // e or e1
const VB: usize = memory.data(3 * 512, 16); // t̂ (keygen) or u
const VT: usize = memory.data(3 * 512, 16); // t̂ from the public key (encryption)
const PV: usize = memory.data(512, 16); // v
const PK: usize = memory.data(512, 16); // the message polynomial
const PE: usize = memory.data(512, 16); // e2
// XOF output for one matrix entry: 672 bytes = 42 blocks (the first 512 bytes are 4 batches of 8 blocks,
// refills add 128 bytes at the end after moving the unconsumed tail).
const XBUF: usize = memory.data(672, 16);
const NOISE: usize = memory.data(128, 16); // PRF output, 128 bytes = η·n/4 (§1.4, Algorithm 4, step 9)
const NONCE: usize = memory.data(16, 16); // 12-byte AES-CTR nonce
const SEEDS: usize = memory.data(64, 16); // ρ ‖ σ = G(d)
const BUF: usize = memory.data(64, 16); // m ‖ H(pk)
const KR: usize = memory.data(64, 16); // K̄ ‖ r, then K̄ ‖ H(c)
const CMP: usize = memory.data(1088, 16); // the re-encryption in decapsulation
const HS: usize = memory.data(SHA512_STATE_BYTES, 16); // SHA-256 / SHA-512 state

function sha256Of(out: usize, data: usize, len: i32): void {
  sha256Init(HS);
  sha256Update(HS, data, len);
  sha256Final(HS, out);
}

function sha512Of(out: usize, data: usize, len: i32): void {
  sha512Init(HS);
  sha512Update(HS, data, len);
  sha512Final(HS, out);
}

/**
 * Samples Â (transposed = false: entry (i, j) from XOF(ρ, j, i)) or Âᵀ (transposed = true: entry (i, j)
 * from XOF(ρ, i, j)) in the NTT domain by Parse (§1.4, Algorithm 4, steps 4–8 and Algorithm 5, steps
 * 4–8; §1.1, Algorithm 1). ρ is public.
 */
function genMatrix(rho: usize, transposed: bool): void {
  aes256CtrSetKey(rho);
  memory.fill(NONCE, 0, 16);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      // §1.5 (90s variant): the nonce of XOF(ρ, x, y) is x ‖ y ‖ 0^10.
      store<u8>(NONCE, <u8>(transposed ? i : j));
      store<u8>(NONCE, <u8>(transposed ? j : i), 1);
      const r = MAT + <usize>(i * K + j) * POLY_MEM;
      aes256CtrStream(NONCE, 0, XBUF, 512);
      let block: u32 = 32;
      let len = 512;
      let st = rejUniform(r, 0, XBUF, 0, len);
      while ((st & 0xffff) < 256) {
        // The stream continues: keep the unconsumed bytes and append the next 8 blocks.
        const pos = st >>> 16;
        const rest = len - pos;
        memory.copy(XBUF, XBUF + <usize>pos, <usize>rest);
        aes256CtrStream(NONCE, block, XBUF + <usize>rest, 128);
        block += 8;
        len = rest + 128;
        st = rejUniform(r, st & 0xffff, XBUF, 0, len);
      }
    }
  }
  aes256CtrWipe();
}

/**
 * CBD_η(PRF(σ, N)) for k consecutive polynomials at `r`, N = nonce, nonce + 1, … (§1.4, Algorithm 4,
 * steps 9–12). Needs aes256CtrSetKey(σ) first. PRF(σ, N) is 128 bytes of AES-256-CTR with nonce N ‖ 0^11.
 */
function getNoise(r: usize, count: i32, nonce: i32): void {
  memory.fill(NONCE, 0, 16);
  for (let i = 0; i < count; i++) {
    store<u8>(NONCE, <u8>(nonce + i));
    aes256CtrStream(NONCE, 0, NOISE, 128);
    polyCbd2(r + <usize>i * POLY_MEM, NOISE);
  }
}

/** Kyber.CPAPKE.KeyGen (§1.4, Algorithm 4) from the 32-byte d at `d`: pk (1184 bytes), sk (1152 bytes). */
function indcpaKeypair(d: usize, pk: usize, sk: usize): void {
  sha512Of(SEEDS, d, 32); // step 2: (ρ, σ) := G(d)
  genMatrix(SEEDS, false); // steps 4–8
  aes256CtrSetKey(SEEDS + 32);
  getNoise(VS, K, 0); // steps 9–12: s
  getNoise(VE, K, K); // steps 13–16: e
  aes256CtrWipe();
  for (let i = 0; i < K; i++) {
    polyNtt(VS + <usize>i * POLY_MEM); // step 17: ŝ
    polyNtt(VE + <usize>i * POLY_MEM); // step 18: ê
  }
  for (let i = 0; i < K; i++) {
    // step 19: t̂ := Â ∘ ŝ + ê (the Montgomery factor 2^-16 of the products is undone by polyToMont)
    const t = VB + <usize>i * POLY_MEM;
    polyvecBasemulAcc(t, MAT + <usize>(i * K) * POLY_MEM, VS, K);
    polyToMont(t);
    polyAdd(t, t, VE + <usize>i * POLY_MEM);
    polyReduce(t);
  }
  for (let i = 0; i < K; i++) {
    polyToBytes(pk + <usize>(i * POLY_BYTES), VB + <usize>i * POLY_MEM); // step 20: pk := Encode_12(t̂) ‖ ρ
    polyToBytes(sk + <usize>(i * POLY_BYTES), VS + <usize>i * POLY_MEM); // step 21: sk := Encode_12(ŝ)
  }
  memory.copy(pk + <usize>POLYVEC_BYTES, SEEDS, 32);
}

/**
 * Kyber.CPAPKE.Enc (§1.4, Algorithm 5) of the 32-byte message at `m` under the public key at `pk` with the
 * 32 random coins at `coins`: the 1088-byte ciphertext at `c`.
 */
function indcpaEnc(c: usize, m: usize, pk: usize, coins: usize): void {
  for (let i = 0; i < K; i++) polyFromBytes(VT + <usize>i * POLY_MEM, pk + <usize>(i * POLY_BYTES)); // step 2
  polyFromMsg(PK, m); // step 20: Decompress_q(Decode_1(m), 1)
  genMatrix(pk + <usize>POLYVEC_BYTES, true); // steps 3–8: Âᵀ from ρ
  aes256CtrSetKey(coins);
  getNoise(VS, K, 0); // steps 9–12: r
  getNoise(VE, K, K); // steps 13–16: e1
  getNoise(PE, 1, 2 * K); // step 17: e2
  aes256CtrWipe();
  for (let i = 0; i < K; i++) polyNtt(VS + <usize>i * POLY_MEM); // step 18: r̂
  for (let i = 0; i < K; i++) {
    // step 19: u := NTT^-1(Âᵀ ∘ r̂) + e1
    const u = VB + <usize>i * POLY_MEM;
    polyvecBasemulAcc(u, MAT + <usize>(i * K) * POLY_MEM, VS, K);
    polyInvNttToMont(u);
    polyAdd(u, u, VE + <usize>i * POLY_MEM);
    polyReduce(u);
  }
  // step 20: v := NTT^-1(t̂ᵀ ∘ r̂) + e2 + Decompress_q(Decode_1(m), 1)
  polyvecBasemulAcc(PV, VT, VS, K);
  polyInvNttToMont(PV);
  polyAdd(PV, PV, PE);
  polyAdd(PV, PV, PK);
  polyReduce(PV);
  for (let i = 0; i < K; i++) polyCompress10(c + <usize>(i * 320), VB + <usize>i * POLY_MEM); // step 21
  polyCompress4(c + <usize>(K * 320), PV); // step 22
}

/** Kyber.CPAPKE.Dec (§1.4, Algorithm 6): the 32-byte message at `m` from the ciphertext at `c`. */
function indcpaDec(m: usize, c: usize, sk: usize): void {
  for (let i = 0; i < K; i++) {
    polyDecompress10(VB + <usize>i * POLY_MEM, c + <usize>(i * 320)); // step 1: u
    polyNtt(VB + <usize>i * POLY_MEM);
    polyFromBytes(VS + <usize>i * POLY_MEM, sk + <usize>(i * POLY_BYTES)); // step 3: ŝ
  }
  polyDecompress4(PV, c + <usize>(K * 320)); // step 2: v
  // step 4: m := Encode_1(Compress_q(v − NTT^-1(ŝᵀ ∘ NTT(u)), 1))
  polyvecBasemulAcc(PK, VS, VB, K);
  polyInvNttToMont(PK);
  polySub(PK, PV, PK);
  polyReduce(PK);
  polyToMsg(m, PK);
}

function wipeAll(): void {
  memory.fill(MAT, 0, 9 * 512);
  memory.fill(VS, 0, POLYVEC_MEM);
  memory.fill(VE, 0, POLYVEC_MEM);
  memory.fill(VB, 0, POLYVEC_MEM);
  memory.fill(VT, 0, POLYVEC_MEM);
  memory.fill(PV, 0, 512);
  memory.fill(PK, 0, 512);
  memory.fill(PE, 0, 512);
  memory.fill(XBUF, 0, 672);
  memory.fill(NOISE, 0, 128);
  memory.fill(NONCE, 0, 16);
  memory.fill(SEEDS, 0, 64);
  memory.fill(BUF, 0, 64);
  memory.fill(KR, 0, 64);
  memory.fill(CMP, 0, 1088);
  memory.fill(HS, 0, <usize>SHA512_STATE_BYTES);
  aes256CtrWipe();
}

/**
 * Kyber.CCAKEM.KeyGen (§1.5, Algorithm 7) with the caller's 64 random bytes d ‖ z at `seed`: the public
 * key (1184 bytes) at `pk` and the secret key (2400 bytes) at `sk`.
 */
export function kyber768_keypair(seed: usize, pk: usize, sk: usize): i32 {
  kyberPolyInit();
  indcpaKeypair(seed, pk, sk); // steps 1–2 (d = the first 32 bytes)
  // step 3: sk := sk' ‖ pk ‖ H(pk) ‖ z
  memory.copy(sk + <usize>POLYVEC_BYTES, pk, <usize>KYBER768_PUBLIC_KEY_BYTES);
  sha256Of(sk + <usize>(POLYVEC_BYTES + KYBER768_PUBLIC_KEY_BYTES), pk, KYBER768_PUBLIC_KEY_BYTES);
  memory.copy(sk + <usize>(KYBER768_SECRET_KEY_BYTES - 32), seed + 32, 32);
  wipeAll();
  return OK;
}

/**
 * Kyber.CCAKEM.Enc (§1.5, Algorithm 8) to the public key at `pk` with the caller's 32 random bytes at
 * `random`: the ciphertext (1088 bytes) at `ct` and the shared secret (32 bytes) at `ss`.
 */
export function kyber768_encaps(pk: usize, random: usize, ct: usize, ss: usize): i32 {
  kyberPolyInit();
  sha256Of(BUF, random, 32); // step 2: m := H(m), the raw random bytes are never used directly
  sha256Of(BUF + 32, pk, KYBER768_PUBLIC_KEY_BYTES); // step 3: (K̄, r) := G(m ‖ H(pk))
  sha512Of(KR, BUF, 64);
  indcpaEnc(ct, BUF, pk, KR + 32); // step 4: c := Kyber.CPAPKE.Enc(pk, m, r)
  sha256Of(KR + 32, ct, KYBER768_CIPHERTEXT_BYTES); // step 5: K := KDF(K̄ ‖ H(c))
  sha256Of(ss, KR, 64);
  wipeAll();
  return OK;
}

/**
 * Kyber.CCAKEM.Dec (§1.5, Algorithm 9) of the ciphertext at `ct` with the secret key at `sk`: the shared
 * secret (32 bytes) at `ss`. A ciphertext that does not re-encrypt identically yields KDF(z ‖ H(c))
 * (implicit rejection), selected without a branch; the function always returns OK.
 */
export function kyber768_decaps(sk: usize, ct: usize, ss: usize): i32 {
  kyberPolyInit();
  const pk = sk + <usize>POLYVEC_BYTES; // step 2
  indcpaDec(BUF, ct, sk); // step 5: m' := Kyber.CPAPKE.Dec(s, (u, v))
  memory.copy(BUF + 32, sk + <usize>(KYBER768_SECRET_KEY_BYTES - 64), 32); // step 3: h
  sha512Of(KR, BUF, 64); // step 6: (K̄', r') := G(m' ‖ h)
  indcpaEnc(CMP, BUF, pk, KR + 32); // step 7: c' := Kyber.CPAPKE.Enc(pk, m', r')
  // step 8: c = c'? — OR of all byte differences, no early exit
  let diff: u32 = 0;
  for (let i = 0; i < KYBER768_CIPHERTEXT_BYTES; i++) {
    diff |= <u32>load<u8>(ct + <usize>i) ^ <u32>load<u8>(CMP + <usize>i);
  }
  const fail: u32 = <u32>(0 - ((diff | (0 - diff)) >> 31)) & 0xff; // 0xff if c ≠ c', else 0
  sha256Of(KR + 32, ct, KYBER768_CIPHERTEXT_BYTES); // H(c)
  // steps 8–11: K̄ := K̄' if c = c', else z — a masked select
  const z = sk + <usize>(KYBER768_SECRET_KEY_BYTES - 32);
  for (let i = 0; i < 32; i++) {
    const a = <u32>load<u8>(KR + <usize>i);
    const b = <u32>load<u8>(z + <usize>i);
    store<u8>(KR + <usize>i, <u8>(a ^ (fail & (a ^ b))));
  }
  sha256Of(ss, KR, 64); // K := KDF(K̄ ‖ H(c))
  wipeAll();
  return OK;
}
