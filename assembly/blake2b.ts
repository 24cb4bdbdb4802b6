// BLAKE2b (RFC 7693), unkeyed, with a digest length of 1..64 bytes. Internal to the core: Argon2id
// (RFC 9106 §3.2 H, §3.3 H') is its only user, so it is not part of the ABI.
//
// One streaming state lives in static scratch: blake2b_init, then blake2b_update any number of times,
// then blake2b_final, which also wipes the state. Lengths and indices depend only on public lengths.

// RFC 7693 §2.6: the initialization vector (the SHA-512 IV).
const IV: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);

// RFC 7693 §2.7: the message schedule SIGMA, rows 0..9 (rounds 10 and 11 reuse rows 0 and 1), stored as
// byte offsets (word index · 8) into the 128-byte block.
const SIGMA: usize = memory.data<u8>([
  0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120,
  112, 80, 32, 64, 72, 120, 104, 48, 8, 96, 0, 16, 88, 56, 40, 24,
  88, 64, 96, 0, 40, 16, 120, 104, 80, 112, 24, 48, 56, 8, 72, 32,
  56, 72, 24, 8, 104, 96, 88, 112, 16, 48, 40, 80, 32, 0, 120, 64,
  72, 0, 40, 56, 16, 32, 80, 120, 112, 8, 88, 96, 48, 64, 24, 104,
  16, 96, 48, 80, 0, 88, 64, 24, 32, 104, 56, 40, 120, 112, 8, 72,
  96, 40, 8, 120, 112, 104, 32, 80, 0, 56, 48, 24, 72, 16, 64, 88,
  104, 88, 56, 112, 96, 8, 24, 72, 40, 0, 120, 32, 64, 48, 16, 80,
  48, 120, 112, 72, 88, 24, 0, 64, 96, 16, 104, 56, 8, 32, 80, 40,
  80, 16, 64, 32, 56, 48, 8, 40, 120, 88, 72, 112, 24, 96, 104, 0,
]);

// Static state: chaining value h[0..7] (64 bytes), the partial block (128 bytes), and the counters.
const H: usize = memory.data(64, 16);
const BUF: usize = memory.data(128, 16);
// @ts-ignore: decorator
@lazy let bufLen: i32 = 0;
// @ts-ignore: decorator
@lazy let total: u64 = 0; // bytes compressed so far (t0; inputs stay far below 2^64 bytes, so t1 = 0)
// @ts-ignore: decorator
@lazy let outLen: i32 = 64;

