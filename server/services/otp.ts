/** TOTP as sentc uses it (api.md §4.7): SHA-256, 6 digits, 30 s steps, ±1 step; 32-byte base32 secrets. */
import { Secret, TOTP } from "otpauth";

export const OTP_ALG = "totp_sha256";
export const RECOVERY_KEY_COUNT = 6;

function totp(secretBase32: string): TOTP {
  return new TOTP({ algorithm: "SHA256", digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

/** A new secret, base32 without padding. */
export function newOtpSecret(): string {
  return new Secret({ size: 32 }).base32.replace(/=+$/, "");
}

/**
 * The 30-second time step a code belongs to (within ±1 step of `nowMs`), or null when it is wrong.
 * Callers record the step so that a code is accepted once (see `recordOtpStep` of the store). Never throws.
 * @example const step = totpStep(secret, "123456", Date.now()); // null when wrong
 */
export function totpStep(secretBase32: string, token: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(token)) return null;
  try {
    const delta = totp(secretBase32).validate({ token, timestamp: nowMs, window: 1 });
    return delta === null ? null : Math.floor(nowMs / 30_000) + delta;
  } catch {
    return null;
  }
}

export function verifyTotp(secretBase32: string, token: string, nowMs: number): boolean {
  return totpStep(secretBase32, token, nowMs) !== null;
}

/** The current code (tests and tools). */
export function currentTotp(secretBase32: string, nowMs: number = Date.now()): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
