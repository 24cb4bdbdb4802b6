/**
 * Login (api.md §3.1, §4.3–§4.5), refresh and init (§3.2), forced login (§3.4).
 *
 * Unlike the reference: unknown identifiers and wrong passwords answer the same 401/112 after the same
 * work, unless the app's public token may call `/exists` (then 401/100 as the reference); failed attempts are
 * limited per identifier; login challenges are stored hashed, expire and are single-use; refresh tokens are stored
 * as SHA-256 hashes.
 */
import { randomBytes } from "node:crypto";
import { SentcError } from "../../src/errors.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import { encryptKeyForPublicKey } from "../../src/protocol/group-create.js";
import { generateSalt } from "../../src/protocol/password.js";
import { publicKeyFromPemText } from "../../src/protocol/public-keys.js";
import { ALG } from "../../src/protocol/algorithms.js";
import { constantTimeEqual, decodeBase64Strict, hashText, randomBase64Url, sha256 } from "../crypto.js";
import { E } from "../errors.js";
import { parseAppOptions } from "../config.js";
import type { AppRecord, DeviceRecord, UserRecord } from "../store/types.js";
import type { JwtUser, ServiceContext } from "./context.js";
import type { AuthInput, OtpInput, VerifyLoginInput } from "./inputs.js";
import { deviceKeysOut, forcedDeviceKeysOut, groupUserKeysOut, hmacKeyOut } from "./outputs.js";
import { totpStep } from "./otp.js";

/** sentc's fake client random value for unknown identifiers (api.md §4.3). */
export const SERVER_RANDOM_VALUE = "zx4AKPCMHkeZnh21ciQ62w==";
const PAGE = 50;
/** Compared against when the identifier is unknown, so both paths do the same work. */
const DUMMY_HASH = randomBytes(16);

/** `POST /prepare_login`: the salt of a known identifier, or sentc's stable fake salt. */
export async function prepareLogin(ctx: ServiceContext, appId: string, identifier: string) {
  const device = await ctx.store.getDeviceByIdentifier(appId, hashText(identifier));
  if (!device) {
    return {
      salt_string: Buffer.from(generateSalt(fromBase64(SERVER_RANDOM_VALUE), identifier)).toString("base64"),
      derived_encryption_key_alg: ALG.argon2,
    };
  }
  const clientRandomValue = decodeBase64Strict(device.clientRandomValue);
  if (!clientRandomValue || device.derivedAlg !== ALG.argon2) throw E.saltError();
  return {
    salt_string: Buffer.from(generateSalt(clientRandomValue)).toString("base64"),
    derived_encryption_key_alg: device.derivedAlg,
  };
}

interface Authenticated {
  device: DeviceRecord;
  user: UserRecord;
  hashedIdentifier: string;
}

/** The auth-key check (api.md §4.4), identical for unknown identifiers and wrong keys. */
export async function authenticate(
  ctx: ServiceContext,
  appId: string,
  input: AuthInput,
  revealUnknown = false,
  client = "",
): Promise<Authenticated> {
  const hashedIdentifier = hashText(input.deviceIdentifier);
  await ctx.loginLimiter.check(appId, hashedIdentifier, client);
  const authKey = decodeBase64Strict(input.authKey);
  if (authKey?.length !== 32) throw E.authKeyFormat();
  const device = await ctx.store.getDeviceByIdentifier(appId, hashedIdentifier);
  const user = await ctx.store.getUser(appId, device?.userId ?? "");
  const stored = device ? decodeBase64Strict(device.hashedAuthKey) : null;
  const matches = constantTimeEqual(
    sha256(authKey).subarray(0, 16),
    stored && stored.length === 16 ? stored : DUMMY_HASH,
  );
  if (!matches || !device || !user || !stored) {
    await ctx.loginLimiter.recordFailure(appId, hashedIdentifier, client);
    // As the reference (401/100) when the app's public token may ask /exists anyway; else the same 112.
    if (revealUnknown && !device) throw E.loginUserNotFound();
    throw E.login();
  }
  return { device, user, hashedIdentifier };
}

const lastChallengeCleanup = new WeakMap<ServiceContext, number>();

