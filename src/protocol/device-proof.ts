/**
 * The device-secret proof of this project's server (docs/server.md "Sessions"): the header
 * `x-sentc-device-signature: <unix seconds>.<base64 signature>`, the signature by the device's sign key
 * (Ed25519, Dilithium or the hybrid, as registered) over
 * `"sentc-device-proof-v1\n" + METHOD + "\n" + path + "\n" + seconds + "\n" + hex(SHA-256(body))`,
 * where `path` is the request path from `/api/v1` on, without the query. The server holds the device's
 * verify key from its registration; a refreshed JWT alone therefore does not pass.
 */
import { sha256 } from "../core/index.js";
import { invalidInput } from "../errors.js";
import { fromBase64, toBase64 } from "./encoding.js";
import type { SignKey, VerifyKey } from "./keys.js";
import { signOnly, verifyOnly } from "./signature.js";

/** The header that carries the proof. */
export const DEVICE_PROOF_HEADER = "x-sentc-device-signature";

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * The bytes a device proof signs.
 * @throws SentcError `invalid_input` for a non-integer time or a path that does not start with `/`.
 * @example deviceProofMessage("PUT", "/api/v1/user", 1700000000, new TextEncoder().encode("{}"));
 */
export function deviceProofMessage(method: string, path: string, seconds: number, body: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw invalidInput("the device proof time must be a non-negative integer of seconds");
  if (typeof path !== "string" || !path.startsWith("/")) throw invalidInput("the device proof path must start with /");
  return new TextEncoder().encode(
    `sentc-device-proof-v1\n${method.toUpperCase()}\n${path}\n${seconds}\n${hex(sha256(body))}`,
  );
}

/**
 * The header value for one request.
 * @throws SentcError `invalid_input` for a bad sign key, time or path.
 * @example const value = createDeviceProof(signKey, "PUT", "/api/v1/user", Math.floor(Date.now() / 1000), body);
 */
export function createDeviceProof(
  signKey: SignKey,
  method: string,
  path: string,
  seconds: number,
  body: Uint8Array,
): string {
  return `${seconds}.${toBase64(signOnly(signKey, deviceProofMessage(method, path, seconds, body)))}`;
}

/**
 * Checks a header value: well formed, within `maxSkewSeconds` of `nowSeconds`, and signed by `verifyKey`.
 * Returns false for anything else (never throws for a bad header).
 * @example verifyDeviceProof(verifyKey, header, "PUT", "/api/v1/user", body, Math.floor(Date.now() / 1000), 300);
 */
export function verifyDeviceProof(
  verifyKey: VerifyKey,
  header: string | undefined,
  method: string,
  path: string,
  body: Uint8Array,
  nowSeconds: number,
  maxSkewSeconds: number,
): boolean {
  if (typeof header !== "string") return false;
  const match = /^(\d{1,12})\.([A-Za-z0-9+/]+={0,2})$/.exec(header);
  if (!match) return false;
  const seconds = Number(match[1]);
  if (Math.abs(nowSeconds - seconds) > maxSkewSeconds) return false;
  try {
    return verifyOnly(verifyKey, fromBase64(match[2]!), deviceProofMessage(method, path, seconds, body));
  } catch {
    return false;
  }
}
