// AES-256 in counter mode as the "aes256ctr" stream of the round-3 CRYSTALS submissions (Kyber-90s
// specification §1.5 "90s variant"; Dilithium round-3 specification §5.3 "AES variant"): the keystream is
// AES-256 (FIPS 197) applied to the counter blocks nonce12 ‖ BE32(counter), counter = 0, 1, 2, …
// (NIST SP 800-38A §6.5, with a 96-bit nonce and a 32-bit big-endian block counter).
//
// Built on the bitsliced AES of assembly/aes.ts: eight counter blocks per call, constant time in the key
// and the nonce. The expanded key and the staging buffers are static scratch; aes256CtrKeystream wipes
// them before returning, the streaming helpers leave that to their caller (aes256CtrWipe).

import { aesEncrypt8, aesExpandKey, aesWipe } from "./aes";
import { ERR_INVALID_INPUT, OK } from "./status";

// Eight counter blocks (SP 800-38A §6.5: T_j = nonce ‖ BE32(j)).
const ctrIn: usize = memory.data(128, 16);
// Keystream of the last, partial batch.
const ctrOut: usize = memory.data(128, 16);

/** Expands the 32-byte key at `key` (FIPS 197 §5.2) for the streaming helpers below. */
export function aes256CtrSetKey(key: usize): void {
  aesExpandKey(key);
}

/** Writes the eight counter blocks nonce12 ‖ BE32(ctr + b), b = 0..7, to the staging buffer. */
// @ts-ignore: decorator
@inline function fillCounters(nonce12: usize, ctr: u32): void {
  const n0 = load<u64>(nonce12);
  const n1 = load<u32>(nonce12, 8);
  for (let b: u32 = 0; b < 8; b++) {
    const p = ctrIn + (<usize>b << 4);
    store<u64>(p, n0);
    store<u32>(p, n1, 8);
    store<u32>(p, bswap<u32>(ctr + b), 12); // big-endian counter (SP 800-38A §B.1, 32-bit increment)
  }
}

/**
 * Writes `len` bytes of keystream, starting at byte 16·`ctr` of the stream (i.e. at block `ctr`), to
 * `out`. Needs aes256CtrSetKey first. `len` and `ctr` are public.
 */
export function aes256CtrStream(nonce12: usize, ctr: u32, out: usize, len: i32): void {
  let off: i32 = 0;
  while (len - off >= 128) {
    fillCounters(nonce12, ctr);
    aesEncrypt8(ctrIn, out + <usize>off);
    ctr += 8;
    off += 128;
  }
  if (off < len) {
    fillCounters(nonce12, ctr);
    aesEncrypt8(ctrIn, ctrOut);
    memory.copy(out + <usize>off, ctrOut, <usize>(len - off));
    memory.fill(ctrOut, 0, 128);
  }
}

/** Wipes the expanded key, the AES state and the counter staging buffers. */
export function aes256CtrWipe(): void {
  aesWipe();
  memory.fill(ctrIn, 0, 128);
  memory.fill(ctrOut, 0, 128);
}

/**
 * The round-3 aes256ctr PRF/XOF: `len` bytes of AES-256-CTR keystream under the 32-byte key at `key` over
 * the blocks nonce12 ‖ BE32(counter), counter = 0, 1, 2, …, written to `out`. Wipes its scratch.
 */
export function aes256CtrKeystream(key: usize, nonce12: usize, out: usize, len: i32): void {
  aesExpandKey(key);
  if (len > 0) aes256CtrStream(nonce12, 0, out, len);
  aes256CtrWipe();
}

/** ABI form of aes256CtrKeystream with a length check: 0 <= len <= 2^30 (far below 2^32 blocks). */
export function aes256_ctr_keystream(key: usize, nonce12: usize, out: usize, len: i32): i32 {
  if (len < 0 || len > (1 << 30)) return ERR_INVALID_INPUT;
  aes256CtrKeystream(key, nonce12, out, len);
  return OK;
}