/** `DoneLoginServerOutput`: the device keys and a new challenge encrypted to the device public key. */
async function challengeOutput(ctx: ServiceContext, appId: string, device: DeviceRecord, user: UserRecord) {
  const challenge = randomBase64Url(50);
  let encrypted: string;
  try {
    encrypted = encryptKeyForPublicKey(
      publicKeyFromPemText(device.publicKey, device.keypairEncryptAlg, device.id),
      new TextEncoder().encode(challenge),
    );
  } catch (error) {
    if (error instanceof SentcError) throw E.challenge();
    throw error;
  }
  const now = ctx.now();
  await ctx.store.insertChallenge(appId, device.id, hashText(challenge), now);
  if (now - (lastChallengeCleanup.get(ctx) ?? 0) > 60_000) {
    lastChallengeCleanup.set(ctx, now);
    await ctx.store.deleteChallengesBefore(now - ctx.challengeTtlMs);
  }
  return { device_keys: deviceKeysOut(device, user), challenge: encrypted };
}

/**
 * Whether login answers tell an unknown identifier (401/100, as the reference) from a wrong password
 * (401/112): only when the app lets the public token call `/exists`, which reveals the same. Never throws.
 * @example auth.doneLogin(ctx, appId, input, revealsUnknownIdentifiers(app));
 */
export function revealsUnknownIdentifiers(app: AppRecord): boolean {
  return parseAppOptions(app.options).user_exists === 1;
}

/** `POST /done_login` → `"Otp"` or `{Direct: DoneLoginServerOutput}`; `client` is the caller's address. */
export async function doneLogin(
  ctx: ServiceContext,
  appId: string,
  input: AuthInput,
  revealUnknown = false,
  client = "",
) {
  const { device, user } = await authenticate(ctx, appId, input, revealUnknown, client);
  if (user.otpSecret !== null) return "Otp";
  return { Direct: await challengeOutput(ctx, appId, device, user) };
}

/** `POST /validate_mfa`. */
export async function validateMfa(
  ctx: ServiceContext,
  appId: string,
  input: OtpInput,
  revealUnknown = false,
  client = "",
) {
  const { device, user, hashedIdentifier } = await authenticate(ctx, appId, input, revealUnknown, client);
  if (user.otpSecret === null) throw E.otpNotFound();
  const step = totpStep(ctx.secrets.open(user.otpSecret, "otp-secret"), input.token, ctx.now());
  // A code is accepted once: a replay within its window (or an older code) is a wrong code.
  if (step === null || !(await ctx.store.recordOtpStep(user.id, step))) {
    await ctx.loginLimiter.recordFailure(appId, hashedIdentifier, client);
    throw E.otpWrong();
  }
  return challengeOutput(ctx, appId, device, user);
}

/** `POST /validate_recovery_otp`: a recovery key works once. */
export async function validateRecoveryOtp(
  ctx: ServiceContext,
  appId: string,
  input: OtpInput,
  revealUnknown = false,
  client = "",
) {
  const { device, user, hashedIdentifier } = await authenticate(ctx, appId, input, revealUnknown, client);
  if (!(await ctx.store.consumeRecoveryKey(user.id, hashText(input.token)))) {
    await ctx.loginLimiter.recordFailure(appId, hashedIdentifier, client);
    throw E.otpNotFound("Recovery token not found");
  }
  return challengeOutput(ctx, appId, device, user);
}

async function issueTokens(ctx: ServiceContext, appId: string, user: UserRecord, device: DeviceRecord) {
  const refreshToken = randomBase64Url(50);
  await ctx.store.insertRefreshToken(appId, device.id, hashText(refreshToken), ctx.now());
  return { jwt: await ctx.jwt.mint(appId, user.id, device.id, true), refresh_token: refreshToken };
}

async function verifyOutput(ctx: ServiceContext, appId: string, user: UserRecord, device: DeviceRecord) {
  const cursor = { time: 0, id: "", limit: PAGE };
  const keys = await ctx.store.listMemberKeys(user.userGroupId, device.id, cursor);
  const hmac = await ctx.store.listHmacKeys(user.userGroupId, cursor);
  const tokens = await issueTokens(ctx, appId, user, device);
  return { user_keys: keys.map(groupUserKeysOut), hmac_keys: hmac.map(hmacKeyOut), ...tokens };
}

