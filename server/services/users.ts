/**
 * Users and devices (api.md §3.1, §3.3, §3.4): register, device registration, identifier and password
 * changes, OTP, deletion and the forced (backend) variants.
 */
import { constantTimeEqual, decodeBase64Strict, hashText, newId, randomBase64Url, sha256 } from "../crypto.js";
import { E } from "../errors.js";
import { StoreConflictError, type Cursor, type DeviceRecord, type StoreOps } from "../store/types.js";
import type { JwtUser, ServiceContext } from "./context.js";
import type {
  ChangePasswordInput,
  CreateGroupInput,
  DeviceRegisterInput,
  NewMemberKeyInput,
  NewMemberKeysInput,
  RegisterInput,
  ResetPasswordInput,
} from "./inputs.js";
import { newKeySessionId, requireOpenKeySession } from "./key-sessions.js";
import { newOtpSecret, OTP_ALG, RECOVERY_KEY_COUNT } from "./otp.js";

const SUCCESS = "Success";
export const MAX_KEYS_PER_REQUEST = 100;
/** A pending device registration (`prepare_register_device`) is valid this long (docs/server.md, "Abuse limits"). */
export const PENDING_DEVICE_TTL_MS = 60 * 60 * 1000;

function deviceRecord(
  appId: string,
  input: DeviceRegisterInput,
  userId: string | null,
  time: number,
  registerTokenHash: string | null,
): DeviceRecord {
  return {
    id: newId(),
    userId,
    appId,
    deviceIdentifier: hashText(input.deviceIdentifier),
    time,
    registerTokenHash,
    clientRandomValue: input.derived.clientRandomValue,
    hashedAuthKey: input.derived.hashedAuthenticationKey,
    derivedAlg: input.derived.derivedAlg,
    encryptedMasterKey: input.masterKey.encryptedMasterKey,
    masterKeyAlg: input.masterKey.masterKeyAlg,
    encryptedMasterKeyAlg: input.masterKey.encryptedMasterKeyAlg,
    publicKey: input.derived.publicKey,
    encryptedPrivateKey: input.derived.encryptedPrivateKey,
    keypairEncryptAlg: input.derived.keypairEncryptAlg,
    verifyKey: input.derived.verifyKey,
    encryptedSignKey: input.derived.encryptedSignKey,
    keypairSignAlg: input.derived.keypairSignAlg,
  };
}

/**
 * The identifier's uniqueness is the table's constraint (`ON CONFLICT DO NOTHING`), not a read before the
 * insert: concurrent registrations on PostgreSQL then do not abort each other's SERIALIZABLE transactions.
 */
async function insertDeviceOrConflict(tx: StoreOps, device: DeviceRecord, pendingBefore: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx.insertDevice(device);
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
    // A pending registration created before `pendingBefore` gives way (once); a registered device never.
    if (attempt > 1 || !(await tx.deletePendingDevice(device.appId, device.deviceIdentifier, pendingBefore)))
      throw E.userExists();
  }
}

/** A real registration takes the identifier from any pending one. */
const ANY_PENDING = Number.MAX_SAFE_INTEGER;

function requireUserGroupSignKeys(group: CreateGroupInput): void {
  if (
    group.encryptedSignKey === null ||
    group.verifyKey === null ||
    group.publicKeySig === null ||
    group.keypairSignAlg === null
  )
    throw E.userKeysMissing();
}

