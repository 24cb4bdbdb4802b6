// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
// BLAKE2b (assembly/blake2b.ts) is internal: Argon2id is its only user.
export { argon2id } from "../argon2";
