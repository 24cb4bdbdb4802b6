// ABI exports of the kyber area (see docs/core.md). Only numbers cross the boundary.
// AES-256-CTR keystream (the round-3 aes256ctr PRF/XOF shared by Kyber-90s and Dilithium-AES).
export { aes256_ctr_keystream } from "../aes256ctr";
// Kyber768-90s, round 3: CCA KEM key generation, encapsulation and decapsulation (randomness from the host).
export { kyber768_keypair, kyber768_encaps, kyber768_decaps } from "../kyber768";