/** Creates the user group (type 1) with the device as its only member (rank 0). */
async function createUserGroup(
  tx: StoreOps,
  appId: string,
  deviceId: string,
  group: CreateGroupInput | null,
  time: number,
  groupId = newId(),
): Promise<string> {
  await tx.insertGroup({ id: groupId, appId, parent: null, type: 1, invite: true, isConnectedGroup: false, time });
  await tx.insertMember({ userId: deviceId, groupId, time, rank: 0, keyUploadSessionId: null, type: 0 });
  if (group === null) return groupId;
  const keyId = newId();
  await tx.insertGroupKey({
    id: keyId,
    groupId,
    appId,
    privateKeyPairAlg: group.keypairEncryptAlg,
    encryptedPrivateKey: group.encryptedPrivateGroupKey,
    publicKey: group.publicGroupKey,
    groupKeyAlg: group.groupKeyAlg,
    encryptedEphemeralKey: null,
    encryptedGroupKeyByEphKey: null,
    previousGroupKeyId: null,
    ephemeralAlg: null,
    time,
    encryptedSignKey: group.encryptedSignKey,
    verifyKey: group.verifyKey,
    keypairSignAlg: group.keypairSignAlg,
    signedByUserId: group.signedByUserId,
    signedByUserSignKeyId: group.signedByUserSignKeyId,
    groupKeySig: group.groupKeySig,
    publicKeySig: group.publicKeySig,
    publicKeySigKeyId: keyId,
    verifyKeyCrossSig: null,
    publicGroupKeySig: null,
    publicGroupKeySigUserId: null,
    publicGroupKeySigKeyId: null,
  });
  // The creator key is the device's public key (the reference overwrites creator_public_key_id the same way).
  await tx.insertMemberKeys([
    {
      keyId,
      userId: deviceId,
      groupId,
      encryptedGroupKey: group.encryptedGroupKey,
      encryptedAlg: group.encryptedGroupKeyAlg,
      encryptedGroupKeyKeyId: deviceId,
      time,
    },
  ]);
  await tx.insertHmacKey({
    id: newId(),
    groupId,
    appId,
    encryptedHmacKey: group.encryptedHmacKey,
    encryptedHmacAlg: group.encryptedHmacAlg,
    encryptedHmacEncryptionKeyId: keyId,
    time,
  });
  await tx.insertSortableKey({
    id: newId(),
    groupId,
    appId,
    encryptedSortableKey: group.encryptedSortableKey,
    encryptedSortableAlg: group.encryptedSortableAlg,
    encryptedSortableEncryptionKeyId: keyId,
    time,
  });
  return groupId;
}

/** `POST /exists`. */
export async function identifierAvailable(ctx: ServiceContext, appId: string, identifier: string) {
  return { user_identifier: identifier, available: !(await ctx.store.identifierExists(appId, hashText(identifier))) };
}

/** `POST /register` (group given) and `POST /register_light` (group null). */
export async function register(
  ctx: ServiceContext,
  appId: string,
  device: DeviceRegisterInput,
  group: CreateGroupInput | null,
) {
  if (group) requireUserGroupSignKeys(group);
  return ctx.store.transaction(async (tx) => {
    const time = ctx.now();
    const userId = newId();
    const record = deviceRecord(appId, device, userId, time, null);
    await insertDeviceOrConflict(tx, record, ANY_PENDING);
    // Inserts only (no update of the new user row): nothing for concurrent registrations to conflict on.
    const userGroupId = newId();
    await tx.insertUser({ id: userId, appId, userGroupId, time, otpSecret: null, otpAlg: null });
    await createUserGroup(tx, appId, record.id, group, time, userGroupId);
    return { user_id: userId, device_id: record.id, device_identifier: device.deviceIdentifier };
  });
}

/**
 * `POST /user/prepare_register_device`: a pending device with a one-time token (stored hashed), valid for
 * `PENDING_DEVICE_TTL_MS`. An expired pending device of the identifier is replaced; expired ones of any
 * identifier are removed.
 */
export async function prepareRegisterDevice(ctx: ServiceContext, appId: string, input: DeviceRegisterInput) {
  const token = randomBase64Url(50);
  const now = ctx.now();
  const record = deviceRecord(appId, input, null, now, hashText(token));
  await ctx.store.deletePendingDevicesBefore(now - PENDING_DEVICE_TTL_MS);
  await ctx.store.transaction((tx) => insertDeviceOrConflict(tx, record, now - PENDING_DEVICE_TTL_MS));
  return {
    device_id: record.id,
    token,
    device_identifier: input.deviceIdentifier,
    public_key_string: record.publicKey,
    keypair_encrypt_alg: record.keypairEncryptAlg,
  };
}

export function checkKeyCount(keys: NewMemberKeyInput[]): void {
  if (keys.length === 0) throw E.groupNoKeys();
  if (keys.length > MAX_KEYS_PER_REQUEST) throw E.groupTooManyKeys();
}

export async function insertKeysForMember(
  tx: StoreOps,
  groupId: string,
  memberId: string,
  keys: NewMemberKeyInput[],
  time: number,
): Promise<void> {
  for (const key of keys) if (!(await tx.getGroupKey(groupId, key.keyId))) throw E.groupKeyNotFound();
  await tx.insertMemberKeys(
    keys.map((key) => ({
      keyId: key.keyId,
      userId: memberId,
      groupId,
      encryptedGroupKey: key.encryptedGroupKey,
      encryptedAlg: key.encryptedAlg,
      encryptedGroupKeyKeyId: key.userPublicKeyId,
      time,
    })),
  );
}

