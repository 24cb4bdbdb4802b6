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

export function verifyTotp(secretBase32: string, token: string, nowMs: number): boolean {
  if (!/^\d{6}$/.test(token)) return false;
  try {
    return totp(secretBase32).validate({ token, timestamp: nowMs, window: 1 }) !== null;
  } catch {
    return false;
  }
}

/** The current code (tests and tools). */
export function currentTotp(secretBase32: string, nowMs: number = Date.now()): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
