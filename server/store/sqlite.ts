/**
 * The SQLite store (better-sqlite3, WAL). better-sqlite3 is synchronous and one connection serves every
 * request, so an async mutex serialises access: a transaction holds it from BEGIN to COMMIT, and plain
 * calls wait for it, so they never run inside somebody else's open transaction.
 */
import Database from "better-sqlite3";
import { attachSqliteFileOps } from "./files-sqlite.js";
import type { FilesStoreOps } from "./files-types.js";
import { assertMigrationsApplied, type ConnectionStats } from "./health.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteQueries, type Db, type Row } from "./sqlite-queries.js";
import {
  StoreConflictError,
  type AppRecord,
  type Cursor,
  type DeviceKeyMaterial,
  type DeviceRecord,
  type GroupKeyRecord,
  type GroupRecord,
  type GroupRequestRecord,
  type HmacKeyRecord,
  type JwtKeyRecord,
  type MemberKeyRecord,
  type MemberKeyView,
  type MemberRecord,
  type MembershipView,
  type RotationRecord,
  type RotationView,
  type SortableKeyRecord,
  type Store,
  type StoreOps,
  type TokenKind,
  type UserRecord,
} from "./types.js";


const s = (v: unknown): string => v as string;
const sn = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const n = (v: unknown): number => Number(v);

export function appFromRow(r: Row): AppRecord {
  return {
    id: s(r.id),
    identifier: s(r.identifier),
    hashedPublicToken: s(r.hashed_public_token),
    hashedSecretToken: s(r.hashed_secret_token),
    publicToken: sn(r.public_token),
    options: s(r.options),
    groupOptions: s(r.group_options),
    fileOptions: s(r.file_options),
    disabled: n(r.disabled) !== 0,
    time: n(r.time),
  };
}

export function jwtKeyFromRow(r: Row): JwtKeyRecord {
  return { id: s(r.id), appId: s(r.app_id), signKey: s(r.sign_key), verifyKey: s(r.verify_key), alg: s(r.alg), time: n(r.time) };
}

export function userFromRow(r: Row): UserRecord {
  return { id: s(r.id), appId: s(r.app_id), userGroupId: s(r.user_group_id), time: n(r.time), otpSecret: sn(r.otp_secret), otpAlg: sn(r.otp_alg) };
}

export const DEVICE_COLUMNS: Array<[keyof DeviceKeyMaterial, string]> = [
  ["clientRandomValue", "client_random_value"],
  ["hashedAuthKey", "hashed_auth_key"],
  ["derivedAlg", "derived_alg"],
  ["encryptedMasterKey", "encrypted_master_key"],
  ["masterKeyAlg", "master_key_alg"],
  ["encryptedMasterKeyAlg", "encrypted_master_key_alg"],
  ["publicKey", "public_key"],
  ["encryptedPrivateKey", "encrypted_private_key"],
  ["keypairEncryptAlg", "keypair_encrypt_alg"],
  ["verifyKey", "verify_key"],
  ["encryptedSignKey", "encrypted_sign_key"],
  ["keypairSignAlg", "keypair_sign_alg"],
];

export function deviceFromRow(r: Row): DeviceRecord {
  const device = {
    id: s(r.id),
    userId: sn(r.user_id),
    appId: s(r.app_id),
    deviceIdentifier: s(r.device_identifier),
    time: n(r.time),
    registerTokenHash: sn(r.register_token_hash),
  } as DeviceRecord;
  for (const [field, column] of DEVICE_COLUMNS) device[field] = s(r[column]);
  return device;
}

export function groupFromRow(r: Row): GroupRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    parent: sn(r.parent),
    type: n(r.type),
    invite: n(r.invite) !== 0,
    isConnectedGroup: n(r.is_connected_group) !== 0,
    time: n(r.time),
  };
}

export const GROUP_KEY_COLUMNS: Array<[keyof GroupKeyRecord, string]> = [
  ["id", "id"],
  ["groupId", "group_id"],
  ["appId", "app_id"],
  ["privateKeyPairAlg", "private_key_pair_alg"],
  ["encryptedPrivateKey", "encrypted_private_key"],
  ["publicKey", "public_key"],
  ["groupKeyAlg", "group_key_alg"],
  ["encryptedEphemeralKey", "encrypted_ephemeral_key"],
  ["encryptedGroupKeyByEphKey", "encrypted_group_key_by_eph_key"],
  ["previousGroupKeyId", "previous_group_key_id"],
  ["ephemeralAlg", "ephemeral_alg"],
  ["time", "time"],
  ["encryptedSignKey", "encrypted_sign_key"],
  ["verifyKey", "verify_key"],
  ["keypairSignAlg", "keypair_sign_alg"],
  ["signedByUserId", "signed_by_user_id"],
  ["signedByUserSignKeyId", "signed_by_user_sign_key_id"],
  ["groupKeySig", "group_key_sig"],
  ["publicKeySig", "public_key_sig"],
  ["publicKeySigKeyId", "public_key_sig_key_id"],
];

