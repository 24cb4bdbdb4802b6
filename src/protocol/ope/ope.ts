/**
 * sentc's order-preserving encryption OPE-16 (crate `ope` 0.1.1, `ope.rs`; spec crypto.md §3.5): the
 * lazy-sampling scheme of Boldyreva et al. ("Order-preserving symmetric encryption", EUROCRYPT 2009) as in
 * CryptDB. The plaintext domain 0..65534 is mapped into the range 0..4294967294 by binary search: each
 * level splits the range in half and draws, with a generator keyed by HMAC of the current interval, how
 * many domain points fall into the lower half.
 *
 * Deterministic and order-preserving by design, so it leaks order and more; the AES-128 and HMAC under
 * the key run in the constant-time core, the sampling itself branches on key-derived values.
 */
import { hmacSha256, sha256 } from "../../core/index.js";
import { invalidInput } from "../../errors.js";
import { hgd } from "./hgd.js";
import { OpeKeystream, OpePrng } from "./prng.js";

/** Largest plaintext of the crate: u16::MAX - 1. */
export const OPE_DOMAIN_MAX = 65534;
/** Largest ciphertext of the crate: u32::MAX - 1. */
export const OPE_RANGE_MAX = 4294967294;

/** Writes the decimal ASCII digits of a non-negative integer at `at`; returns the position after them. */
function writeDecimal(out: Uint8Array, at: number, n: number): number {
  const digits = String(n);
  for (let i = 0; i < digits.length; i++) out[at + i] = digits.charCodeAt(i);
  return at + digits.length;
}

/** HMAC-SHA256(key, "<dLo>/<dHi>/<rLo>/<rHi>"); its first 16 bytes are the generator's `ctr` for the interval. */
function intervalMac(
  key: Uint8Array,
  scratch: Uint8Array,
  dLo: number,
  dHi: number,
  rLo: number,
  rHi: number,
): Uint8Array {
  let at = writeDecimal(scratch, 0, dLo);
  scratch[at++] = 0x2f; // "/"
  at = writeDecimal(scratch, at, dHi);
  scratch[at++] = 0x2f;
  at = writeDecimal(scratch, at, rLo);
  scratch[at++] = 0x2f;
  at = writeDecimal(scratch, at, rHi);
  return hmacSha256(key, scratch.subarray(0, at));
}

/** The range interval [rLo, rHi] that lazy sampling assigns to the plaintext `pt`. */
interface RangeInterval {
  rLo: number;
  rHi: number;
}

/**
 * lazy_sample: binary search over the domain [dLo, dHi] and range [rLo, rHi] until the domain interval
 * holds `pt` alone. One generator serves the whole search; each level re-keys its `ctr` by HMAC.
 */
function lazySample(key: Uint8Array, pt: number, prng: OpePrng): RangeInterval {
  let dLo = 0;
  let dHi = OPE_DOMAIN_MAX;
  let rLo = 0;
  let rHi = OPE_RANGE_MAX;
  // "65534/65534/4294967294/4294967294" is the longest message: 33 bytes.
  const scratch = new Uint8Array(40);
  for (;;) {
    const ndomain = dHi - dLo + 1;
    const nrange = rHi - rLo + 1;
    if (nrange < ndomain) throw invalidInput("OPE: range smaller than domain", { reference: 60 });
    if (ndomain === 1) return { rLo, rHi };
    const mac = intervalMac(key, scratch, dLo, dHi, rLo, rHi);
    prng.setCtr(mac);
    mac.fill(0);
    const rgap = Math.floor(nrange / 2);
    const dgap = hgd(rgap, ndomain, nrange - ndomain, prng);
    if (pt < dLo + dgap) {
      dHi = dLo + dgap - 1;
      rHi = rLo + rgap - 1;
    } else {
      dLo = dLo + dgap;
      rLo = rLo + rgap;
    }
  }
}

const ascii = new TextEncoder();

/**
 * OPE encryption of an integer 0 <= pt <= 65534 under a 16-byte key: lazy sampling, then a uniform
 * point of the final range interval drawn by a fresh generator (keystream from block 0 again) whose `ctr`
 * is SHA-256(decimal pt)[0..16].
 */
export function opeEncrypt(key: Uint8Array, pt: number): number {
  const keystream = new OpeKeystream(key);
  const search = new OpePrng(keystream);
  const pick = new OpePrng(keystream);
  try {
    const { rLo, rHi } = lazySample(key, pt, search);
    const digest = sha256(ascii.encode(String(pt)));
    pick.setCtr(digest);
    digest.fill(0);
    return rLo + pick.randIntMod(rHi - rLo + 1);
  } finally {
    search.wipe();
    pick.wipe();
    keystream.wipe();
  }
}
