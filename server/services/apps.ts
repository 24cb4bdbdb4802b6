/**
 * Apps and their tokens (api.md §2): token lookup, the per-endpoint option check, JWT authentication of a
 * request, and seeding apps from the config (or a default app on a new database).
 */
import {
  DEFAULT_FILE_OPTIONS,
  DEFAULT_GROUP_OPTIONS,
  defaultAppOptions,
  parseAppOptions,
  parseRequireDeviceProof,
  type AppConfig,
  type AppOptionName,
  type AppOptions,
} from "../config.js";
import { verifyDeviceProof } from "../../src/protocol/device-proof.js";
import { verifyKeyFromPemText } from "../../src/protocol/public-keys.js";
import { generateEs384KeyPair, hashAppToken, newId, randomBase64, verifyKeyOf } from "../crypto.js";
import { E } from "../errors.js";
import type { AppRecord, TokenKind } from "../store/types.js";
import type { JwtUser, ServiceContext } from "./context.js";
import { requireValidSignature } from "./signature-check.js";

export interface AuthenticatedApp {
  app: AppRecord;
  kind: TokenKind;
  options: AppOptions;
  /** The device-secret proof on sensitive routes (default on). */
  requireDeviceProof: boolean;
}

/** The `x-sentc-app-token` check (api.md §1.6 step 1). */
export async function resolveAppToken(ctx: ServiceContext, token: string | undefined): Promise<AuthenticatedApp> {
  if (token === undefined || token.length === 0) throw E.appTokenNotFound();
  const hash = hashAppToken(token);
  if (hash === null) throw E.appTokenFormat();
  const found = await ctx.store.getAppByTokenHash(hash);
  if (!found) throw E.appTokenNotFound();
  if (found.app.disabled) throw E.appDisabled();
  return {
    app: found.app,
    kind: found.kind,
    options: parseAppOptions(found.app.options),
    requireDeviceProof: parseRequireDeviceProof(found.app.options),
  };
}

/** "forced" = sentc's ForceServer endpoints (always the secret token); null = no option check. */
export type EndpointAccess = AppOptionName | "forced" | null;

/** `check_endpoint_with_app_options` (api.md §2.3): 0 blocked, 1 public or secret, 2 secret only. */
export function checkEndpoint(auth: AuthenticatedApp, access: EndpointAccess): void {
  if (access === null) return;
  const level = access === "forced" ? 2 : auth.options[access];
  if (level === 0 || (level === 2 && auth.kind !== "secret")) throw E.appAction();
}

/** Validates a JWT (api.md §2.5.3) and loads the user and device it names. */
export async function authenticateJwt(
  ctx: ServiceContext,
  appId: string,
  authorization: string | undefined,
  allowExpired: boolean,
): Promise<JwtUser> {
  if (authorization === undefined || !authorization.startsWith("Bearer ")) throw E.jwtNotFound();
  const claims = await ctx.jwt.verify(appId, authorization.slice("Bearer ".length), allowExpired);
  const user = await ctx.store.getUser(appId, claims.aud);
  if (!user) throw E.userNotFound();
  const device = await ctx.store.getDevice(appId, claims.sub);
  // A deleted device's JWT stops working at once (the reference keeps it valid until exp).
  if (!device || device.userId !== user.id) throw E.notFresh("No device found for this jwt");
  return {
    userId: user.id,
    deviceId: device.id,
    userGroupId: user.userGroupId,
    fresh: claims.fresh,
    issuedAtMs: claims.iat * 1000,
  };
}

/** How far a device proof's time may be from the server's clock. */
export const DEVICE_PROOF_MAX_SKEW_SECONDS = 300;

/**
 * The device-secret proof (src/protocol/device-proof.ts): the request is signed with the sign key of the
 * JWT's device, whose verify key the server stored at registration.
 * @throws ApiError 401/119 when the header is missing, stale, or not signed by that device.
 * @example await requireDeviceProof(ctx, appId, user, { header, method: "PUT", path: "/api/v1/user", body });
 */
