// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
export { x25519, x25519_base } from "../x25519";
export { ed25519_public_key, ed25519_sign, ed25519_verify } from "../ed25519";
