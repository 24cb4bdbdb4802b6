/**
 * The pseudo-random generator of sentc's OPE (crate `ope` 0.1.1, `prng.rs`; spec crypto.md §3.5):
 * AES-128 in counter mode with a 64-bit little-endian block counter and a zero IV, so keystream block i is
 * AES128_k(LE64(i) ‖ 0^8), and a separate 16-byte value `ctr` that each output block XORs in.
 *
 *   rand_bytes: per 16-byte chunk, increment `ctr` (128-bit little-endian), output ctr XOR the next
 *               keystream block. set_ctr replaces `ctr` and leaves the keystream position alone.
 *   rand_int_mod(max): floor(bits(max)/8) + 1 bytes read big-endian, mod max.
 *
 * The keystream is produced by the constant-time AES-128 of the core, a batch of blocks per core call, and
 * shared by the generators of one encryption (each starts at block 0).
 */
import { aes128EncryptBlocks } from "../../core/aes128.js";
import { invalidInput } from "../../errors.js";

/** Keystream blocks fetched by the first core call: enough for most encryptions (about 37 on average). */
const FIRST_BATCH_BLOCKS = 48;
/** Keystream blocks fetched by each later core call. */
const NEXT_BATCH_BLOCKS = 16;
/** rand_int_mod reads at most this many bytes, so every value is an exact integer in a double. */
const MAX_RAND_BYTES = 6;

/** Number of significant bits of a non-negative integer below 2^53 (0 for 0). */
export function bitLength(n: number): number {
  if (n < 0x100000000) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / 0x100000000));
}

/**
 * The AES-128 keystream of one key, blocks 0, 1, 2, ... (block i = AES128_k(LE64(i) ‖ 0^8), the `Ctr64LE`
 * flavour with a zero IV), computed in batches by the core and kept for the generators of one encryption.
 */
export class OpeKeystream {
  /** Blocks [0, available) as bytes. */
  bytes: Uint8Array = new Uint8Array(0);
  available = 0;

  constructor(private readonly key: Uint8Array) {}

  /** Makes block `index` available (and every block before it). */
  extendTo(index: number): void {
    while (index >= this.available) {
      const first = this.available;
      const count = first === 0 ? FIRST_BATCH_BLOCKS : NEXT_BATCH_BLOCKS;
      const counters = new Uint8Array(count * 16);
      for (let i = 0; i < count; i++) {
        // LE64(first + i) ‖ 0^8; block indices stay far below 2^32.
        const n = first + i;
        counters[i * 16] = n & 0xff;
        counters[i * 16 + 1] = (n >>> 8) & 0xff;
        counters[i * 16 + 2] = (n >>> 16) & 0xff;
        counters[i * 16 + 3] = n >>> 24;
      }
      const fresh = aes128EncryptBlocks(this.key, counters);
      const grown = new Uint8Array((first + count) * 16);
      grown.set(this.bytes);
      grown.set(fresh, first * 16);
      this.bytes.fill(0);
      fresh.fill(0);
      this.bytes = grown;
      this.available = first + count;
    }
  }

  /** Overwrites the keystream. */
  wipe(): void {
    this.bytes.fill(0);
  }
}

/** One `BlockCipher` of prng.rs: a 16-byte `ctr` and a position in the key's keystream. */
export class OpePrng {
  /** The 16-byte `ctr` value of prng.rs. */
  private readonly ctr = new Uint8Array(16);
  /** Index of the next keystream block to use (BlockCipher::new starts at block 0). */
  private position = 0;

  constructor(private readonly keystream: OpeKeystream) {}

  /** set_ctr: replaces `ctr`; the keystream position is not reset. */
  setCtr(value: Uint8Array): void {
    const ctr = this.ctr;
    for (let j = 0; j < 16; j++) ctr[j] = value[j]!;
  }

  /**
   * rand_int_mod(max) for 1 <= max < 2^47: one 16-byte chunk of rand_bytes (ctr incremented, XORed with
   * the next keystream block), its first floor(bits(max)/8) + 1 bytes as a big-endian integer, mod max.
   */
  randIntMod(max: number): number {
    const nbytes = (bitLength(max) >>> 3) + 1;
    if (nbytes > MAX_RAND_BYTES) throw invalidInput("OPE: random range too large", { reference: 62 });
    // 128-bit little-endian increment of ctr (byte 0 first, carry upwards)
    const ctr = this.ctr;
    for (let j = 0; j < 16; j++) {
      ctr[j] = (ctr[j]! + 1) & 0xff;
      if (ctr[j] !== 0) break;
    }
    const keystream = this.keystream;
    if (this.position >= keystream.available) keystream.extendTo(this.position);
    const ks = keystream.bytes;
    const off = this.position * 16;
    this.position++;
    let v = 0;
    for (let j = 0; j < nbytes; j++) v = v * 256 + ((ctr[j]! ^ ks[off + j]!) & 0xff);
    return v % max;
  }

  /** Overwrites the generator's `ctr`. */
  wipe(): void {
    this.ctr.fill(0);
  }
}
