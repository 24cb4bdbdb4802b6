// Ed25519 (RFC 8032 §5.1): key generation, signing and strict verification, with SHA-512 from ./sha512.
//
// Signing is constant time (fixed-base multiplication with masked table scans, constant-time scalar
// arithmetic mod L); every secret in static scratch is wiped before the exported function returns.
// Verification handles public data only and is variable time.
//
// Public-key memo: §5.1.6 step 4 needs the encoding of A = [s]B, a second fixed-base multiplication
// besides R = [r]B (callers hold only the 32-byte seed). The core keeps the public key of the last seed it
// expanded, filed under a tag = SHA-512(MEMO_DOMAIN ‖ seed)[0..32]; signing with the same seed again takes A
// from the memo. Neither value is secret: A is the public key, and the tag is, like A, a one-way function
// of the seed (it confirms a guessed seed and nothing more). Whether the memo is used depends only on
// whether the signer's public key equals the previous one, which the signatures themselves reveal (they
// verify under it), so the one branch on it discloses nothing about the seed. The memo's A was computed
// here from the seed, never taken from the caller: a wrong A would leak s (two signatures with the same r
// and different k).
import { SHA512_STATE_BYTES, sha512Final, sha512Init, sha512Update } from "./sha512";
import { scIsCanonical, scMulAdd, scReduce64 } from "./scalar25519";
import {
  geDoubleScalarmultVartime, geFromBytesVartime, geHasSmallOrderVartime, gePrepareVartime, geScalarmultBase,
  geToBytes, geToBytes2, geWipeScratch, POINT_BYTES,
} from "./edwards25519";
import { feNeg, feWipeScratch } from "./field25519";
import { ERR_INVALID_INPUT, ERR_VERIFY, OK } from "./status";

/** Sizes (RFC 8032 §5.1.5, §5.1.6). */
export const ED25519_SEED_BYTES: i32 = 32;
export const ED25519_PUBLIC_KEY_BYTES: i32 = 32;
export const ED25519_SIGNATURE_BYTES: i32 = 64;

// Scratch. HASH, DIGEST, SCALAR, PREFIX and NONCE hold secrets while signing and are wiped.
const HASH: usize = memory.data(<i32>SHA512_STATE_BYTES, 16);
const DIGEST: usize = memory.data(64, 16); //  SHA-512 outputs
const SCALAR: usize = memory.data(32, 16); //  s, the clamped secret scalar (§5.1.5 step 2)
const PREFIX: usize = memory.data(32, 16); //  the second half of SHA-512(seed)
const NONCE: usize = memory.data(32, 16); //   r (§5.1.6 step 2)
const CHAL: usize = memory.data(32, 16); //    k (§5.1.6 step 4, §5.1.7 step 2)
const PUB: usize = memory.data(32, 16); //     A, encoded
const ENC: usize = memory.data(32, 16); //     an encoded point
const POINT: usize = memory.data(<i32>POINT_BYTES, 16);
const POINT2: usize = memory.data(<i32>POINT_BYTES, 16);
const TAG: usize = memory.data(64, 16); //    SHA-512(MEMO_DOMAIN ‖ seed); its first half is the memo key

/** Domain separation of the memo tag from every other hash of the seed (24 ASCII bytes). */
const MEMO_DOMAIN: usize = memory.data<u8>([
  0x73, 0x65, 0x6e, 0x74, 0x63, 0x2d, 0x61, 0x73, 0x20, 0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x20, 0x70,
  0x6b, 0x20, 0x6d, 0x65, 0x6d, 0x6f,
]); //                                          "sentc-as ed25519 pk memo"
// The memo (public data, kept across calls): tag and encoded public key of the last expanded seed.
const MEMO_TAG: usize = memory.data(32, 16);
const MEMO_PK: usize = memory.data(32, 16);
let memoValid = false;
// The verification memo (public data): the last public key that decoded and passed the checks of
// §5.1.7 step 1; the odd multiples of -A that edwards25519.ts keeps for it (gePrepareVartime) stay valid.
const VMEMO_PK: usize = memory.data(32, 16);
let vmemoValid = false;

