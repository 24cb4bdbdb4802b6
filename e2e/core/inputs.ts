/** Fixed inputs for the in-browser known-answer run; the expected outputs are computed in Node by peers. */
const bytes = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

export const INPUTS = {
  message: bytes(1000, 1),
  hmacKey: bytes(32, 2),
  hkdf: { ikm: bytes(22, 3), salt: bytes(13, 4), info: bytes(10, 5), length: 42 },
  argon2: { password: bytes(20, 6), salt: bytes(16, 7), memoryKib: 4096, iterations: 3, parallelism: 1, length: 64 },
  aes: { key: bytes(32, 8), nonce: bytes(12, 9), aad: bytes(17, 10) },
  x25519: { alice: bytes(32, 11), bob: bytes(32, 12) },
  ed25519: { seed: bytes(32, 13) },
};
