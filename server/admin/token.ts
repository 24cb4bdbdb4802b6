/**
 * The operator credential of the admin API: an admin token from `SENTC_ADMIN_TOKEN` or a file
 * (`--admin-token-file` / `SENTC_ADMIN_TOKEN_FILE`). It is not an app token; requests send it as
 * `Authorization: Bearer <token>`. It is compared in constant time (SHA-256 of both sides, then
 * `timingSafeEqual`) and never logged.
 */
import { readFileSync } from "node:fs";
import { timingSafeEqual } from "node:crypto";
import { sha256 } from "../crypto.js";

/** Shorter admin tokens are refused at start. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * The admin token from a file (first line, trimmed) or `SENTC_ADMIN_TOKEN`; undefined when neither is set
 * (the admin API is off).
 * @throws Error when the file cannot be read or the token is shorter than 16 characters.
 * @example resolveAdminToken(process.env, options.adminTokenFile);
 */
export function resolveAdminToken(
  env: Record<string, string | undefined>,
  file: string | undefined,
): string | undefined {
  let token: string | undefined;
  let source = "SENTC_ADMIN_TOKEN";
  if (file) {
    source = file;
    try {
      token = readFileSync(file, "utf8").split(/\r?\n/)[0]!.trim();
    } catch (cause) {
      throw new Error(`admin token: cannot read ${file}: ${(cause as Error).message}`);
    }
  } else if (env.SENTC_ADMIN_TOKEN) token = env.SENTC_ADMIN_TOKEN.trim();
  if (token === undefined) return undefined;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    throw new Error(`admin token from ${source} must have at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  return token;
}

/**
 * A constant-time check of presented tokens against the configured one (both hashed first, so that
 * neither the length nor the content leaks through timing).
 * @example const check = adminTokenChecker("…"); check(header); // true | false
 */
export function adminTokenChecker(expected: string): (presented: string | undefined) => boolean {
  const expectedHash = sha256(expected);
  return (presented) => {
    const presentedHash = sha256(presented ?? "");
    return timingSafeEqual(presentedHash, expectedHash) && presented !== undefined;
  };
}
