/** sentc's algorithm identifier strings (spec crypto.md §2). */
export const ALG = {
  aesGcm: "AES-GCM-256",
  ecies: "ECIES-ed25519",
  kyber: "KYBER_768",
  eciesKyberHybrid: "ECIES-ed25519_KYBER_768",
  ed25519: "ED25519",
  dilithium: "DILITHIUM_3",
  ed25519DilithiumHybrid: "ED25519_DILITHIUM_3",
  hmacSha256: "HMAC-SHA256",
  ope: "OPE-16",
  argon2: "ARGON-2-SHA256",
} as const;

export type AsymmetricAlg = typeof ALG.ecies | typeof ALG.kyber | typeof ALG.eciesKyberHybrid;
export type SignAlg = typeof ALG.ed25519 | typeof ALG.dilithium | typeof ALG.ed25519DilithiumHybrid;

/** Signature lengths by sign alg (crypto.md §5, decrypt step 2): what to strip when not verifying. */
export const SIGNATURE_LENGTH: Record<SignAlg, number> = {
  [ALG.ed25519]: 64,
  [ALG.dilithium]: 3293,
  [ALG.ed25519DilithiumHybrid]: 64 + 3293,
};

/** Sizes of the post-quantum key parts (crypto.md §3.7), needed to parse hybrid exports. */
export const PQ_SIZES = {
  kyberPublicKey: 1184,
  kyberSecretKey: 2400,
  kyberCiphertext: 1088,
  dilithiumPublicKey: 1952,
  dilithiumSecretKey: 4000,
  dilithiumSignature: 3293,
} as const;

/** The placeholder key id sentc uses before the server assigns one (crypto.md §2). */
export const NON_REGISTERED_KEY_ID = "non_registered";
