// Keccak-f[1600] and the SHAKE128/SHAKE256 extendable-output functions (FIPS 202).
//
// The state array A (FIPS 202 §3.1.2) is kept as 25 little-endian 64-bit lanes, lane (x, y) at byte
// 8·(x + 5y), which is also the byte order of the sponge's state string S (§3.1.3), so absorbing XORs
// message bytes into the lanes' bytes directly. The permutation works on locals; every step is a fixed
// sequence of XOR, AND, NOT and rotations: no branch, index or loop bound depends on the data.
//
// A sponge context is KECCAK_STATE_BYTES bytes owned by the caller: the 200 state bytes, then the rate
// in bytes (u32 at 200) and the byte position inside the current block (u32 at 204).

import { ERR_INVALID_INPUT, OK } from "./status";

// @ts-ignore: decorator
@inline export const KECCAK_STATE_BYTES: i32 = 208;
/** SHAKE128 rate r = 1600 − 2·128 bits (FIPS 202 §6.2). */
// @ts-ignore: decorator
@inline export const SHAKE128_RATE: i32 = 168;
/** SHAKE256 rate r = 1600 − 2·256 bits (FIPS 202 §6.2). */
// @ts-ignore: decorator
@inline export const SHAKE256_RATE: i32 = 136;

// @ts-ignore: decorator
@inline const RATE_AT: usize = 200;
// @ts-ignore: decorator
@inline const POS_AT: usize = 204;

// Round constants RC[i_r] (FIPS 202 §3.2.5, Algorithm 5 and 6), for i_r = 0..23.
const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000, 0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a, 0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a, 0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);

