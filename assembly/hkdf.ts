// HKDF with HMAC-SHA256 (RFC 5869).
import { OK, ERR_INVALID_INPUT } from "./status";
import { HMAC_SHA256_CTX_BYTES, hmacSha256Init, hmacSha256Update, hmacSha256Final } from "./hmac";

/** RFC 5869 §2.3: L ≤ 255 · HashLen. */
export const HKDF_SHA256_MAX_OUTPUT: i32 = 255 * 32;

// Key-derived scratch, wiped before hkdf_sha256 returns: PRK, the block T(i), the HMAC context keyed with PRK,
// the working copy of it for one T(i), and the one-byte block counter i.
const PRK: usize = memory.data(32, 16);
const T: usize = memory.data(32, 16);
const KEYED: usize = memory.data(HMAC_SHA256_CTX_BYTES, 16);
const WORK: usize = memory.data(HMAC_SHA256_CTX_BYTES, 16);
const COUNTER: usize = memory.data(16, 16);

/**
 * ABI: out[outLen] = HKDF-SHA256(ikm, salt, info, outLen). An empty salt is HashLen zero bytes
 * (RFC 5869 §2.2), which as an HMAC key is the same as the empty key (FIPS 198-1 §4 step 3 pads with zeros).
 * Returns ERR_INVALID_INPUT unless 1 ≤ outLen ≤ 255 · 32 and every length is ≥ 0.
 */
export function hkdf_sha256(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32, out: usize, outLen: i32,
): i32 {
  if (ikmLen < 0 || saltLen < 0 || infoLen < 0) return ERR_INVALID_INPUT;
  // §2.3: L ≤ 255 · HashLen.
  if (outLen < 1 || outLen > HKDF_SHA256_MAX_OUTPUT) return ERR_INVALID_INPUT;
  // §2.2 Extract: PRK = HMAC-Hash(salt, IKM).
  hmacSha256Init(WORK, salt, saltLen);
  hmacSha256Update(WORK, ikm, ikmLen);
  hmacSha256Final(WORK, PRK);
  // §2.3 Expand: T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i), T(0) empty; OKM = first L bytes of T(1) ‖ T(2) ‖ …
  hmacSha256Init(KEYED, PRK, 32);
  const n = (outLen + 31) >>> 5;
  let done = 0;
  for (let i = 1; i <= n; i++) {
    memory.copy(WORK, KEYED, <usize>HMAC_SHA256_CTX_BYTES);
    if (i > 1) hmacSha256Update(WORK, T, 32);
    hmacSha256Update(WORK, info, infoLen);
    store<u8>(COUNTER, <u8>i);
    hmacSha256Update(WORK, COUNTER, 1);
    hmacSha256Final(WORK, T);
    const take = min(32, outLen - done);
    memory.copy(out + <usize>done, T, <usize>take);
    done += take;
  }
  memory.fill(PRK, 0, 32);
  memory.fill(T, 0, 32);
  memory.fill(KEYED, 0, <usize>HMAC_SHA256_CTX_BYTES);
  memory.fill(COUNTER, 0, 1);
  return OK;
}
