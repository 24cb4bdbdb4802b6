// The ABI of the crypto core: this file only re-exports. Every export takes and returns numbers
// (pointers into linear memory, lengths, status codes); see docs/core.md. Each area lists its own exports
// in assembly/abi/.
import "./abort";
export { alloc, arena_reset } from "./arena";
export { ct_equal, wipe } from "./ct";
export * from "./abi/hash";
export * from "./abi/argon2";
export * from "./abi/aes_gcm";
export * from "./abi/curve25519";
export * from "./abi/ope";
export * from "./abi/kyber";
export * from "./abi/dilithium";