export function groupKeyFromRow(r: Row, prefix = ""): GroupKeyRecord {
  const key = {} as Record<string, unknown>;
  for (const [field, column] of GROUP_KEY_COLUMNS) {
    const value = r[prefix + column];
    key[field] = field === "time" ? n(value) : value === undefined ? null : value;
  }
  return key as unknown as GroupKeyRecord;
}

export function memberFromRow(r: Row): MemberRecord {
  return {
    userId: s(r.user_id),
    groupId: s(r.group_id),
    time: n(r.time),
    rank: n(r.rank),
    keyUploadSessionId: sn(r.key_upload_session_id),
    type: n(r.type),
  };
}

export function requestFromRow(r: Row): GroupRequestRecord {
  return {
    userId: s(r.user_id),
    groupId: s(r.group_id),
    type: n(r.type),
    time: n(r.time),
    keyUploadSessionId: sn(r.key_upload_session_id),
    userType: n(r.user_type),
    newUserRank: n(r.new_user_rank),
  };
}

export function sortableKeyFromRow(r: Row): SortableKeyRecord {
  return {
    id: s(r.id),
    groupId: s(r.group_id),
    appId: s(r.app_id),
    encryptedSortableKey: s(r.encrypted_sortable_key),
    encryptedSortableAlg: s(r.encrypted_sortable_alg),
    encryptedSortableEncryptionKeyId: s(r.encrypted_sortable_encryption_key_id),
    time: n(r.time),
  };
}

export function memberKeyFromRow(r: Row): MemberKeyRecord {
  return {
    keyId: s(r.mk_k_id),
    userId: s(r.mk_user_id),
    groupId: s(r.mk_group_id),
    encryptedGroupKey: s(r.mk_encrypted_group_key),
    encryptedAlg: s(r.mk_encrypted_alg),
    encryptedGroupKeyKeyId: s(r.mk_encrypted_group_key_key_id),
    time: n(r.mk_time),
  };
}

export const GK_SELECT = GROUP_KEY_COLUMNS.map(([, c]) => `k.${c} AS k_${c}`).join(", ");
export const MK_SELECT = ["k_id", "user_id", "group_id", "encrypted_group_key", "encrypted_alg", "encrypted_group_key_key_id", "time"]
  .map((c) => `m.${c} AS mk_${c}`)
  .join(", ");

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT") && code !== "SQLITE_CONSTRAINT_NOTNULL";
}

/** The queries; every method runs synchronously on the connection it is given. */
// The file and sym-key queries live in files-sqlite.ts and are attached to the instance.
interface SqliteOps extends FilesStoreOps {}

class SqliteOps extends SqliteQueries implements StoreOps {
  /** Ascending cursor page (api.md §1.7) over `base` (which ends in a WHERE clause) on columns t, id. */
  private pageAsc(base: string, t: string, id: string, c: Cursor, ...args: unknown[]): Row[] {
    if (c.time === 0) return this.all(`${base} ORDER BY ${t}, ${id} LIMIT ?`, ...args, c.limit);
    return this.all(`${base} AND ${t} >= ? AND (${t} > ? OR (${t} = ? AND ${id} > ?)) ORDER BY ${t}, ${id} LIMIT ?`, ...args, c.time, c.time, c.time, c.id, c.limit);
  }
  /** Descending cursor page ("older than"). */
  private pageDesc(base: string, t: string, id: string, c: Cursor, ...args: unknown[]): Row[] {
    if (c.time === 0) return this.all(`${base} ORDER BY ${t} DESC, ${id} LIMIT ?`, ...args, c.limit);
    return this.all(`${base} AND ${t} <= ? AND (${t} < ? OR (${t} = ? AND ${id} > ?)) ORDER BY ${t} DESC, ${id} LIMIT ?`, ...args, c.time, c.time, c.time, c.id, c.limit);
  }