/** Keccak-f[1600] = Keccak-p[1600, 24] (FIPS 202 §3.3, §3.4) on the 200 state bytes at `s`. */
export function keccakF1600(s: usize): void {
  let a00 = load<u64>(s, 0);
  let a10 = load<u64>(s, 8);
  let a20 = load<u64>(s, 16);
  let a30 = load<u64>(s, 24);
  let a40 = load<u64>(s, 32);
  let a01 = load<u64>(s, 40);
  let a11 = load<u64>(s, 48);
  let a21 = load<u64>(s, 56);
  let a31 = load<u64>(s, 64);
  let a41 = load<u64>(s, 72);
  let a02 = load<u64>(s, 80);
  let a12 = load<u64>(s, 88);
  let a22 = load<u64>(s, 96);
  let a32 = load<u64>(s, 104);
  let a42 = load<u64>(s, 112);
  let a03 = load<u64>(s, 120);
  let a13 = load<u64>(s, 128);
  let a23 = load<u64>(s, 136);
  let a33 = load<u64>(s, 144);
  let a43 = load<u64>(s, 152);
  let a04 = load<u64>(s, 160);
  let a14 = load<u64>(s, 168);
  let a24 = load<u64>(s, 176);
  let a34 = load<u64>(s, 184);
  let a44 = load<u64>(s, 192);
  for (let round = 0; round < 24; round++) {
    // θ (§3.2.1): C[x] = ⊕_y A[x, y]; D[x] = C[x−1] ⊕ rot(C[x+1], 1).
    // ρ (§3.2.2) and π (§3.2.3) fused: B[x, y] = rot(A[(x+3y) mod 5, x] ⊕ D, offset of that lane).
    // χ (§3.2.4): A[x, y] = B[x, y] ⊕ (¬B[x+1, y] ∧ B[x+2, y]).
    const c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
    const c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
    const c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
    const c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
    const c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    const b00 = a00 ^ d0;
    const b01 = rotl<u64>(a30 ^ d3, 28);
    const b02 = rotl<u64>(a10 ^ d1, 1);
    const b03 = rotl<u64>(a40 ^ d4, 27);
    const b04 = rotl<u64>(a20 ^ d2, 62);
    const b10 = rotl<u64>(a11 ^ d1, 44);
    const b11 = rotl<u64>(a41 ^ d4, 20);
    const b12 = rotl<u64>(a21 ^ d2, 6);
    const b13 = rotl<u64>(a01 ^ d0, 36);
    const b14 = rotl<u64>(a31 ^ d3, 55);
    const b20 = rotl<u64>(a22 ^ d2, 43);
    const b21 = rotl<u64>(a02 ^ d0, 3);
    const b22 = rotl<u64>(a32 ^ d3, 25);
    const b23 = rotl<u64>(a12 ^ d1, 10);
    const b24 = rotl<u64>(a42 ^ d4, 39);
    const b30 = rotl<u64>(a33 ^ d3, 21);
    const b31 = rotl<u64>(a13 ^ d1, 45);
    const b32 = rotl<u64>(a43 ^ d4, 8);
    const b33 = rotl<u64>(a23 ^ d2, 15);
    const b34 = rotl<u64>(a03 ^ d0, 41);
    const b40 = rotl<u64>(a44 ^ d4, 14);
    const b41 = rotl<u64>(a24 ^ d2, 61);
    const b42 = rotl<u64>(a04 ^ d0, 18);
    const b43 = rotl<u64>(a34 ^ d3, 56);
    const b44 = rotl<u64>(a14 ^ d1, 2);
    a00 = b00 ^ (~b10 & b20);
    a10 = b10 ^ (~b20 & b30);
    a20 = b20 ^ (~b30 & b40);
    a30 = b30 ^ (~b40 & b00);
    a40 = b40 ^ (~b00 & b10);
    a01 = b01 ^ (~b11 & b21);
    a11 = b11 ^ (~b21 & b31);
    a21 = b21 ^ (~b31 & b41);
    a31 = b31 ^ (~b41 & b01);
    a41 = b41 ^ (~b01 & b11);
    a02 = b02 ^ (~b12 & b22);
    a12 = b12 ^ (~b22 & b32);
    a22 = b22 ^ (~b32 & b42);
    a32 = b32 ^ (~b42 & b02);
    a42 = b42 ^ (~b02 & b12);
    a03 = b03 ^ (~b13 & b23);
    a13 = b13 ^ (~b23 & b33);
    a23 = b23 ^ (~b33 & b43);
    a33 = b33 ^ (~b43 & b03);
    a43 = b43 ^ (~b03 & b13);
    a04 = b04 ^ (~b14 & b24);
    a14 = b14 ^ (~b24 & b34);
    a24 = b24 ^ (~b34 & b44);
    a34 = b34 ^ (~b44 & b04);
    a44 = b44 ^ (~b04 & b14);

    // ι (§3.2.5).
    a00 ^= load<u64>(RC + (<usize>round << 3));
  }
  store<u64>(s, a00, 0);
  store<u64>(s, a10, 8);
  store<u64>(s, a20, 16);
  store<u64>(s, a30, 24);
  store<u64>(s, a40, 32);
  store<u64>(s, a01, 40);
  store<u64>(s, a11, 48);
  store<u64>(s, a21, 56);
  store<u64>(s, a31, 64);
  store<u64>(s, a41, 72);
  store<u64>(s, a02, 80);
  store<u64>(s, a12, 88);
  store<u64>(s, a22, 96);
  store<u64>(s, a32, 104);
  store<u64>(s, a42, 112);
  store<u64>(s, a03, 120);
  store<u64>(s, a13, 128);
  store<u64>(s, a23, 136);
  store<u64>(s, a33, 144);
  store<u64>(s, a43, 152);
  store<u64>(s, a04, 160);
  store<u64>(s, a14, 168);
  store<u64>(s, a24, 176);
  store<u64>(s, a34, 184);
  store<u64>(s, a44, 192);
}

/** Starts a sponge with rate `rate` bytes (168 for SHAKE128, 136 for SHAKE256): all-zero state (§4). */
export function keccakInit(ctx: usize, rate: i32): void {
  memory.fill(ctx, 0, 200);
  store<u32>(ctx + RATE_AT, <u32>rate);
  store<u32>(ctx + POS_AT, 0);
}