/** `PUT /user/done_register_device(_light)`: an existing device adds the pending one to the user group. */
export async function doneRegisterDevice(
  ctx: ServiceContext,
  appId: string,
  user: JwtUser,
  token: string,
  keys: NewMemberKeysInput | null,
  rank: number | null,
) {
  if (keys) checkKeyCount(keys.keys);
  const newRank = rank ?? 4;
  if (!Number.isInteger(newRank) || newRank < 1 || newRank > 4) throw E.groupRank();
  return ctx.store.transaction(async (tx) => {
    const device = await tx.getPendingDeviceByToken(appId, hashText(token), ctx.now() - PENDING_DEVICE_TTL_MS);
    if (!device) throw E.userNotFound("Device was not found for this token");
    const time = ctx.now();
    // Sessions open whenever the client asks for one (the reference only at exactly 100 keys, api.md §7.2).
    const sessionId = keys?.keySession ? newKeySessionId(ctx) : null;
    await tx.insertMember({
      userId: device.id,
      groupId: user.userGroupId,
      time,
      rank: newRank,
      keyUploadSessionId: sessionId,
      type: 0,
    });
    if (keys) await insertKeysForMember(tx, user.userGroupId, device.id, keys.keys, time);
    await tx.confirmDevice(device.id, user.userId);
    if (!keys) return SUCCESS;
    return { ...(sessionId ? { session_id: sessionId } : {}), message: "This device was added to the account." };
  });
}

/**
 * `PUT /user/user_keys/session/:key_session_id`: more keys for a device added with a key session, within 24 hours
 * of the device's registration (the reference's sessions never expire, api.md §7.16).
 * @throws ApiError 400/303/305 for 0 or more than 100 keys, 400/306 for an unknown or expired session.
 * @example await uploadDeviceKeys(ctx, user, sessionId, keys);
 */
export async function uploadDeviceKeys(
  ctx: ServiceContext,
  user: JwtUser,
  sessionId: string,
  keys: NewMemberKeyInput[],
) {
  checkKeyCount(keys);
  return ctx.store.transaction(async (tx) => {
    const member = await tx.findMemberBySession(user.userGroupId, sessionId);
    if (!member) throw E.groupKeySession();
    requireOpenKeySession(ctx, sessionId, member.time);
    await insertKeysForMember(tx, user.userGroupId, member.userId, keys, ctx.now());
    return SUCCESS;
  });
}

/** `GET /user/device/:t/:id` (the stored identifier hash, as the reference). */
export async function listDevices(ctx: ServiceContext, user: JwtUser, cursor: Cursor) {
  const devices = await ctx.store.listDevices(user.userId, cursor);
  return devices.map((d) => ({ device_id: d.id, time: d.time, device_identifier: d.deviceIdentifier }));
}

/** `PUT /user`: a new identifier for the JWT's device. */
export async function updateIdentifier(ctx: ServiceContext, appId: string, user: JwtUser, identifier: string) {
  return ctx.store.transaction(async (tx) => {
    const hashed = hashText(identifier);
    if (await tx.identifierExists(appId, hashed)) throw E.userExists();
    try {
      await tx.updateDeviceIdentifier(user.deviceId, hashed);
    } catch (error) {
      if (error instanceof StoreConflictError) throw E.userExists();
      throw error;
    }
    return SUCCESS;
  });
}

/** `DELETE /user/device/:device_id` (fresh JWT). */
export async function deleteDevice(ctx: ServiceContext, appId: string, user: JwtUser, deviceId: string) {
  return ctx.store.transaction(async (tx) => {
    const device = await tx.getDevice(appId, deviceId);
    if (!device || device.userId !== user.userId) throw E.userNotFound("Device not found");
    if ((await tx.listDeviceIds(user.userId)).length <= 1) throw E.lastDevice();
    await tx.deleteDevice(deviceId);
    return SUCCESS;
  });
}

/**
 * `DELETE /user` and the forced variants: the user, its devices, user group and memberships; the files
 * that belong to the user and the user's own files outside groups are marked deleted.
 */
