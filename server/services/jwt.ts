/**
 * ES384 JWTs (api.md §2.5) with jose: header {typ: "JWT", alg: "ES384", kid}, claims exactly
 * {aud: user id, sub: device id, exp, iat, fresh}, exp = iat + 300 s. Every request validates its JWT
 * again (no result cache). Keys are looked up by kid within the app of the app token only.
 */
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { KeyObject } from "node:crypto";
import { importSignKey, importVerifyKey, isUuid } from "../crypto.js";
import { E } from "../errors.js";
import type { SecretBox } from "../secrets.js";
import type { Store } from "../store/types.js";

export const JWT_LIFETIME_SECONDS = 300;

export interface JwtClaims {
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  fresh: boolean;
}

export class JwtService {
  /** Imported key objects by kid (keys, not validation results). */
  private readonly signKeys = new Map<string, KeyObject>();
  private readonly verifyKeys = new Map<string, KeyObject>();

  constructor(
    private readonly store: Store,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
    /** Opens the stored sign keys (server/secrets.ts); without it they must be stored in plain text. */
    private readonly secrets?: SecretBox,
  ) {}

  async mint(appId: string, userId: string, deviceId: string, fresh: boolean): Promise<string> {
    const key = await this.store.getNewestJwtKey(appId);
    if (!key) throw E.internal();
    let signKey = this.signKeys.get(key.id);
    if (!signKey) {
      signKey = importSignKey(this.secrets ? this.secrets.open(key.signKey, "jwt-sign-key") : key.signKey);
      this.signKeys.set(key.id, signKey);
    }
    const iat = this.nowSeconds();
    const claims: JwtClaims = { aud: userId, sub: deviceId, exp: iat + JWT_LIFETIME_SECONDS, iat, fresh };
    return new SignJWT({ ...claims }).setProtectedHeader({ typ: "JWT", alg: "ES384", kid: key.id }).sign(signKey);
  }

  /**
   * Verifies the signature and the claims. With `allowExpired` (only `PUT /refresh` and `POST /init`) an
   * expired token is accepted, but its signature must still verify.
   */
  async verify(appId: string, token: string, allowExpired: boolean): Promise<JwtClaims> {
    let kid: unknown;
    let alg: unknown;
    try {
      const header = decodeProtectedHeader(token);
      kid = header.kid;
      alg = header.alg;
    } catch {
      throw E.jwtFormat();
    }
    if (typeof kid !== "string" || kid.length === 0) throw E.jwtFormat();
    if (alg !== "ES384") throw E.jwtValidation();
    const key = await this.verifyKeyFor(appId, kid);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ["ES384"],
        typ: "JWT",
        requiredClaims: ["exp", "iat", "aud", "sub"],
        currentDate: new Date(this.nowSeconds() * 1000),
      }));
    } catch (error) {
      // jose checks the signature before the claims: an expired token here has a valid signature.
      if (allowExpired && error instanceof errors.JWTExpired) payload = error.payload;
      else throw E.jwtValidation();
    }
    const { aud, sub, exp, iat, fresh } = payload as Record<string, unknown>;
    if (typeof exp !== "number" || typeof iat !== "number" || typeof fresh !== "boolean") throw E.jwtValidation();
    if (!isUuid(aud) || !isUuid(sub)) throw E.idFormat();
    return { aud, sub, exp, iat, fresh };
  }

  private async verifyKeyFor(appId: string, kid: string): Promise<KeyObject> {
    // The key row is read on every request (a key deleted by app management stops at once in every
    // process); only the imported key object is cached.
    const record = await this.store.getJwtKey(appId, kid);
    if (!record) throw E.jwtKeyNotFound();
    const cacheKey = `${appId}\u0000${kid}`;
    const cached = this.verifyKeys.get(cacheKey);
    if (cached) return cached;
    let key: KeyObject;
    try {
      key = importVerifyKey(record.verifyKey);
    } catch {
      throw E.jwtFormat();
    }
    this.verifyKeys.set(cacheKey, key);
    return key;
  }
}