/** Absorbs `len` bytes at `data` (§4, Algorithm 8 step 6: XOR each block into S, then apply f). */
export function keccakAbsorb(ctx: usize, data: usize, len: i32): void {
  const rate = <i32>load<u32>(ctx + RATE_AT);
  let pos = <i32>load<u32>(ctx + POS_AT);
  let i = 0;
  while (i < len) {
    if (pos == 0) {
      // Whole blocks, a lane at a time.
      while (len - i >= rate) {
        for (let j = 0; j < rate; j += 8) {
          store<u64>(ctx + <usize>j, load<u64>(ctx + <usize>j) ^ load<u64>(data + <usize>(i + j)));
        }
        keccakF1600(ctx);
        i += rate;
      }
      if (i >= len) break;
    }
    let n = rate - pos;
    if (n > len - i) n = len - i;
    for (let j = 0; j < n; j++) {
      store<u8>(ctx + <usize>(pos + j), load<u8>(ctx + <usize>(pos + j)) ^ load<u8>(data + <usize>(i + j)));
    }
    pos += n;
    i += n;
    if (pos == rate) {
      keccakF1600(ctx);
      pos = 0;
    }
  }
  store<u32>(ctx + POS_AT, <u32>pos);
}

/**
 * Ends absorbing for SHAKE: appends the domain suffix 1111 (§6.2: M ‖ 1111) and the pad10*1 rule (§5.1),
 * which together are the byte 0x1F at the current position and 0x80 in the last byte of the block, then
 * applies f. The context is then ready to squeeze from position 0.
 */
export function shakeFinalize(ctx: usize): void {
  const rate = <usize>load<u32>(ctx + RATE_AT);
  const pos = <usize>load<u32>(ctx + POS_AT);
  store<u8>(ctx + pos, load<u8>(ctx + pos) ^ 0x1f);
  store<u8>(ctx + rate - 1, load<u8>(ctx + rate - 1) ^ 0x80);
  keccakF1600(ctx);
  store<u32>(ctx + POS_AT, 0);
}

/** Squeezes `len` bytes to `out` (§4, Algorithm 8 steps 7–10), continuing where the last squeeze ended. */
export function keccakSqueeze(ctx: usize, out: usize, len: i32): void {
  const rate = <i32>load<u32>(ctx + RATE_AT);
  let pos = <i32>load<u32>(ctx + POS_AT);
  let i = 0;
  while (i < len) {
    if (pos == rate) {
      keccakF1600(ctx);
      pos = 0;
    }
    let n = rate - pos;
    if (n > len - i) n = len - i;
    memory.copy(out + <usize>i, ctx + <usize>pos, <usize>n);
    pos += n;
    i += n;
  }
  store<u32>(ctx + POS_AT, <u32>pos);
}

// Scratch sponge for the one-shot functions.
const oneShot: usize = memory.data(KECCAK_STATE_BYTES, 16);

/** SHAKE128(M, 8·outLen) (FIPS 202 §6.2) of `len` bytes at `data`, written to `out`. */
export function shake128(out: usize, outLen: i32, data: usize, len: i32): i32 {
  if (outLen < 0 || len < 0) return ERR_INVALID_INPUT;
  keccakInit(oneShot, SHAKE128_RATE);
  keccakAbsorb(oneShot, data, len);
  shakeFinalize(oneShot);
  keccakSqueeze(oneShot, out, outLen);
  memory.fill(oneShot, 0, KECCAK_STATE_BYTES);
  return OK;
}

/** SHAKE256(M, 8·outLen) (FIPS 202 §6.2) of `len` bytes at `data`, written to `out`. */
export function shake256(out: usize, outLen: i32, data: usize, len: i32): i32 {
  if (outLen < 0 || len < 0) return ERR_INVALID_INPUT;
  keccakInit(oneShot, SHAKE256_RATE);
  keccakAbsorb(oneShot, data, len);
  shakeFinalize(oneShot);
  keccakSqueeze(oneShot, out, outLen);
  memory.fill(oneShot, 0, KECCAK_STATE_BYTES);
  return OK;
}
