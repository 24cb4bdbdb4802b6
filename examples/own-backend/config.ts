/**
 * The backend's configuration, from the environment. The secret token and the admin key must stay on the
 * server: never ship them to a browser or commit them.
 */
import type { JwtVerifyKey } from "./jwt.js";

export interface BackendConfig {
  /** The sentc API origin: `https://api.sentc.com` or your own server (e.g. `http://127.0.0.1:3002`). */
  sentcBaseUrl: string;
  /** The app's public token (the same one the browser uses). */
  publicToken: string;
  /** The app's secret token: register, delete, the JWT check and every forced action. */
  secretToken: string;
  /** The app's JWT verify keys, as in the app's `jwt_keys` (`id`, `verify_key`). */
  jwtVerifyKeys: JwtVerifyKey[];
  /** The key the admin tools send as `x-admin-key` (stand-in for your real admin login). */
  adminKey: string;
  /** Set `Secure` on the refresh cookie (default true; browsers accept it on https and on localhost). */
  secureCookie?: boolean;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

/**
 * SENTC_BASE_URL, SENTC_PUBLIC_TOKEN, SENTC_SECRET_TOKEN, SENTC_JWT_VERIFY_KEYS (JSON: `[{"id": …,
 * "verify_key": …}]`), ADMIN_KEY, and optionally INSECURE_COOKIE=1 for plain-http hosts other than localhost.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const keys = JSON.parse(required(env, "SENTC_JWT_VERIFY_KEYS")) as unknown;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new Error("SENTC_JWT_VERIFY_KEYS must be a non-empty JSON array");
  const jwtVerifyKeys = keys.map((key: unknown, i) => {
    const { id, verify_key } = (key ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || typeof verify_key !== "string")
      throw new Error(`SENTC_JWT_VERIFY_KEYS[${i}] needs "id" and "verify_key"`);
    return { id, verify_key };
  });
  return {
    sentcBaseUrl: env.SENTC_BASE_URL || "https://api.sentc.com",
    publicToken: required(env, "SENTC_PUBLIC_TOKEN"),
    secretToken: required(env, "SENTC_SECRET_TOKEN"),
    jwtVerifyKeys,
    adminKey: required(env, "ADMIN_KEY"),
    secureCookie: env.INSECURE_COOKIE !== "1",
  };
}