export async function requireDeviceProof(
  ctx: ServiceContext,
  appId: string,
  user: JwtUser,
  request: { header: string | undefined; method: string; path: string; body: Uint8Array },
): Promise<void> {
  const device = await ctx.store.getDevice(appId, user.deviceId);
  if (!device || request.header === undefined) throw E.deviceProof();
  const header = request.header;
  requireValidSignature(
    () =>
      verifyDeviceProof(
        verifyKeyFromPemText(device.verifyKey, device.keypairSignAlg, device.id),
        header,
        request.method,
        request.path,
        request.body,
        Math.floor(ctx.now() / 1000),
        DEVICE_PROOF_MAX_SKEW_SECONDS,
      ),
    () => E.deviceProof(),
  );
}

export function requireFresh(user: JwtUser): void {
  if (!user.fresh) throw E.notFresh();
}

function appRecordFromConfig(config: AppConfig, time: number): AppRecord {
  const hashedPublicToken = hashAppToken(config.public_token);
  const hashedSecretToken = hashAppToken(config.secret_token);
  if (hashedPublicToken === null || hashedSecretToken === null)
    throw new Error(`config: the tokens of app ${config.id} must be standard base64`);
  if (hashedPublicToken === hashedSecretToken)
    throw new Error(`config: app ${config.id} uses the same public and secret token`);
  return {
    id: config.id,
    identifier: config.identifier,
    hashedPublicToken,
    hashedSecretToken,
    publicToken: config.public_token,
    // The device-proof switch rides along with sentc's options (only written when relaxed).
    options: JSON.stringify(
      config.require_device_proof === false ? { ...config.options, require_device_proof: false } : config.options,
    ),
    groupOptions: JSON.stringify(config.group_options),
    fileOptions: JSON.stringify(config.file_options),
    disabled: config.disabled,
    time,
  };
}

/** Creates or updates the apps of the config file (tokens, options, JWT keys). Existing users stay. */
export async function applyConfigApps(ctx: ServiceContext, apps: AppConfig[]): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    for (const config of apps) {
      const existing = await tx.getApp(config.id);
      const time = existing?.time ?? ctx.now();
      await tx.upsertApp(appRecordFromConfig(config, time));
      let keyTime = time;
      for (const key of config.jwt_keys) {
        if (verifyKeyOf(key.sign_key) !== key.verify_key)
          throw new Error(`config: jwt key ${key.id} of app ${config.id}: the verify key does not match the sign key`);
        await tx.insertJwtKey({
          id: key.id,
          appId: config.id,
          signKey: ctx.secrets.seal(key.sign_key, "jwt-sign-key"),
          verifyKey: key.verify_key,
          alg: "ES384",
          time: keyTime++,
        });
      }
      if (!(await tx.getNewestJwtKey(config.id))) {
        const pair = generateEs384KeyPair();
        await tx.insertJwtKey({
          id: newId(),
          appId: config.id,
          signKey: ctx.secrets.seal(pair.signKey, "jwt-sign-key"),
          verifyKey: pair.verifyKey,
          alg: "ES384",
          time,
        });
      }
    }
  });
}

export interface DefaultAppInfo {
  appId: string;
  publicToken: string | null;
  /** Only when the app was created by this call; it is stored hashed and never shown again. */
  secretToken?: string;
}

/** Without a config: the first app of the database, created (with sentc's default options) when there is none. */
export async function ensureDefaultApp(ctx: ServiceContext): Promise<DefaultAppInfo> {
  return ctx.store.transaction(async (tx) => {
    const apps = await tx.listApps();
    const first = apps[0];
    if (first) return { appId: first.id, publicToken: first.publicToken };
    const config: AppConfig = {
      id: newId(),
      identifier: "default",
      public_token: randomBase64(30),
      secret_token: randomBase64(50),
      options: defaultAppOptions(),
      group_options: { ...DEFAULT_GROUP_OPTIONS },
      file_options: { ...DEFAULT_FILE_OPTIONS },
      disabled: false,
      require_device_proof: true,
      jwt_keys: [],
    };
    const time = ctx.now();
    await tx.upsertApp(appRecordFromConfig(config, time));
    const pair = generateEs384KeyPair();
    await tx.insertJwtKey({
      id: newId(),
      appId: config.id,
      signKey: ctx.secrets.seal(pair.signKey, "jwt-sign-key"),
      verifyKey: pair.verifyKey,
      alg: "ES384",
      time,
    });
    return { appId: config.id, publicToken: config.public_token, secretToken: config.secret_token };
  });
}