function wipeAll(): void {
  memory.fill(HASH, 0, <usize>SHA512_STATE_BYTES);
  memory.fill(DIGEST, 0, 64);
  memory.fill(SCALAR, 0, 32);
  memory.fill(PREFIX, 0, 32);
  memory.fill(NONCE, 0, 32);
  memory.fill(CHAL, 0, 32);
  memory.fill(PUB, 0, 32);
  memory.fill(ENC, 0, 32);
  memory.fill(POINT, 0, POINT_BYTES);
  memory.fill(POINT2, 0, POINT_BYTES);
  memory.fill(TAG, 0, 64);
  geWipeScratch();
  feWipeScratch();
}

/** §5.1.5 steps 1-2: SCALAR = s, PREFIX = the nonce prefix. */
function expandSeed(seed: usize): void {
  // Step 1: h = SHA-512(seed).
  sha512Init(HASH);
  sha512Update(HASH, seed, 32);
  sha512Final(HASH, DIGEST);
  // Step 2: s = the first half with bits 0, 1, 2 and 255 cleared and bit 254 set.
  memory.copy(SCALAR, DIGEST, 32);
  memory.copy(PREFIX, DIGEST + 32, 32);
  store<u8>(SCALAR, load<u8>(SCALAR) & 248);
  store<u8>(SCALAR + 31, (load<u8>(SCALAR + 31) & 127) | 64);
}

/** TAG = SHA-512(MEMO_DOMAIN ‖ seed); returns whether its first half is the memo's key. */
function memoLookup(seed: usize): bool {
  sha512Init(HASH);
  sha512Update(HASH, MEMO_DOMAIN, 24);
  sha512Update(HASH, seed, 32);
  sha512Final(HASH, TAG);
  let diff: u64 = 0;
  for (let i: usize = 0; i < 32; i += 8) diff |= load<u64>(TAG + i) ^ load<u64>(MEMO_TAG + i);
  return memoValid && diff == 0;
}

/** Files the encoded public key at `pk` under the tag memoLookup just computed. */
function memoStore(pk: usize): void {
  memory.copy(MEMO_TAG, TAG, 32);
  memory.copy(MEMO_PK, pk, 32);
  memoValid = true;
}

/** The public key (32 bytes) of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(out: usize, seed: usize): i32 {
  if (memoLookup(seed)) {
    memory.copy(out, MEMO_PK, 32);
  } else {
    expandSeed(seed);
    // Step 3: A = [s]B. Step 4: the encoding of A (§5.1.2).
    geScalarmultBase(POINT, SCALAR);
    geToBytes(out, POINT);
    memoStore(out);
  }
  wipeAll();
  return OK;
}

/** The 64-byte signature R ‖ S of the `len` bytes at `msg` under a 32-byte seed (RFC 8032 §5.1.6). */
export function ed25519Sign(sig: usize, seed: usize, msg: usize, len: i32): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  const known = memoLookup(seed);
  // Step 1 (§5.1.5 steps 1-2): s and the prefix.
  expandSeed(seed);
  // Step 2: r = SHA-512(prefix ‖ M) mod L.
  sha512Init(HASH);
  sha512Update(HASH, PREFIX, 32);
  sha512Update(HASH, msg, len);
  sha512Final(HASH, DIGEST);
  scReduce64(NONCE, DIGEST);
  // Step 3: R = [r]B. A = [s]B (§5.1.5 step 3) comes from the memo when this seed signed or derived its
  // public key last; otherwise A and R are encoded together with one field inversion.
  geScalarmultBase(POINT2, NONCE);
  if (known) {
    memory.copy(PUB, MEMO_PK, 32);
    geToBytes(ENC, POINT2);
  } else {
    geScalarmultBase(POINT, SCALAR);
    geToBytes2(PUB, POINT, ENC, POINT2);
    memoStore(PUB);
  }
  // Step 4: k = SHA-512(R ‖ A ‖ M) mod L.
  sha512Init(HASH);
  sha512Update(HASH, ENC, 32);
  sha512Update(HASH, PUB, 32);
  sha512Update(HASH, msg, len);
  sha512Final(HASH, DIGEST);
  scReduce64(CHAL, DIGEST);
  // Step 5: S = (r + k·s) mod L. Step 6: the signature is R ‖ S.
  scMulAdd(sig + 32, CHAL, SCALAR, NONCE);
  memory.copy(sig, ENC, 32);
  wipeAll();
  return OK;
}