/** RFC 7693 §3.2: compresses the 128-byte block at `m` into H; `last` sets the final-block flag f0. */
function compress(m: usize, last: bool): void {
  let v0 = load<u64>(H), v1 = load<u64>(H, 8), v2 = load<u64>(H, 16), v3 = load<u64>(H, 24);
  let v4 = load<u64>(H, 32), v5 = load<u64>(H, 40), v6 = load<u64>(H, 48), v7 = load<u64>(H, 56);
  let v8 = load<u64>(IV), v9 = load<u64>(IV, 8), v10 = load<u64>(IV, 16), v11 = load<u64>(IV, 24);
  let v12 = load<u64>(IV, 32) ^ total; // §3.2: v[12] ^= t mod 2^64
  let v13 = load<u64>(IV, 40); // v[13] ^= t >> 64, which is 0 here
  let v14 = load<u64>(IV, 48) ^ (last ? 0xffffffffffffffff : 0); // v[14] = ~v[14] for the last block
  let v15 = load<u64>(IV, 56);
  for (let r = 0; r < 12; r++) {
    // §3.2: round r uses SIGMA[r mod 10].
    const s = SIGMA + <usize>((r % 10) << 4);
    // §3.1 G, written out on the 16 working words held in locals. Column step: G(v0,v4,v8,v12), G(v1,v5,v9,v13), G(v2,v6,v10,v14), G(v3,v7,v11,v15).
    v0 = v0 + v4 + load<u64>(m + load<u8>(s, 0)); v12 = rotr<u64>(v12 ^ v0, 32);
    v8 = v8 + v12; v4 = rotr<u64>(v4 ^ v8, 24);
    v0 = v0 + v4 + load<u64>(m + load<u8>(s, 1)); v12 = rotr<u64>(v12 ^ v0, 16);
    v8 = v8 + v12; v4 = rotr<u64>(v4 ^ v8, 63);
    v1 = v1 + v5 + load<u64>(m + load<u8>(s, 2)); v13 = rotr<u64>(v13 ^ v1, 32);
    v9 = v9 + v13; v5 = rotr<u64>(v5 ^ v9, 24);
    v1 = v1 + v5 + load<u64>(m + load<u8>(s, 3)); v13 = rotr<u64>(v13 ^ v1, 16);
    v9 = v9 + v13; v5 = rotr<u64>(v5 ^ v9, 63);
    v2 = v2 + v6 + load<u64>(m + load<u8>(s, 4)); v14 = rotr<u64>(v14 ^ v2, 32);
    v10 = v10 + v14; v6 = rotr<u64>(v6 ^ v10, 24);
    v2 = v2 + v6 + load<u64>(m + load<u8>(s, 5)); v14 = rotr<u64>(v14 ^ v2, 16);
    v10 = v10 + v14; v6 = rotr<u64>(v6 ^ v10, 63);
    v3 = v3 + v7 + load<u64>(m + load<u8>(s, 6)); v15 = rotr<u64>(v15 ^ v3, 32);
    v11 = v11 + v15; v7 = rotr<u64>(v7 ^ v11, 24);
    v3 = v3 + v7 + load<u64>(m + load<u8>(s, 7)); v15 = rotr<u64>(v15 ^ v3, 16);
    v11 = v11 + v15; v7 = rotr<u64>(v7 ^ v11, 63);
    // Diagonal step: G(v0,v5,v10,v15), G(v1,v6,v11,v12), G(v2,v7,v8,v13), G(v3,v4,v9,v14).
    v0 = v0 + v5 + load<u64>(m + load<u8>(s, 8)); v15 = rotr<u64>(v15 ^ v0, 32);
    v10 = v10 + v15; v5 = rotr<u64>(v5 ^ v10, 24);
    v0 = v0 + v5 + load<u64>(m + load<u8>(s, 9)); v15 = rotr<u64>(v15 ^ v0, 16);
    v10 = v10 + v15; v5 = rotr<u64>(v5 ^ v10, 63);
    v1 = v1 + v6 + load<u64>(m + load<u8>(s, 10)); v12 = rotr<u64>(v12 ^ v1, 32);
    v11 = v11 + v12; v6 = rotr<u64>(v6 ^ v11, 24);
    v1 = v1 + v6 + load<u64>(m + load<u8>(s, 11)); v12 = rotr<u64>(v12 ^ v1, 16);
    v11 = v11 + v12; v6 = rotr<u64>(v6 ^ v11, 63);
    v2 = v2 + v7 + load<u64>(m + load<u8>(s, 12)); v13 = rotr<u64>(v13 ^ v2, 32);
    v8 = v8 + v13; v7 = rotr<u64>(v7 ^ v8, 24);
    v2 = v2 + v7 + load<u64>(m + load<u8>(s, 13)); v13 = rotr<u64>(v13 ^ v2, 16);
    v8 = v8 + v13; v7 = rotr<u64>(v7 ^ v8, 63);
    v3 = v3 + v4 + load<u64>(m + load<u8>(s, 14)); v14 = rotr<u64>(v14 ^ v3, 32);
    v9 = v9 + v14; v4 = rotr<u64>(v4 ^ v9, 24);
    v3 = v3 + v4 + load<u64>(m + load<u8>(s, 15)); v14 = rotr<u64>(v14 ^ v3, 16);
    v9 = v9 + v14; v4 = rotr<u64>(v4 ^ v9, 63);
  }
  // §3.2: h[i] ^= v[i] ^ v[i + 8].
  store<u64>(H, load<u64>(H) ^ v0 ^ v8);
  store<u64>(H, load<u64>(H, 8) ^ v1 ^ v9, 8);
  store<u64>(H, load<u64>(H, 16) ^ v2 ^ v10, 16);
  store<u64>(H, load<u64>(H, 24) ^ v3 ^ v11, 24);
  store<u64>(H, load<u64>(H, 32) ^ v4 ^ v12, 32);
  store<u64>(H, load<u64>(H, 40) ^ v5 ^ v13, 40);
  store<u64>(H, load<u64>(H, 48) ^ v6 ^ v14, 48);
  store<u64>(H, load<u64>(H, 56) ^ v7 ^ v15, 56);
}

/** RFC 7693 §3.3: starts an unkeyed hash with an `nn`-byte digest (1 ≤ nn ≤ 64, checked by the caller). */
export function blake2b_init(nn: i32): void {
  memory.copy(H, IV, 64);
  // §2.5 parameter block: digest length nn, key length 0, fanout 1, depth 1.
  store<u64>(H, load<u64>(H) ^ (0x01010000 ^ <u64>nn));
  bufLen = 0;
  total = 0;
  outLen = nn;
}

/** Absorbs `len` bytes at `ptr`. The last block is kept in BUF until blake2b_final (§3.3). */
export function blake2b_update(ptr: usize, len: i32): void {
  while (len > 0) {
    if (bufLen == 128) {
      total += 128;
      compress(BUF, false);
      bufLen = 0;
    }
    let take = 128 - bufLen;
    if (take > len) take = len;
    memory.copy(BUF + <usize>bufLen, ptr, <usize>take);
    bufLen += take;
    ptr += <usize>take;
    len -= take;
  }
}

/** Pads and compresses the last block, writes the nn-byte digest to `out`, and wipes the state. */
export function blake2b_final(out: usize): void {
  total += <u64>bufLen;
  // §3.3: the last block is zero-padded; the counter holds the message length, not the padded one.
  memory.fill(BUF + <usize>bufLen, 0, <usize>(128 - bufLen));
  compress(BUF, true);
  memory.copy(out, H, <usize>outLen);
  blake2b_wipe();
}

/** Clears the static state (chaining value and buffered input). */
export function blake2b_wipe(): void {
  memory.fill(H, 0, 64);
  memory.fill(BUF, 0, 128);
  bufLen = 0;
  total = 0;
}