/** `POST /verify_login` and `/verify_login_light`: the decrypted challenge proves the device key. */
export async function verifyLogin(
  ctx: ServiceContext,
  appId: string,
  input: VerifyLoginInput,
  light: boolean,
  revealUnknown = false,
  client = "",
) {
  const { device, user, hashedIdentifier } = await authenticate(ctx, appId, input, revealUnknown, client);
  const valid = await ctx.store.consumeChallenge(
    appId,
    device.id,
    hashText(input.challenge),
    ctx.now() - ctx.challengeTtlMs,
  );
  if (!valid) {
    await ctx.loginLimiter.recordFailure(appId, hashedIdentifier, client);
    throw E.login();
  }
  // A complete login: this client is known-good for the identifier (docs/server.md "Failed logins").
  await ctx.loginLimiter.recordSuccess(appId, hashedIdentifier, client);
  return light ? issueTokens(ctx, appId, user, device) : verifyOutput(ctx, appId, user, device);
}

/** `POST /user/forced/login(_light)`: a backend logs a user in without the password. */
export async function forcedLogin(ctx: ServiceContext, appId: string, identifier: string, light: boolean) {
  const device = await ctx.store.getDeviceByIdentifier(appId, hashText(identifier));
  const user = device?.userId ? await ctx.store.getUser(appId, device.userId) : null;
  if (!device || !user) throw E.login();
  const verify = light ? await issueTokens(ctx, appId, user, device) : await verifyOutput(ctx, appId, user, device);
  return { device_keys: forcedDeviceKeysOut(device, user), verify };
}

/**
 * The refresh token must exist for the JWT's device and have been used (or issued) within its idle
 * lifetime; the JWT itself may be expired, but not older than that lifetime (docs/server.md "Sessions").
 */
async function checkRefreshToken(
  ctx: ServiceContext,
  appId: string,
  user: JwtUser,
  refreshToken: string,
): Promise<string> {
  const now = ctx.now();
  const notBefore = now - ctx.refreshTokenIdleMs;
  if (user.issuedAtMs < notBefore) throw E.jwtValidation();
  if (!(await ctx.store.useRefreshToken(appId, user.deviceId, hashText(refreshToken), notBefore, now)))
    throw E.refreshToken();
  return ctx.jwt.mint(appId, user.userId, user.deviceId, false);
}

/**
 * `PUT /refresh`. With `rotate` (the header `x-sentc-rotate-refresh-token: 1`, sent by clients that keep the
 * answer's `refresh_token`) the used token is replaced by a new one; reference clients never ask for it.
 * @throws ApiError 400/114 for an unknown or idle token, 401/30 for a JWT older than the idle lifetime.
 * @example await refreshJwt(ctx, appId, user, refreshToken, true); // { user_id, jwt, device_id, refresh_token }
 */
export async function refreshJwt(
  ctx: ServiceContext,
  appId: string,
  user: JwtUser,
  refreshToken: string,
  rotate = false,
) {
  const jwt = await checkRefreshToken(ctx, appId, user, refreshToken);
  if (!rotate) return { user_id: user.userId, jwt, device_id: user.deviceId };
  const next = randomBase64Url(50);
  await ctx.store.transaction(async (tx) => {
    await tx.deleteRefreshToken(hashText(refreshToken));
    await tx.insertRefreshToken(appId, user.deviceId, hashText(next), ctx.now());
  });
  return { user_id: user.userId, jwt, device_id: user.deviceId, refresh_token: next };
}

/** `POST /init`: a new JWT and the first page of pending group invites. */
export async function initUser(ctx: ServiceContext, appId: string, user: JwtUser, refreshToken: string) {
  const jwt = await checkRefreshToken(ctx, appId, user, refreshToken);
  const invites = await ctx.store.listInvitesForUser(appId, user.userId, { time: 0, id: "", limit: PAGE });
  return { jwt, invites: invites.map((i) => ({ group_id: i.groupId, time: i.time })) };
}