/**
 * §5.1.7 step 1 for the public key at pk: decodes A (strictly), rejects a small order, and prepares the
 * multiples of -A for step 3. The last accepted key is remembered (public data): verifying under it again
 * skips the decoding. Variable time.
 */
function preparePublicKey(pk: usize): bool {
  if (vmemoValid && memory.compare(pk, VMEMO_PK, 32) == 0) return true;
  if (!geFromBytesVartime(POINT2, pk) || geHasSmallOrderVartime(POINT2)) return false;
  feNeg(POINT2, POINT2); //                              -A: negate X ...
  feNeg(POINT2 + 120, POINT2 + 120); //                  ... and T
  gePrepareVartime(POINT2);
  memory.copy(VMEMO_PK, pk, 32);
  vmemoValid = true;
  return true;
}

/**
 * Verifies the 64-byte signature at `sig` of the `len` bytes at `msg` under the 32-byte public key at `pk`
 * (RFC 8032 §5.1.7, cofactorless equation [S]B = R + [k]A). Strict: rejects S ≥ L, non-canonical or invalid
 * encodings of A and R, and A or R of small order. Returns OK or ERR_VERIFY. Variable time (public data).
 */
export function ed25519Verify(pk: usize, msg: usize, len: i32, sig: usize): i32 {
  if (len < 0) return ERR_INVALID_INPUT;
  let status = ERR_VERIFY;
  // Step 1: S must be < L; A must decode (canonically) and not have small order.
  if (scIsCanonical(sig + 32) && preparePublicKey(pk)) {
    // Step 2: k = SHA-512(R ‖ A ‖ M) mod L, over the encodings as received.
    sha512Init(HASH);
    sha512Update(HASH, sig, 32);
    sha512Update(HASH, pk, 32);
    sha512Update(HASH, msg, len);
    sha512Final(HASH, DIGEST);
    scReduce64(CHAL, DIGEST);
    // Step 3: R' = [S]B - [k]A; the signature is valid when R' encodes to exactly the bytes of R. Comparing
    // encodings also rejects every non-canonical or invalid encoding of R (ours is canonical).
    geDoubleScalarmultVartime(POINT, CHAL, sig + 32);
    geToBytes(ENC, POINT);
    if (memory.compare(ENC, sig, 32) == 0 && !geHasSmallOrderVartime(POINT)) status = OK;
  }
  wipeAll();
  return status;
}

// ---- ABI (re-exported by assembly/abi/curve25519.ts) ----

/** out (32 bytes) = the Ed25519 public key of the 32-byte seed. */
export function ed25519_public_key(out: usize, seed: usize): i32 {
  return ed25519PublicKey(out, seed);
}

/** sig (64 bytes) = Ed25519 signature of msg[0..len) under the 32-byte seed. */
export function ed25519_sign(sig: usize, seed: usize, msg: usize, len: i32): i32 {
  return ed25519Sign(sig, seed, msg, len);
}

/** OK when sig (64 bytes) is a valid signature of msg[0..len) under pk (32 bytes), else ERR_VERIFY. */
export function ed25519_verify(pk: usize, msg: usize, len: i32, sig: usize): i32 {
  return ed25519Verify(pk, msg, len, sig);
}
