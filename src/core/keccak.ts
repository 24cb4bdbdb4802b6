import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

function shake(variant: "shake128" | "shake256", data: Uint8Array, outputLength: number): Uint8Array {
  assertBytes(data, "data");
  if (!Number.isSafeInteger(outputLength) || outputLength < 0 || outputLength > 1 << 24) {
    throw invalidInput(`${variant}: outputLength must be an integer in [0, 2^24]`);
  }
  return withArena((arena, core) => {
    const out = arena.reserve(outputLength);
    const input = arena.put(data);
    checkStatus(core[variant](out, outputLength, input, data.length), variant);
    return arena.read(out, outputLength);
  });
}

/** SHAKE128 (FIPS 202 §6.2) of `data`, `outputLength` bytes. */
export function shake128(data: Uint8Array, outputLength: number): Uint8Array {
  return shake("shake128", data, outputLength);
}

/** SHAKE256 (FIPS 202 §6.2) of `data`, `outputLength` bytes. */
export function shake256(data: Uint8Array, outputLength: number): Uint8Array {
  return shake("shake256", data, outputLength);
}
