// Status codes returned by every exported function that can fail. 0 is success; the host maps each code
// to a SentcError code (src/core/status.ts). Keep both lists in the same order.

// @ts-ignore: decorator
@inline export const OK: i32 = 0;
/** An argument is out of the accepted range (length, parameter, size). */
// @ts-ignore: decorator
@inline export const ERR_INVALID_INPUT: i32 = 1;
/** Authentication failed: AEAD tag mismatch, bad signature, all-zero shared secret. */
// @ts-ignore: decorator
@inline export const ERR_VERIFY: i32 = 2;
/** The arena could not reserve the memory a call needs. */
// @ts-ignore: decorator
@inline export const ERR_OUT_OF_MEMORY: i32 = 3;
