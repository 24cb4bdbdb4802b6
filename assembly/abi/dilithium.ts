// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
export { shake128, shake256 } from "../keccak";
export { dilithium3_keypair, dilithium3_sign, dilithium3_verify } from "../dilithium3";