export async function deleteUser(ctx: ServiceContext, appId: string, userId: string) {
  return ctx.store.transaction(async (tx) => {
    const user = await tx.getUser(appId, userId);
    if (!user) throw E.userNotFound();
    await tx.markFilesDeletedOf("user", user.id, ctx.now());
    await tx.deleteGroup(user.userGroupId);
    await tx.deleteUser(user.id);
    return SUCCESS;
  });
}

/** `PUT /user/update_pw` (fresh JWT): the old auth key must match the device's stored hash. */
export async function changePassword(
  ctx: ServiceContext,
  appId: string,
  user: JwtUser,
  input: ChangePasswordInput,
  client = "",
) {
  const device = await ctx.store.getDevice(appId, user.deviceId);
  if (!device) throw E.notFresh("No device found for this jwt");
  await ctx.loginLimiter.check(appId, device.deviceIdentifier, client);
  const oldAuthKey = decodeBase64Strict(input.oldAuthKey);
  if (oldAuthKey?.length !== 32) throw E.authKeyFormat();
  const stored = decodeBase64Strict(device.hashedAuthKey);
  if (!stored || !constantTimeEqual(sha256(oldAuthKey).subarray(0, 16), stored)) {
    await ctx.loginLimiter.recordFailure(appId, device.deviceIdentifier, client);
    throw E.login();
  }
  const changed = await ctx.store.changeDevicePassword(device.id, device.hashedAuthKey, {
    clientRandomValue: input.newClientRandomValue,
    hashedAuthKey: input.newHashedAuthenticationKey,
    encryptedMasterKey: input.newEncryptedMasterKey,
    encryptedMasterKeyAlg: input.newEncryptedMasterKeyAlg,
    derivedAlg: input.newDerivedAlg,
  });
  if (!changed) throw E.login();
  // Every session of the user ends at its next refresh (docs/server.md "Sessions").
  await ctx.store.deleteRefreshTokensOfUser(user.userId);
  return SUCCESS;
}

/** `PUT /user/reset_pw`: new password data and a new master key for the JWT's device. */
export async function resetPassword(ctx: ServiceContext, user: JwtUser, input: ResetPasswordInput) {
  const updated = await ctx.store.updateDeviceKeys(user.deviceId, {
    clientRandomValue: input.clientRandomValue,
    hashedAuthKey: input.hashedAuthenticationKey,
    encryptedMasterKey: input.masterKey.encryptedMasterKey,
    masterKeyAlg: input.masterKey.masterKeyAlg,
    encryptedMasterKeyAlg: input.masterKey.encryptedMasterKeyAlg,
    derivedAlg: input.derivedAlg,
    encryptedPrivateKey: input.encryptedPrivateKey,
    encryptedSignKey: input.encryptedSignKey,
  });
  if (!updated) throw E.userNotFound("No keys to update");
  await ctx.store.deleteRefreshTokensOfUser(user.userId);
  return SUCCESS;
}

/** `PUT /user/reset_pw_light` (secret token): overwrites all key material of a device; silent when unknown. */
export async function resetPasswordLight(ctx: ServiceContext, appId: string, input: DeviceRegisterInput) {
  const device = await ctx.store.getDeviceByIdentifier(appId, hashText(input.deviceIdentifier));
  if (device) {
    const r = deviceRecord(appId, input, device.userId, device.time, null);
    const { id: _id, userId: _u, appId: _a, deviceIdentifier: _d, time: _t, registerTokenHash: _r, ...keys } = r;
    await ctx.store.updateDeviceKeys(device.id, keys);
    if (device.userId) await ctx.store.deleteRefreshTokensOfUser(device.userId);
  }
  return SUCCESS;
}

async function newOtp(ctx: ServiceContext, userId: string) {
  const secret = newOtpSecret();
  const recover = Array.from({ length: RECOVERY_KEY_COUNT }, () => newOtpSecret());
  await ctx.store.transaction(async (tx) => {
    // Older recovery keys go away (the reference keeps accumulating them, api.md §7.15).
    await tx.deleteRecoveryKeys(userId);
    // At rest: the secret and the recovery keys encrypted with the server key, the keys' lookup hash beside.
    await tx.setOtp(userId, ctx.secrets.seal(secret, "otp-secret"), OTP_ALG);
    const rows = recover.map((token) => ({
      id: newId(),
      token: ctx.secrets.seal(token, "otp-recovery-key"),
      tokenHash: hashText(token),
    }));
    await tx.insertRecoveryKeys(userId, rows, ctx.now());
  });
  return { secret, alg: OTP_ALG, recover };
}

