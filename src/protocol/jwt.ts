/**
 * Reading sentc's JWT claims on the client (spec crypto.md §6.8): exactly three parts, a strict base64url
 * middle part holding `{aud, sub, exp, iat, fresh}`. The signature is not checked here: the server checks
 * it; the client only needs the expiry and ids.
 */
import { invalidFormat } from "../errors.js";
import { fromBase64Url } from "./encoding.js";
import { isRecord, parseJson } from "./json.js";

export interface JwtClaims {
  /** The user id. */
  aud: string;
  /** The device id. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
  fresh: boolean;
}

export function decodeJwt(jwt: string): JwtClaims {
  if (typeof jwt !== "string") throw invalidFormat("jwt: expected a string", { reference: 1100 });
  const parts = jwt.split(".");
  if (parts.length !== 3) throw invalidFormat("jwt: expected three dot-separated parts", { reference: 1100 });
  let claims: unknown;
  try {
    claims = parseJson(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(parts[1]!)), "jwt claims");
  } catch (cause) {
    throw invalidFormat("jwt: the claims are not base64url JSON", { cause, reference: 1101 });
  }
  if (
    !isRecord(claims) ||
    typeof claims.aud !== "string" ||
    typeof claims.sub !== "string" ||
    typeof claims.exp !== "number" ||
    typeof claims.iat !== "number" ||
    typeof claims.fresh !== "boolean"
  ) {
    throw invalidFormat("jwt: claims must hold aud, sub, exp, iat and fresh", { reference: 1101 });
  }
  return { aud: claims.aud, sub: claims.sub, exp: claims.exp, iat: claims.iat, fresh: claims.fresh };
}
