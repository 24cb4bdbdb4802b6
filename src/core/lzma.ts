import { SentcError } from "../errors.js";

/** The largest uncompressed size accepted: 16 MiB. */
const LZMA_MAX_SIZE = 16 * 2 ** 20;

/**
 * @internal Decompresses an LZMA stream in the `.lzma` ("LZMA alone") format: a 13-byte header (the properties
 * byte lc/lp/pb, the dictionary size, the 64-bit uncompressed size) and the range-coded data, as written by
 * `xz --format=lzma` or the `lzma` package. The UMD build inlines the core this way: about 4 KB smaller than
 * gzip, and it needs no `DecompressionStream`. The uncompressed size must be in the header (no end marker only),
 * at most 16 MiB (the core is about 76 KB). Follows the reference decoder of the LZMA SDK
 * (DOC/lzma-specification.txt).
 * @throws {SentcError} `core_load_failed` when the stream is malformed (a match before the start of the output or
 *   past its end, an unknown or too large size, bad properties, a stream that ends before the output is complete).
 * @example
 * const wasm = lzmaDecompress(compressed);
 */
export function lzmaDecompress(src: Uint8Array): Uint8Array {
  const fail = (what: string): never => {
    throw new SentcError("core_load_failed", `the inlined core is corrupt: ${what}`);
  };
  let props = src[0] ?? 255;
  if (props >= 225) fail("bad LZMA properties");
  const lc = props % 9;
  props = (props / 9) | 0;
  const lpMask = (1 << (props % 5)) - 1;
  const pbMask = (1 << ((props / 5) | 0)) - 1;
  const size = (src[5]! | (src[6]! << 8) | (src[7]! << 16)) + src[8]! * 2 ** 24;
  if (!(size <= LZMA_MAX_SIZE) || src[9]! | src[10]! | src[11]! | src[12]!) fail("no or too large size");
  const out = new Uint8Array(size);

  // One array of 11-bit probabilities, all starting at one half, holding the models at these offsets:
  const IS_MATCH = 0; // [state << 4 | posState], 192
  const IS_REP = 192; // [state], 12 each
  const IS_REP_G0 = 204;
  const IS_REP_G1 = 216;
  const IS_REP_G2 = 228;
  const IS_REP0_LONG = 240; // [state << 4 | posState], 192
  const POS_SLOT = 432; // 4 length classes × a 6-bit tree, 256
  const POS_SPECIAL = 688; // the reverse trees of the distances 4..127, 115
  const ALIGN = 803; // the low 4 bits of long distances, 16
  // Two length models of 514: choice, choice2, 16 low and 16 mid 3-bit trees (8 slots each), a high 8-bit tree.
  const MATCH_LEN = 819;
  const REP_LEN = 1333;
  const LITERAL = 1847; // 0x300 per literal context
  const probs = new Uint16Array(LITERAL + (0x300 << (lc + (props % 5)))).fill(1024);

  // The range decoder (§ "The range decoder"): range and code are unsigned 32-bit values. A read past the end of
  // the input yields 0 (`undefined | 0`); `pos` still counts it, and the loop below fails once it is past the end.
  let pos = 5 + 8 + 1;
  let range = 0xffffffff;
  let code = ((src[pos]! << 24) | (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!) >>> 0;
  pos += 4;
  const bit = (i: number): number => {
    const p = probs[i]!;
    const bound = (range >>> 11) * p;
    let b = 0;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >> 5);
    } else {
      range -= bound;
      code -= bound;
      probs[i] = p - (p >> 5);
      b = 1;
    }
    if (range < 2 ** 24) {
      range = (range << 8) >>> 0;
      code = ((code << 8) | src[pos++]!) >>> 0;
    }
    return b;
  };
  const tree = (base: number, bits: number): number => {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | bit(base + m);
    return m - (1 << bits);
  };
  const reverseTree = (base: number, bits: number): number => {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  };
  const length = (model: number, posState: number): number =>
    bit(model) === 0
      ? tree(model + 2 + posState * 8, 3)
      : bit(model + 1) === 0
        ? 8 + tree(model + 130 + posState * 8, 3)
        : 16 + tree(model + 258, 8);

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let n = 0;
  const ended = () => fail("the stream ends early");
  while (n < size) {
    if (pos > src.length) ended();
    const posState = n & pbMask;
    if (bit(IS_MATCH + (state << 4) + posState) === 0) {
      const base = LITERAL + 0x300 * (((n & lpMask) << lc) + ((n > 0 ? out[n - 1]! : 0) >> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        // A literal after a match is coded against the byte at the match distance, bit by bit while they agree.
        let matchByte = out[n - rep0 - 1]!;
        while (symbol < 0x100) {
          const matchBit = (matchByte >> 7) & 1;
          matchByte <<= 1;
          const b = bit(base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        }
      }
      while (symbol < 0x100) symbol = (symbol << 1) | bit(base + symbol);
      out[n++] = symbol;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (bit(IS_REP + state) !== 0) {
      if (n === 0) fail("a repeated match at the start");
      if (bit(IS_REP_G0 + state) === 0) {
        if (bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
          // A "short rep": one byte from distance rep0.
          state = state < 7 ? 9 : 11;
          out[n] = out[n - rep0 - 1]!;
          n++;
          continue;
        }
      } else {
        let distance: number;
        if (bit(IS_REP_G1 + state) === 0) distance = rep1;
        else {
          if (bit(IS_REP_G2 + state) === 0) distance = rep2;
          else {
            distance = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = distance;
      }
      len = length(REP_LEN, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(MATCH_LEN, posState);
      state = state < 7 ? 7 : 10;
      // The distance: a 6-bit slot per length class, then reverse-coded low bits or direct bits and 4 aligned bits.
      const slot = tree(POS_SLOT + (Math.min(len, 3) << 6), 6);
      if (slot < 4) rep0 = slot;
      else {
        const direct = (slot >> 1) - 1;
        rep0 = ((2 | (slot & 1)) << direct) >>> 0;
        if (slot < 14) rep0 += reverseTree(POS_SPECIAL + rep0 - slot, direct);
        else {
          let high = 0;
          for (let i = direct - 4; i > 0; i--) {
            range >>>= 1;
            high <<= 1;
            if (code >= range) {
              code -= range;
              high |= 1;
            }
            if (range < 2 ** 24) {
              range = (range << 8) >>> 0;
              code = ((code << 8) | src[pos++]!) >>> 0;
            }
          }
          rep0 += ((high << 4) >>> 0) + reverseTree(ALIGN, 4);
        }
      }
      if (rep0 >= n) fail("a match before the start");
    }
    len += 2;
    if (len > size - n) fail("a match past the end");
    for (; len > 0; len--, n++) out[n] = out[n - rep0 - 1]!;
  }
  if (pos > src.length) ended();
  return out;
}