/** `PATCH /user/reset_otp` (fresh JWT): a new secret and new recovery keys. */
export const registerOtp = (ctx: ServiceContext, user: JwtUser) => newOtp(ctx, user.userId);

/**
 * `PATCH /user/register_otp` (fresh JWT): refused while OTP is on (400/903), so that a session can never
 * silently replace the secret and the recovery keys; `reset_otp` does that on purpose.
 * @throws ApiError 400/903 while OTP is on, 400/100 for an unknown user.
 * @example const { secret, alg, recover } = await enableOtp(ctx, appId, user);
 */
export async function enableOtp(ctx: ServiceContext, appId: string, user: JwtUser) {
  const record = await ctx.store.getUser(appId, user.userId);
  if (!record) throw E.userNotFound();
  if (record.otpSecret !== null) throw E.otpAlreadyEnabled();
  return newOtp(ctx, user.userId);
}

/** `PATCH /user/disable_otp` and `PUT /user/forced/disable_otp`. */
export async function disableOtp(ctx: ServiceContext, userId: string) {
  await ctx.store.transaction(async (tx) => {
    await tx.deleteRecoveryKeys(userId);
    await tx.setOtp(userId, null, null);
  });
  return SUCCESS;
}

/** `GET /user/otp_recovery_keys`. */
export async function otpRecoveryKeys(ctx: ServiceContext, user: JwtUser) {
  return {
    keys: (await ctx.store.listRecoveryKeys(user.userId)).map((stored) => ctx.secrets.open(stored, "otp-recovery-key")),
  };
}

/** Forced actions name the user by an identifier (api.md §3.4); 400/100 when unknown. */
export async function userIdByIdentifier(ctx: ServiceContext, appId: string, identifier: string): Promise<string> {
  const device = await ctx.store.getDeviceByIdentifier(appId, hashText(identifier));
  if (!device?.userId) throw E.userNotFound();
  return device.userId;
}

/** `DELETE /user/forced/sessions`: every refresh token of the user (JWTs expire within 5 minutes). */
export async function deleteSessions(ctx: ServiceContext, userId: string) {
  await ctx.store.deleteRefreshTokensOfUser(userId);
  return SUCCESS;
}

/** `PUT /user/forced/reset_user`: all devices replaced by one new device, a new user group. */
export async function resetUser(ctx: ServiceContext, appId: string, input: RegisterInput) {
  requireUserGroupSignKeys(input.group);
  return ctx.store.transaction(async (tx) => {
    const old = await tx.getDeviceByIdentifier(appId, hashText(input.device.deviceIdentifier));
    const user = old?.userId ? await tx.getUser(appId, old.userId) : null;
    if (!user) throw E.userNotFound();
    for (const deviceId of await tx.listDeviceIds(user.id)) await tx.deleteDevice(deviceId);
    await tx.deleteGroup(user.userGroupId);
    const time = ctx.now();
    const device = deviceRecord(appId, input.device, user.id, time, null);
    await insertDeviceOrConflict(tx, device, ANY_PENDING);
    // The user names its new group before the group's keys are stored (they are logged as the user's keys).
    const groupId = newId();
    await tx.setUserGroup(user.id, groupId);
    await createUserGroup(tx, appId, device.id, input.group, time, groupId);
    return SUCCESS;
  });
}

/** `GET /user/jwt`: what a customer backend learns from a valid JWT. */
export const jwtInfo = (user: JwtUser) => ({ id: user.userId, device_id: user.deviceId });

/** `PUT /user/forced/delete`. */
export const deleteUserByIdentifier = async (ctx: ServiceContext, appId: string, identifier: string) =>
  deleteUser(ctx, appId, await userIdByIdentifier(ctx, appId, identifier));

/** `PUT /user/forced/disable_otp`. */
export const disableOtpByIdentifier = async (ctx: ServiceContext, appId: string, identifier: string) =>
  disableOtp(ctx, await userIdByIdentifier(ctx, appId, identifier));

/** `DELETE /user/forced/sessions`. */
export const deleteSessionsByIdentifier = async (ctx: ServiceContext, appId: string, identifier: string) =>
  deleteSessions(ctx, await userIdByIdentifier(ctx, appId, identifier));