  // ---- apps
  async getAppByTokenHash(hash: string): Promise<{ app: AppRecord; kind: TokenKind } | null> {
    const r = this.get("SELECT * FROM apps WHERE hashed_public_token = ? OR hashed_secret_token = ?", hash, hash);
    if (!r) return null;
    const app = appFromRow(r);
    return { app, kind: app.hashedSecretToken === hash ? "secret" : "public" };
  }
  async getApp(appId: string): Promise<AppRecord | null> {
    const r = this.get("SELECT * FROM apps WHERE id = ?", appId);
    return r ? appFromRow(r) : null;
  }
  async listApps(): Promise<AppRecord[]> {
    return this.all("SELECT * FROM apps ORDER BY time, id").map(appFromRow);
  }
  async upsertApp(a: AppRecord): Promise<void> {
    try {
      this.run(
        `INSERT INTO apps (id, identifier, hashed_public_token, hashed_secret_token, public_token, options, group_options, file_options, disabled, time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET identifier = excluded.identifier, hashed_public_token = excluded.hashed_public_token,
           hashed_secret_token = excluded.hashed_secret_token, public_token = excluded.public_token, options = excluded.options,
           group_options = excluded.group_options, file_options = excluded.file_options, disabled = excluded.disabled`,
        a.id, a.identifier, a.hashedPublicToken, a.hashedSecretToken, a.publicToken, a.options, a.groupOptions, a.fileOptions, a.disabled ? 1 : 0, a.time,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError("an app token is already used by another app");
      throw error;
    }
  }
  async insertJwtKey(k: JwtKeyRecord): Promise<void> {
    this.run(
      `INSERT INTO app_jwt_keys (id, app_id, sign_key, verify_key, alg, time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sign_key = excluded.sign_key, verify_key = excluded.verify_key, alg = excluded.alg`,
      k.id, k.appId, k.signKey, k.verifyKey, k.alg, k.time,
    );
  }
  async getJwtKey(appId: string, keyId: string): Promise<JwtKeyRecord | null> {
    const r = this.get("SELECT * FROM app_jwt_keys WHERE id = ? AND app_id = ?", keyId, appId);
    return r ? jwtKeyFromRow(r) : null;
  }
  async getNewestJwtKey(appId: string): Promise<JwtKeyRecord | null> {
    const r = this.get("SELECT * FROM app_jwt_keys WHERE app_id = ? ORDER BY time DESC, id DESC LIMIT 1", appId);
    return r ? jwtKeyFromRow(r) : null;
  }

  // ---- users and devices
  async identifierExists(appId: string, hashedIdentifier: string): Promise<boolean> {
    return this.get("SELECT 1 AS x FROM devices WHERE app_id = ? AND device_identifier = ?", appId, hashedIdentifier) !== undefined;
  }
  async insertUser(u: UserRecord): Promise<void> {
    this.run("INSERT INTO users (id, app_id, user_group_id, time, otp_secret, otp_alg) VALUES (?, ?, ?, ?, ?, ?)", u.id, u.appId, u.userGroupId, u.time, u.otpSecret, u.otpAlg);
  }
  async setUserGroup(userId: string, groupId: string): Promise<void> {
    this.run("UPDATE users SET user_group_id = ? WHERE id = ?", groupId, userId);
  }
  async getUser(appId: string, userId: string): Promise<UserRecord | null> {
    const r = this.get("SELECT * FROM users WHERE id = ? AND app_id = ?", userId, appId);
    return r ? userFromRow(r) : null;
  }
  async insertDevice(d: DeviceRecord): Promise<void> {
    const columns = ["id", "user_id", "app_id", "device_identifier", "time", "register_token_hash", ...DEVICE_COLUMNS.map(([, c]) => c)];
    const values = [d.id, d.userId, d.appId, d.deviceIdentifier, d.time, d.registerTokenHash, ...DEVICE_COLUMNS.map(([f]) => d[f])];
    try {
      this.run(`INSERT INTO devices (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, ...values);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError("identifier taken");
      throw error;
    }
  }
  async getDeviceByIdentifier(appId: string, hashedIdentifier: string): Promise<DeviceRecord | null> {
    const r = this.get("SELECT * FROM devices WHERE app_id = ? AND device_identifier = ? AND user_id IS NOT NULL", appId, hashedIdentifier);
    return r ? deviceFromRow(r) : null;
  }
  async getDevice(appId: string, deviceId: string): Promise<DeviceRecord | null> {
    const r = this.get("SELECT * FROM devices WHERE id = ? AND app_id = ?", deviceId, appId);
    return r ? deviceFromRow(r) : null;
  }
  async getPendingDeviceByToken(appId: string, tokenHash: string): Promise<DeviceRecord | null> {
    const r = this.get("SELECT * FROM devices WHERE app_id = ? AND register_token_hash = ? AND user_id IS NULL", appId, tokenHash);
    return r ? deviceFromRow(r) : null;
  }
  async confirmDevice(deviceId: string, userId: string): Promise<void> {
    this.run("UPDATE devices SET user_id = ?, register_token_hash = NULL WHERE id = ?", userId, deviceId);
  }
  async listDevices(userId: string, c: Cursor): Promise<DeviceRecord[]> {
    const rows =
      c.time === 0
        ? this.all("SELECT * FROM devices WHERE user_id = ? ORDER BY time, id LIMIT ?", userId, c.limit)
        : this.all(
            "SELECT * FROM devices WHERE user_id = ? AND time >= ? AND (time > ? OR (time = ? AND id > ?)) ORDER BY time, id LIMIT ?",
            userId, c.time, c.time, c.time, c.id, c.limit,
          );
    return rows.map(deviceFromRow);
  }
  async listDeviceIds(userId: string): Promise<string[]> {
    return this.all("SELECT id FROM devices WHERE user_id = ? ORDER BY time, id", userId).map((r) => s(r.id));
  }
  async updateDeviceIdentifier(deviceId: string, hashedIdentifier: string): Promise<void> {
    try {
      this.run("UPDATE devices SET device_identifier = ? WHERE id = ?", hashedIdentifier, deviceId);
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError("identifier taken");
      throw error;
    }
  }
  async changeDevicePassword(
    deviceId: string,
    oldHashedAuthKey: string,
    d: Pick<DeviceKeyMaterial, "clientRandomValue" | "hashedAuthKey" | "encryptedMasterKey" | "encryptedMasterKeyAlg" | "derivedAlg">,
  ): Promise<boolean> {
    return (
      this.run(
        `UPDATE devices SET client_random_value = ?, hashed_auth_key = ?, encrypted_master_key = ?, encrypted_master_key_alg = ?, derived_alg = ?
         WHERE id = ? AND hashed_auth_key = ?`,
        d.clientRandomValue, d.hashedAuthKey, d.encryptedMasterKey, d.encryptedMasterKeyAlg, d.derivedAlg, deviceId, oldHashedAuthKey,
      ) === 1
    );
  }
  async updateDeviceKeys(deviceId: string, data: Partial<DeviceKeyMaterial>): Promise<boolean> {
    const set = DEVICE_COLUMNS.filter(([f]) => data[f] !== undefined);
    if (set.length === 0) return this.get("SELECT 1 AS x FROM devices WHERE id = ?", deviceId) !== undefined;
    return (
      this.run(`UPDATE devices SET ${set.map(([, c]) => `${c} = ?`).join(", ")} WHERE id = ?`, ...set.map(([f]) => data[f]), deviceId) === 1
    );
  }
  async deleteDevice(deviceId: string): Promise<void> {
    this.run("DELETE FROM refresh_tokens WHERE device_id = ?", deviceId);
    this.run("DELETE FROM login_challenges WHERE device_id = ?", deviceId);
    this.run("DELETE FROM group_member_keys WHERE user_id = ?", deviceId);
    this.run("DELETE FROM group_key_rotations WHERE user_id = ?", deviceId);
    this.run("DELETE FROM group_members WHERE user_id = ?", deviceId);
    this.run("DELETE FROM devices WHERE id = ?", deviceId);
  }
  async deleteUser(userId: string): Promise<void> {
    for (const r of this.all("SELECT id FROM devices WHERE user_id = ?", userId)) await this.deleteDevice(s(r.id));
    this.run("DELETE FROM otp_recovery_keys WHERE user_id = ?", userId);
    this.run("DELETE FROM group_member_keys WHERE user_id = ?", userId);
    this.run("DELETE FROM group_key_rotations WHERE user_id = ?", userId);
    this.run("DELETE FROM group_members WHERE user_id = ?", userId);
    this.run("DELETE FROM group_invites_and_join_reqs WHERE user_id = ?", userId);
    this.run("DELETE FROM users WHERE id = ?", userId);
  }

  // ---- challenges
  async insertChallenge(appId: string, deviceId: string, challengeHash: string, time: number): Promise<void> {
    this.run("INSERT INTO login_challenges (challenge_hash, device_id, app_id, time) VALUES (?, ?, ?, ?)", challengeHash, deviceId, appId, time);
  }
  async consumeChallenge(appId: string, deviceId: string, challengeHash: string, notBefore: number): Promise<boolean> {
    const found = this.get(
      "SELECT 1 AS x FROM login_challenges WHERE challenge_hash = ? AND device_id = ? AND app_id = ? AND time >= ?",
      challengeHash, deviceId, appId, notBefore,
    );
    if (!found) return false;
    this.run("DELETE FROM login_challenges WHERE device_id = ?", deviceId);
    return true;
  }
  async deleteChallengesBefore(time: number): Promise<void> {
    this.run("DELETE FROM login_challenges WHERE time < ?", time);
  }

  // ---- refresh tokens
  async insertRefreshToken(appId: string, deviceId: string, tokenHash: string, time: number): Promise<void> {
    this.run("INSERT INTO refresh_tokens (token_hash, device_id, app_id, time) VALUES (?, ?, ?, ?)", tokenHash, deviceId, appId, time);
  }
  async hasRefreshToken(appId: string, deviceId: string, tokenHash: string): Promise<boolean> {
    return this.get("SELECT 1 AS x FROM refresh_tokens WHERE token_hash = ? AND device_id = ? AND app_id = ?", tokenHash, deviceId, appId) !== undefined;
  }
  async deleteRefreshTokensOfUser(userId: string): Promise<void> {
    this.run("DELETE FROM refresh_tokens WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)", userId);
  }

  // ---- OTP
  async setOtp(userId: string, secret: string | null, alg: string | null): Promise<void> {
    this.run("UPDATE users SET otp_secret = ?, otp_alg = ? WHERE id = ?", secret, alg, userId);
  }
  async insertRecoveryKeys(userId: string, keys: Array<{ id: string; token: string; tokenHash: string }>, time: number): Promise<void> {
    for (const k of keys) {
      this.run("INSERT INTO otp_recovery_keys (id, user_id, token, token_hash, time) VALUES (?, ?, ?, ?, ?)", k.id, userId, k.token, k.tokenHash, time);
    }
  }
  async deleteRecoveryKeys(userId: string): Promise<void> {
    this.run("DELETE FROM otp_recovery_keys WHERE user_id = ?", userId);
  }
  async listRecoveryKeys(userId: string): Promise<string[]> {
    return this.all("SELECT token FROM otp_recovery_keys WHERE user_id = ? ORDER BY time, id", userId).map((r) => s(r.token));
  }
  async consumeRecoveryKey(userId: string, tokenHash: string): Promise<boolean> {
    return this.run("DELETE FROM otp_recovery_keys WHERE user_id = ? AND token_hash = ?", userId, tokenHash) > 0;
  }

  // ---- groups
  async insertGroup(g: GroupRecord): Promise<void> {
    this.run(
      "INSERT INTO groups_ (id, app_id, parent, type, invite, is_connected_group, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      g.id, g.appId, g.parent, g.type, g.invite ? 1 : 0, g.isConnectedGroup ? 1 : 0, g.time,
    );
  }
  async getGroup(appId: string, groupId: string): Promise<GroupRecord | null> {
    const r = this.get("SELECT * FROM groups_ WHERE id = ? AND app_id = ?", groupId, appId);
    return r ? groupFromRow(r) : null;
  }
  async deleteGroup(groupId: string): Promise<void> {
    for (const table of ["group_member_keys", "group_key_rotations", "group_members", "group_keys", "group_hmac_keys", "group_sortable_keys", "group_invites_and_join_reqs"]) {
      this.run(`DELETE FROM ${table} WHERE group_id = ?`, groupId);
    }
    this.run("DELETE FROM groups_ WHERE id = ?", groupId);
  }
  async insertGroupKey(k: GroupKeyRecord): Promise<void> {
    this.run(
      `INSERT INTO group_keys (${GROUP_KEY_COLUMNS.map(([, c]) => c).join(", ")}) VALUES (${GROUP_KEY_COLUMNS.map(() => "?").join(", ")})`,
      ...GROUP_KEY_COLUMNS.map(([f]) => k[f]),
    );
  }
  async getGroupKey(groupId: string, keyId: string): Promise<GroupKeyRecord | null> {
    const r = this.get("SELECT * FROM group_keys WHERE id = ? AND group_id = ?", keyId, groupId);
    return r ? groupKeyFromRow(r) : null;
  }
  async getNewestGroupKey(appId: string, groupId: string): Promise<GroupKeyRecord | null> {
    const r = this.get("SELECT * FROM group_keys WHERE group_id = ? AND app_id = ? ORDER BY time DESC, id DESC LIMIT 1", groupId, appId);
    return r ? groupKeyFromRow(r) : null;
  }
  async clearEphemeralKey(keyId: string): Promise<void> {
    this.run("UPDATE group_keys SET encrypted_ephemeral_key = NULL WHERE id = ?", keyId);
  }
  async insertHmacKey(k: HmacKeyRecord): Promise<void> {
    this.run(
      "INSERT INTO group_hmac_keys (id, group_id, app_id, encrypted_hmac_key, encrypted_hmac_alg, encrypted_hmac_encryption_key_id, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      k.id, k.groupId, k.appId, k.encryptedHmacKey, k.encryptedHmacAlg, k.encryptedHmacEncryptionKeyId, k.time,
    );
  }
  async insertSortableKey(k: SortableKeyRecord): Promise<void> {
    this.run(
      "INSERT INTO group_sortable_keys (id, group_id, app_id, encrypted_sortable_key, encrypted_sortable_alg, encrypted_sortable_encryption_key_id, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
      k.id, k.groupId, k.appId, k.encryptedSortableKey, k.encryptedSortableAlg, k.encryptedSortableEncryptionKeyId, k.time,
    );
  }
  async listHmacKeys(groupId: string, c: Cursor): Promise<HmacKeyRecord[]> {
    const rows =
      c.time === 0
        ? this.all("SELECT * FROM group_hmac_keys WHERE group_id = ? ORDER BY time DESC, id LIMIT ?", groupId, c.limit)
        : this.all(
            "SELECT * FROM group_hmac_keys WHERE group_id = ? AND time <= ? AND (time < ? OR (time = ? AND id > ?)) ORDER BY time DESC, id LIMIT ?",
            groupId, c.time, c.time, c.time, c.id, c.limit,
          );
    return rows.map((r) => ({
      id: s(r.id),
      groupId: s(r.group_id),
      appId: s(r.app_id),
      encryptedHmacKey: s(r.encrypted_hmac_key),
      encryptedHmacAlg: s(r.encrypted_hmac_alg),
      encryptedHmacEncryptionKeyId: s(r.encrypted_hmac_encryption_key_id),
      time: n(r.time),
    }));
  }
  async insertMember(m: MemberRecord): Promise<void> {
    try {
      this.run(
        "INSERT INTO group_members (user_id, group_id, time, rank, key_upload_session_id, type) VALUES (?, ?, ?, ?, ?, ?)",
        m.userId, m.groupId, m.time, m.rank, m.keyUploadSessionId, m.type,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError("already a member");
      throw error;
    }
  }
  async getMember(groupId: string, userId: string): Promise<MemberRecord | null> {
    const r = this.get("SELECT * FROM group_members WHERE group_id = ? AND user_id = ?", groupId, userId);
    return r ? memberFromRow(r) : null;
  }
  async listMembers(groupId: string): Promise<MemberRecord[]> {
    return this.all("SELECT * FROM group_members WHERE group_id = ? ORDER BY time, user_id", groupId).map(memberFromRow);
  }
  async findMemberBySession(groupId: string, sessionId: string): Promise<MemberRecord | null> {
    const r = this.get("SELECT * FROM group_members WHERE group_id = ? AND key_upload_session_id = ?", groupId, sessionId);
    return r ? memberFromRow(r) : null;
  }
  async insertMemberKeys(rows: MemberKeyRecord[]): Promise<void> {
    for (const m of rows) {
      this.run(
        `INSERT INTO group_member_keys (k_id, user_id, group_id, encrypted_group_key, encrypted_alg, encrypted_group_key_key_id, time)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (k_id, user_id) DO NOTHING`,
        m.keyId, m.userId, m.groupId, m.encryptedGroupKey, m.encryptedAlg, m.encryptedGroupKeyKeyId, m.time,
      );
    }
  }
  async listMemberKeys(groupId: string, userId: string, c: Cursor): Promise<MemberKeyView[]> {
    const base = `SELECT ${GK_SELECT}, ${MK_SELECT} FROM group_member_keys m JOIN group_keys k ON k.id = m.k_id WHERE m.group_id = ? AND m.user_id = ?`;
    const rows =
      c.time === 0
        ? this.all(`${base} ORDER BY k.time DESC, k.id LIMIT ?`, groupId, userId, c.limit)
        : this.all(
            `${base} AND k.time <= ? AND (k.time < ? OR (k.time = ? AND k.id > ?)) ORDER BY k.time DESC, k.id LIMIT ?`,
            groupId, userId, c.time, c.time, c.time, c.id, c.limit,
          );
    return rows.map((r) => ({ key: groupKeyFromRow(r, "k_"), member: memberKeyFromRow(r) }));
  }
  async getMemberKey(groupId: string, userId: string, keyId: string): Promise<MemberKeyView | null> {
    const r = this.get(
      `SELECT ${GK_SELECT}, ${MK_SELECT} FROM group_member_keys m JOIN group_keys k ON k.id = m.k_id WHERE m.group_id = ? AND m.user_id = ? AND m.k_id = ?`,
      groupId, userId, keyId,
    );
    return r ? { key: groupKeyFromRow(r, "k_"), member: memberKeyFromRow(r) } : null;
  }
  async insertRotations(rows: RotationRecord[]): Promise<void> {
    for (const x of rows) {
      this.run(
        `INSERT INTO group_key_rotations (key_id, user_id, group_id, encrypted_ephemeral_key, encrypted_eph_key_key_id, error)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_id, user_id) DO NOTHING`,
        x.keyId, x.userId, x.groupId, x.encryptedEphemeralKey, x.encryptedEphKeyKeyId, x.error,
      );
    }
  }
  async listRotations(groupId: string, userId: string): Promise<RotationView[]> {
    return this.all(
      `SELECT ${GK_SELECT}, r.key_id, r.user_id, r.group_id, r.encrypted_ephemeral_key AS r_eph, r.encrypted_eph_key_key_id, r.error
       FROM group_key_rotations r JOIN group_keys k ON k.id = r.key_id WHERE r.group_id = ? AND r.user_id = ? ORDER BY k.time, k.id`,
      groupId, userId,
    ).map((r) => ({
      key: groupKeyFromRow(r, "k_"),
      rotation: {
        keyId: s(r.key_id),
        userId: s(r.user_id),
        groupId: s(r.group_id),
        encryptedEphemeralKey: s(r.r_eph),
        encryptedEphKeyKeyId: s(r.encrypted_eph_key_key_id),
        error: sn(r.error),
      },
    }));
  }
  async deleteRotation(keyId: string, userId: string): Promise<boolean> {
    return this.run("DELETE FROM group_key_rotations WHERE key_id = ? AND user_id = ?", keyId, userId) > 0;
  }
  async listInvitesForUser(appId: string, userId: string, c: Cursor): Promise<Array<{ groupId: string; time: number }>> {
    const base = "SELECT i.group_id, i.time FROM group_invites_and_join_reqs i JOIN groups_ g ON g.id = i.group_id WHERE g.app_id = ? AND i.user_id = ? AND i.type = 0";
    const rows =
      c.time === 0
        ? this.all(`${base} ORDER BY i.time DESC, i.group_id LIMIT ?`, appId, userId, c.limit)
        : this.all(
            `${base} AND i.time <= ? AND (i.time < ? OR (i.time = ? AND i.group_id > ?)) ORDER BY i.time DESC, i.group_id LIMIT ?`,
            appId, userId, c.time, c.time, c.time, c.id, c.limit,
          );
    return rows.map((r) => ({ groupId: s(r.group_id), time: n(r.time) }));
  }

  // ---- groups: structure and lists
  async setGroupInvite(groupId: string, invite: boolean): Promise<void> {
    this.run("UPDATE groups_ SET invite = ? WHERE id = ?", invite ? 1 : 0, groupId);
  }
  async listChildGroups(groupId: string, c: Cursor): Promise<GroupRecord[]> {
    return this.pageAsc("SELECT * FROM groups_ WHERE parent = ?", "time", "id", c, groupId).map(groupFromRow);
  }
  async listChildGroupIds(groupId: string): Promise<string[]> {
    return this.all("SELECT id FROM groups_ WHERE parent = ?", groupId).map((r) => s(r.id));
  }
  async listGroupsOfMember(appId: string, memberId: string, c: Cursor): Promise<MembershipView[]> {
    return this.pageAsc(
      `SELECT g.*, m.user_id AS m_user_id, m.group_id AS m_group_id, m.time AS m_time, m.rank AS m_rank,
         m.key_upload_session_id AS m_key_upload_session_id, m.type AS m_type
       FROM group_members m JOIN groups_ g ON g.id = m.group_id WHERE g.app_id = ? AND g.type = 0 AND m.user_id = ? AND m.type IN (0, 2)`,
      "g.time", "g.id", c, appId, memberId,
    ).map((r) => ({
      group: groupFromRow(r),
      member: memberFromRow({ user_id: r.m_user_id, group_id: r.m_group_id, time: r.m_time, rank: r.m_rank, key_upload_session_id: r.m_key_upload_session_id, type: r.m_type }),
    }));
  }
  async listMembersPage(groupId: string, excludeUserId: string, c: Cursor): Promise<MemberRecord[]> {
    return this.pageAsc("SELECT * FROM group_members WHERE group_id = ? AND user_id <> ?", "time", "user_id", c, groupId, excludeUserId).map(memberFromRow);
  }
  async countMembersWithRank(groupId: string, maxRank: number): Promise<number> {
    return n(this.get("SELECT COUNT(*) AS c FROM group_members WHERE group_id = ? AND rank <= ?", groupId, maxRank)?.c ?? 0);
  }
  async updateMemberRank(groupId: string, userId: string, rank: number): Promise<void> {
    this.run("UPDATE group_members SET rank = ? WHERE group_id = ? AND user_id = ?", rank, groupId, userId);
  }
  async deleteMember(groupId: string, userId: string): Promise<void> {
    this.run("DELETE FROM group_member_keys WHERE group_id = ? AND user_id = ?", groupId, userId);
    this.run("DELETE FROM group_key_rotations WHERE group_id = ? AND user_id = ?", groupId, userId);
    this.run("DELETE FROM group_members WHERE group_id = ? AND user_id = ?", groupId, userId);
  }
  async deleteMemberKeys(groupId: string, userId: string): Promise<void> {
    this.run("DELETE FROM group_member_keys WHERE group_id = ? AND user_id = ?", groupId, userId);
  }
  async deleteMembershipsOfGroup(groupId: string): Promise<void> {
    for (const table of ["group_member_keys", "group_key_rotations", "group_members", "group_invites_and_join_reqs"]) {
      this.run(`DELETE FROM ${table} WHERE user_id = ?`, groupId);
    }
  }
  async listSortableKeys(groupId: string, c: Cursor): Promise<SortableKeyRecord[]> {
    return this.pageDesc("SELECT * FROM group_sortable_keys WHERE group_id = ?", "time", "id", c, groupId).map(sortableKeyFromRow);
  }

  // ---- invites and join requests
  async insertGroupRequest(x: GroupRequestRecord): Promise<void> {
    try {
      this.run(
        "INSERT INTO group_invites_and_join_reqs (user_id, group_id, type, time, key_upload_session_id, user_type, new_user_rank) VALUES (?, ?, ?, ?, ?, ?, ?)",
        x.userId, x.groupId, x.type, x.time, x.keyUploadSessionId, x.userType, x.newUserRank,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflictError("request exists");
      throw error;
    }
  }
  async getGroupRequest(groupId: string, userId: string): Promise<GroupRequestRecord | null> {
    const r = this.get("SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND user_id = ?", groupId, userId);
    return r ? requestFromRow(r) : null;
  }
  async findInviteBySession(groupId: string, sessionId: string): Promise<GroupRequestRecord | null> {
    const r = this.get("SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND type = 0 AND key_upload_session_id = ?", groupId, sessionId);
    return r ? requestFromRow(r) : null;
  }
  async deleteGroupRequest(groupId: string, userId: string, type: number): Promise<boolean> {
    return this.run("DELETE FROM group_invites_and_join_reqs WHERE group_id = ? AND user_id = ? AND type = ?", groupId, userId, type) > 0;
  }
  async listRequestsOfMember(appId: string, userId: string, type: number, c: Cursor): Promise<GroupRequestRecord[]> {
    return this.pageDesc(
      "SELECT i.* FROM group_invites_and_join_reqs i JOIN groups_ g ON g.id = i.group_id WHERE g.app_id = ? AND i.user_id = ? AND i.type = ?",
      "i.time", "i.group_id", c, appId, userId, type,
    ).map(requestFromRow);
  }
  async listJoinRequestsOfGroup(groupId: string, c: Cursor): Promise<GroupRequestRecord[]> {
    return this.pageAsc("SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND type = 1", "time", "user_id", c, groupId).map(requestFromRow);
  }

  // ---- group key rotation
  async hasRotation(groupId: string, userId: string): Promise<boolean> {
    return this.get("SELECT 1 AS x FROM group_key_rotations WHERE group_id = ? AND user_id = ? LIMIT 1", groupId, userId) !== undefined;
  }
  async countKeyRotationsSince(groupId: string, time: number): Promise<number> {
    return n(this.get("SELECT COUNT(*) AS c FROM group_keys WHERE group_id = ? AND previous_group_key_id IS NOT NULL AND time >= ?", groupId, time)?.c ?? 0);
  }
  async listMembersWithoutRotation(groupId: string, keyId: string, limit: number): Promise<MemberRecord[]> {
    return this.all(
      `SELECT m.* FROM group_members m WHERE m.group_id = ?
         AND NOT EXISTS (SELECT 1 FROM group_member_keys k WHERE k.k_id = ? AND k.user_id = m.user_id)
         AND NOT EXISTS (SELECT 1 FROM group_key_rotations r WHERE r.key_id = ? AND r.user_id = m.user_id)
       ORDER BY m.time, m.user_id LIMIT ?`,
      groupId, keyId, keyId, limit,
    ).map(memberFromRow);
  }
  async listUnfinishedRotations(): Promise<GroupKeyRecord[]> {
    return this.all("SELECT * FROM group_keys WHERE encrypted_ephemeral_key IS NOT NULL ORDER BY time, id").map((r) => groupKeyFromRow(r));
  }
  async lockUnfinishedRotation(groupId: string, keyId: string): Promise<GroupKeyRecord | null> {
    // One connection behind a mutex: a transaction is already exclusive.
    const r = this.get("SELECT * FROM group_keys WHERE id = ? AND group_id = ? AND encrypted_ephemeral_key IS NOT NULL", keyId, groupId);
    return r ? groupKeyFromRow(r) : null;
  }
}

/** A FIFO async mutex. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** Lock calls not yet released: the holder and those queued behind it (connection metrics). */
  queued = 0;
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    this.queued++;
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      this.queued--;
      release();
    };
    const ready = this.tail.then(() => releaseOnce);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

export interface SqliteStoreOptions {
  /** File path or ":memory:". */
  path: string;
}

function migrate(db: Db): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => n(r.version)));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      for (const statement of migration.statements) db.exec(statement);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the answer leaves, so an acknowledged write survives a crash.
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);

  const ops = new SqliteOps(db);
  const mutex = new Mutex();
  const store = {
    kind: options.path === ":memory:" ? "sqlite (memory)" : "sqlite (WAL)",
    async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
      const release = await mutex.lock();
      try {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(ops);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      } finally {
        release();
      }
    },
    async checkReady(): Promise<void> {
      const release = await mutex.lock();
      try {
        if (!db.open) throw new Error("the store is closed");
        assertMigrationsApplied((db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => n(r.version)));
      } finally {
        release();
      }
    },
    connectionStats(): ConnectionStats {
      // One connection; calls queue on the mutex.
      return { total: db.open ? 1 : 0, idle: db.open && mutex.queued === 0 ? 1 : 0, waiting: Math.max(0, mutex.queued - 1) };
    },
    async close(): Promise<void> {
      const release = await mutex.lock();
      try {
        db.close();
      } finally {
        release();
      }
    },
  } as Store;
  // Every query method, guarded by the mutex.
  const proto = SqliteOps.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === "constructor" || typeof proto[name] !== "function" || ["st", "get", "all", "run", "pageAsc", "pageDesc"].includes(name)) continue;
    const method = proto[name] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const release = await mutex.lock();
      try {
        return await method.apply(ops, args);
      } finally {
        release();
      }
    };
  }
  attachSqliteFileOps(db, ops, store, () => mutex.lock());
  return store;
}
