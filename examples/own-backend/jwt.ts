/**
 * Offline verification of the JWTs sentc issues for the app's users: ES384, header `{typ: "JWT", alg:
 * "ES384", kid}`, claims `{aud: user id, sub: device id, exp, iat, fresh}`. The verify keys are the app's
 * `jwt_keys[].verify_key` (a raw uncompressed P-384 point, base64), as in the server's app config; the
 * header's `kid` picks the key.
 */
import { importJWK, jwtVerify, type JWTHeaderParameters } from "jose";

export interface JwtVerifyKey {
  /** The key id (`kid`). */
  id: string;
  /** Base64 of the raw point `0x04 ‖ X ‖ Y` (97 bytes). */
  verify_key: string;
}

/** Who a valid JWT belongs to. */
export interface JwtUser {
  userId: string;
  deviceId: string;
  /** True right after a login with the password (sentc requires it for deletes and password changes). */
  fresh: boolean;
  /** Expiry, seconds since 1970. */
  exp: number;
}

export class JwtVerificationError extends Error {}

function jwkOf(rawBase64: string): { kty: "EC"; crv: "P-384"; x: string; y: string } {
  const raw = Buffer.from(rawBase64, "base64");
  if (raw.length !== 97 || raw[0] !== 4) throw new Error("not a raw uncompressed P-384 point (97 bytes, base64)");
  return {
    kty: "EC",
    crv: "P-384",
    x: raw.subarray(1, 49).toString("base64url"),
    y: raw.subarray(49).toString("base64url"),
  };
}

/** Imports the app's verify keys once; `verify(jwt)` then checks signature, `kid`, `typ` and expiry. */
export async function createJwtVerifier(keys: JwtVerifyKey[]): Promise<(jwt: string) => Promise<JwtUser>> {
  const byId = new Map<string, CryptoKey>();
  for (const key of keys) {
    try {
      byId.set(key.id, (await importJWK(jwkOf(key.verify_key), "ES384")) as CryptoKey);
    } catch (error) {
      throw new Error(`JWT verify key ${key.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const keyFor = (header: JWTHeaderParameters): CryptoKey => {
    const key = header.kid === undefined ? undefined : byId.get(header.kid);
    if (!key) throw new JwtVerificationError("unknown key id");
    return key;
  };
  return async (jwt) => {
    try {
      const { payload } = await jwtVerify(jwt, keyFor, {
        algorithms: ["ES384"],
        typ: "JWT",
        requiredClaims: ["aud", "sub", "exp", "iat"],
      });
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (typeof aud !== "string" || typeof payload.sub !== "string")
        throw new JwtVerificationError("aud and sub must be strings");
      return { userId: aud, deviceId: payload.sub, fresh: payload.fresh === true, exp: payload.exp! };
    } catch (error) {
      if (error instanceof JwtVerificationError) throw error;
      throw new JwtVerificationError(error instanceof Error ? error.message : "invalid JWT");
    }
  };
}
