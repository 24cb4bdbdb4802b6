import { SentcError, type ClientErrorCode } from "../errors.js";

/** Status codes of assembly/status.ts, in the same order. */
const STATUS_CODES: readonly ClientErrorCode[] = ["invalid_input", "verification_failed", "out_of_memory"];

/** Throws the SentcError that matches a non-zero core status; returns for 0. */
export function checkStatus(status: number, what: string): void {
  if (status === 0) return;
  const code = STATUS_CODES[status - 1] ?? "invalid_input";
  throw new SentcError(code, `${what}: ${code.replace(/_/g, " ")}`);
}
