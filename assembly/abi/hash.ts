// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
export { SHA256_STATE_BYTES, sha256, sha256_init, sha256_update, sha256_final } from "../sha256";
export { SHA512_STATE_BYTES, sha512, sha512_init, sha512_update, sha512_final } from "../sha512";
export { hmac_sha256, hmac_sha512 } from "../hmac";
export { hkdf_sha256 } from "../hkdf";
