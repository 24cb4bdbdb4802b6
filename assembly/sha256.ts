// SHA-256 (FIPS 180-4 §6.2). Internal streaming API over a caller-provided state buffer, used by the host
// ABI (assembly/abi/hash.ts), HMAC (assembly/hmac.ts) and HKDF (assembly/hkdf.ts).
//
// State layout (SHA256_STATE_BYTES bytes, any alignment):
//   0..32   H0..H7, the intermediate hash value (§6.2.2 step 4), as native u32
//   32..40  total message length in bytes (u64)
//   40..44  number of bytes waiting in the block buffer (u32, 0..63)
//   48..112 the block buffer

/** Size of the caller-provided state buffer. */
export const SHA256_STATE_BYTES: i32 = 112;
/** Digest size in bytes. */
export const SHA256_DIGEST_BYTES: i32 = 32;
/** Block size in bytes (§1, Figure 1). */
export const SHA256_BLOCK_BYTES: i32 = 64;

// @ts-ignore: decorator
@inline const OFF_LEN: usize = 32;
// @ts-ignore: decorator
@inline const OFF_FILL: usize = 40;
// @ts-ignore: decorator
@inline const OFF_BUF: usize = 48;

// §4.2.2: the 64 round constants K0..K63.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// §5.3.3: the initial hash value H(0).
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// Message schedule W0..W63 (§6.2.2 step 1). Holds message-derived data: wiped by sha256Final and by
// sha256WipeScratch.
const W: usize = memory.data(256, 16);

/**
 * Processes `blocks` consecutive 64-byte blocks at `p` into the hash value at `h` (§6.2.2).
 */
export function sha256Blocks(h: usize, p: usize, blocks: i32): void {
  let h0 = load<u32>(h, 0), h1 = load<u32>(h, 4), h2 = load<u32>(h, 8), h3 = load<u32>(h, 12);
  let h4 = load<u32>(h, 16), h5 = load<u32>(h, 20), h6 = load<u32>(h, 24), h7 = load<u32>(h, 28);
  for (let n = 0; n < blocks; n++) {
    // §6.2.2 step 1: W_t = M_t (big-endian words, §3.1) for t < 16 ...
    for (let t: usize = 0; t < 16; t++) {
      store<u32>(W + (t << 2), bswap<u32>(load<u32>(p + (t << 2))));
    }
    // ... and W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16} for 16 ≤ t < 64 (§4.1.2 (4.6), (4.7)).
    for (let t: usize = 16; t < 64; t++) {
      const w2 = load<u32>(W + ((t - 2) << 2));
      const w15 = load<u32>(W + ((t - 15) << 2));
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      store<u32>(W + (t << 2), s1 + load<u32>(W + ((t - 7) << 2)) + s0 + load<u32>(W + ((t - 16) << 2)));
    }
    // §6.2.2 step 2: initialize the working variables.
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    // §6.2.2 step 3, with Σ0, Σ1, Ch and Maj of §4.1.2 (4.2)–(4.5).
    for (let t: usize = 0; t < 64; t++) {
      const t1 = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) +
        load<u32>(K + (t << 2)) + load<u32>(W + (t << 2));
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    // §6.2.2 step 4: the i-th intermediate hash value.
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += hh;
    p += 64;
  }
  store<u32>(h, h0, 0); store<u32>(h, h1, 4); store<u32>(h, h2, 8); store<u32>(h, h3, 12);
  store<u32>(h, h4, 16); store<u32>(h, h5, 20); store<u32>(h, h6, 24); store<u32>(h, h7, 28);
}

/** Wipes the static message schedule (call before returning to the host after hashing secrets). */
export function sha256WipeScratch(): void {
  memory.fill(W, 0, 256);
}

/** Starts a new hash in the state buffer at `state` (§5.3.3). */
export function sha256Init(state: usize): void {
  memory.copy(state, IV, 32);
  memory.fill(state + OFF_LEN, 0, <usize>SHA256_STATE_BYTES - OFF_LEN);
}

/** Absorbs `len` bytes at `data`. `len` must be ≥ 0 (the ABI checks it). */
export function sha256Update(state: usize, data: usize, len: i32): void {
  if (len <= 0) return;
  store<u64>(state + OFF_LEN, load<u64>(state + OFF_LEN) + <u64>len);
  let fill = <i32>load<u32>(state + OFF_FILL);
  if (fill > 0) {
    const take = min(64 - fill, len);
    memory.copy(state + OFF_BUF + <usize>fill, data, <usize>take);
    fill += take;
    data += <usize>take;
    len -= take;
    if (fill < 64) {
      store<u32>(state + OFF_FILL, <u32>fill);
      return;
    }
    sha256Blocks(state, state + OFF_BUF, 1);
    fill = 0;
  }
  const blocks = len >>> 6;
  if (blocks > 0) {
    sha256Blocks(state, data, blocks);
    data += <usize>(blocks << 6);
    len &= 63;
  }
  if (len > 0) memory.copy(state + OFF_BUF, data, <usize>len);
  store<u32>(state + OFF_FILL, <u32>len);
}

/** Pads (§5.1.1), writes the 32-byte digest to `out` (§6.2.2, big-endian H0..H7), then wipes the state. */
export function sha256Final(state: usize, out: usize): void {
  const fill = <usize>load<u32>(state + OFF_FILL);
  const bits = load<u64>(state + OFF_LEN) << 3;
  const buf = state + OFF_BUF;
  // §5.1.1: append the bit "1", then k zero bits, then the 64-bit big-endian message length in bits.
  store<u8>(buf + fill, 0x80);
  if (fill >= 56) {
    memory.fill(buf + fill + 1, 0, 63 - fill);
    sha256Blocks(state, buf, 1);
    memory.fill(buf, 0, 56);
  } else {
    memory.fill(buf + fill + 1, 0, 55 - fill);
  }
  store<u64>(buf + 56, bswap<u64>(bits));
  sha256Blocks(state, buf, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
  memory.fill(state, 0, <usize>SHA256_STATE_BYTES);
  sha256WipeScratch();
}
