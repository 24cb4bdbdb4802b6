/**
 * The SQL store, written once for both databases against the driver interface of driver.ts: every
 * method of `StoreOps` as SQL over `get` / `all` / `run` (the arguments as one array; inserts named by
 * their records' fields through `insert`), with the rows mapped by rows.ts. The drivers
 * (sqlite.ts, postgres.ts) supply connections, transactions and the dialect's few differences.
 *
 * Methods of several statements (deletes that cascade, consuming a challenge, replacing a file part)
 * run in a transaction of their own when they are called outside one, so they are atomic on both
 * databases. Uniqueness rules are constraints; a broken one becomes a `StoreConflictError` and leaves
 * the caller's transaction usable (plain inserts use `ON CONFLICT DO NOTHING`, other statements the
 * driver's `runUnlessConflict`).
 */
import { ktAppendNodes, ktLeafHash } from "../../src/protocol/transparency.js";
import { assertMigrationsApplied, type ConnectionStats } from "./health.js";
import { ktFrontierOf, ktLeavesOfKey, ktNodeKey } from "./kt-log.js";
import type { SqlDialect, SqlDriver, SqlSession } from "./driver.js";
import {
  appFromRow,
  deviceFromRow,
  DEVICE_COLUMNS,
  fileFromRow,
  GK_SELECT,
  groupFromRow,
  groupKeyFromRow,
  GROUP_KEY_COLUMNS,
  hmacKeyFromRow,
  jwtKeyFromRow,
  memberFromRow,
  memberKeyViewFromRow,
  MK_SELECT,
  n,
  partFromRow,
  requestFromRow,
  rotationFromRow,
  s,
  sessionFromRow,
  sortableKeyFromRow,
  symKeyFromRow,
  userFromRow,
  type Row,
} from "./rows.js";
import {
  StoreConflictError,
  type AppRecord,
  type Cursor,
  type DeviceKeyMaterial,
  type DeviceRecord,
  type FilePartRecord,
  type FileRecord,
  type FileSessionRecord,
  type GroupKeyRecord,
  type GroupRecord,
  type GroupRequestRecord,
  type HmacKeyRecord,
  type JwtKeyRecord,
  type KtAppendLeaf,
  type KtHeadRecord,
  type KtLeafRow,
  type KtLogKeyRecord,
  type MemberKeyRecord,
  type MemberKeyView,
  type LoginScope,
  type MemberRecord,
  type MembershipView,
  type RotationRecord,
  type RotationView,
  type SecretKind,
  type SortableKeyRecord,
  type Store,
  type StoreOps,
  type SymKeyRecord,
  type TokenKind,
  type UserRecord,
} from "./types.js";

/**
 * Bound values per statement at the most: below SQLite's limit (32766) and PostgreSQL's (65535).
 * Multi-row inserts and id lists are sent in slices under it.
 */
const MAX_BOUND_VALUES = 30_000;

/** A row of `kt_leaves` as `appendKtLeaves` inserts it (leaf and hash in base64). */
interface KtLeafInsert {
  appId: string;
  idx: number;
  leaf: string;
  leafHash: string;
  subjectType: string;
  subjectId: string;
  keyType: string;
  keyId: string;
}

/** A row of `kt_nodes`: the hash (base64) of the perfect subtree `idx` at `level`. */
interface KtNodeInsert {
  appId: string;
  level: number;
  idx: number;
  hash: string;
}

/** The queries on one session: the driver's direct one (`SqlStore`) or a transaction's. */
class SqlOps implements StoreOps {
  protected readonly dialect: SqlDialect;
  constructor(
    protected readonly driver: SqlDriver,
    private readonly db: SqlSession,
    private readonly inTransaction: boolean,
  ) {
    this.dialect = driver.dialect;
  }

  /** Runs `fn` on this session when it is a transaction's, else in a transaction of its own. */
  private atomically<T>(fn: (tx: SqlOps) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.driver.transaction((session) => fn(new SqlOps(this.driver, session, true)));
  }
  /** The first row mapped, or null. */
  private async one<T>(map: (row: Row) => T, sql: string, args: readonly unknown[] = []): Promise<T | null> {
    const row = await this.db.get(sql, args);
    return row ? map(row) : null;
  }
  /** Every row mapped. */
  private async many<T>(map: (row: Row) => T, sql: string, args: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.all(sql, args)).map((row) => map(row));
  }
  private get(sql: string, args: readonly unknown[] = []): Promise<Row | undefined> {
    return this.db.get(sql, args);
  }
  private all(sql: string, args: readonly unknown[] = []): Promise<Row[]> {
    return this.db.all(sql, args);
  }
  private run(sql: string, args: readonly unknown[] = []): Promise<number> {
    return this.db.run(sql, args);
  }
  /** A statement whose broken uniqueness rule becomes a StoreConflictError with `message`. */
  private async runOrConflict(message: string, sql: string, args: readonly unknown[]): Promise<number> {
    const changed = await this.db.runUnlessConflict(sql, args);
    if (changed === null) throw new StoreConflictError(message);
    return changed;
  }
  /**
   * The INSERT INTO `table` of `fields` of each record, with `tail` (an ON CONFLICT clause) after the
   * values, and its arguments. A field's column is its snake_case name (`appId` is `app_id`); booleans
   * are stored as 1 / 0.
   */
  private insertStatement<T>(
    table: string,
    records: readonly T[],
    fields: ReadonlyArray<keyof T & string>,
    tail = "",
  ): [string, unknown[]] {
    const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(", ");
    const tuple = `(${fields.map(() => "?").join(", ")})`;
    const values = records.flatMap((r) => fields.map((f) => (typeof r[f] === "boolean" ? (r[f] ? 1 : 0) : r[f])));
    return [`INSERT INTO ${table} (${columns}) VALUES ${records.map(() => tuple).join(", ")} ${tail}`, values];
  }
  /** Inserts `records` (see `insertStatement`) in slices; resolves to the number of rows inserted. */
  private async insertRows<T>(
    table: string,
    records: readonly T[],
    fields: ReadonlyArray<keyof T & string>,
    tail = "",
  ): Promise<number> {
    const perSlice = Math.max(1, Math.floor(MAX_BOUND_VALUES / fields.length));
    let inserted = 0;
    for (let i = 0; i < records.length; i += perSlice) {
      inserted += await this.run(...this.insertStatement(table, records.slice(i, i + perSlice), fields, tail));
    }
    return inserted;
  }
  /** INSERT of one record (see `insertRows`). */
  private insert<T>(table: string, record: T, fields: ReadonlyArray<keyof T & string>, tail = ""): Promise<number> {
    return this.insertRows(table, [record], fields, tail);
  }
  /** An INSERT … ON CONFLICT DO NOTHING that must insert: else a StoreConflictError with `message`. */
  private async insertOrConflict<T>(
    message: string,
    table: string,
    record: T,
    fields: ReadonlyArray<keyof T & string>,
  ): Promise<void> {
    if ((await this.insert(table, record, fields, "ON CONFLICT DO NOTHING")) === 0)
      throw new StoreConflictError(message);
  }
  /** Calls `fn` for each slice of `ids` with the slice's placeholder list (`?, ?, …`) for an `IN (…)`. */
  private async inSlices<T>(ids: string[], fn: (list: string, slice: string[]) => Promise<T>): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < ids.length; i += MAX_BOUND_VALUES) {
      const slice = ids.slice(i, i + MAX_BOUND_VALUES);
      results.push(await fn(slice.map(() => "?").join(", "), slice));
    }
    return results;
  }
  /** Cursor page (api.md §1.7) over `base` (which ends in a WHERE clause) on columns t, id, in `order`. */
  private page(order: "ASC" | "DESC", base: string, t: string, id: string, c: Cursor, args: unknown[]): Promise<Row[]> {
    const by = `ORDER BY ${t}${order === "DESC" ? " DESC" : ""}, ${id} LIMIT ?`;
    if (c.time === 0) return this.all(`${base} ${by}`, [...args, c.limit]);
    const [from, past] = order === "ASC" ? [">=", ">"] : ["<=", "<"];
    const after = `${t} ${from} ? AND (${t} ${past} ? OR (${t} = ? AND ${id} > ?))`;
    return this.all(`${base} AND ${after} ${by}`, [...args, c.time, c.time, c.time, c.id, c.limit]);
  }
  /** Ascending cursor page. */
  private pageAsc(base: string, t: string, id: string, c: Cursor, args: unknown[]): Promise<Row[]> {
    return this.page("ASC", base, t, id, c, args);
  }
  /** Descending cursor page ("older than"). */
  private pageDesc(base: string, t: string, id: string, c: Cursor, args: unknown[]): Promise<Row[]> {
    return this.page("DESC", base, t, id, c, args);
  }

  // ---- apps
  async getAppByTokenHash(hash: string): Promise<{ app: AppRecord; kind: TokenKind } | null> {
    const app = await this.one(
      appFromRow,
      "SELECT * FROM apps WHERE hashed_public_token = ? OR hashed_secret_token = ?",
      [hash, hash],
    );
    return app ? { app, kind: app.hashedSecretToken === hash ? "secret" : "public" } : null;
  }
  async getApp(appId: string): Promise<AppRecord | null> {
    return this.one(appFromRow, "SELECT * FROM apps WHERE id = ?", [appId]);
  }
  async listApps(): Promise<AppRecord[]> {
    return this.many(appFromRow, "SELECT * FROM apps ORDER BY time, id");
  }
  async upsertApp(a: AppRecord): Promise<void> {
    await this.runOrConflict(
      "an app token is already used by another app",
      ...this.insertStatement(
        "apps",
        [a],
        [
          "id",
          "identifier",
          "hashedPublicToken",
          "hashedSecretToken",
          "publicToken",
          "options",
          "groupOptions",
          "fileOptions",
          "disabled",
          "time",
        ],
        `ON CONFLICT (id) DO UPDATE SET identifier = excluded.identifier, hashed_public_token = excluded.hashed_public_token,
         hashed_secret_token = excluded.hashed_secret_token, public_token = excluded.public_token, options = excluded.options,
         group_options = excluded.group_options, file_options = excluded.file_options, disabled = excluded.disabled`,
      ),
    );
  }
  async insertJwtKey(k: JwtKeyRecord): Promise<void> {
    await this.insert(
      "app_jwt_keys",
      k,
      ["id", "appId", "signKey", "verifyKey", "alg", "time"],
      "ON CONFLICT (id) DO UPDATE SET sign_key = excluded.sign_key, verify_key = excluded.verify_key, alg = excluded.alg",
    );
  }
  async getJwtKey(appId: string, keyId: string): Promise<JwtKeyRecord | null> {
    return this.one(jwtKeyFromRow, "SELECT * FROM app_jwt_keys WHERE id = ? AND app_id = ?", [keyId, appId]);
  }
  async getNewestJwtKey(appId: string): Promise<JwtKeyRecord | null> {
    const sql = "SELECT * FROM app_jwt_keys WHERE app_id = ? ORDER BY time DESC, id DESC LIMIT 1";
    return this.one(jwtKeyFromRow, sql, [appId]);
  }

  // ---- app management (server/admin)
  async listJwtKeys(appId: string): Promise<JwtKeyRecord[]> {
    return this.many(jwtKeyFromRow, "SELECT * FROM app_jwt_keys WHERE app_id = ? ORDER BY time, id", [appId]);
  }
  async deleteJwtKey(appId: string, keyId: string): Promise<boolean> {
    return (await this.run("DELETE FROM app_jwt_keys WHERE id = ? AND app_id = ?", [keyId, appId])) > 0;
  }
  async deleteAppData(appId: string, now: number): Promise<void> {
    await this.atomically(async (tx) => {
      const groupsOfApp = "SELECT id FROM groups_ WHERE app_id = ?";
      for (const table of [
        "group_members",
        "group_member_keys",
        "group_key_rotations",
        "group_key_rotation_starts",
        "group_invites_and_join_reqs",
      ]) {
        await tx.run(`DELETE FROM ${table} WHERE group_id IN (${groupsOfApp})`, [appId]);
      }
      await tx.run("DELETE FROM otp_recovery_keys WHERE user_id IN (SELECT id FROM users WHERE app_id = ?)", [appId]);
      for (const table of [
        "group_keys",
        "group_hmac_keys",
        "group_sortable_keys",
        "groups_",
        "refresh_tokens",
        "login_challenges",
        "devices",
        "users",
        "sym_keys",
        "file_sessions",
        "login_failures",
        "login_clients",
      ]) {
        await tx.run(`DELETE FROM ${table} WHERE app_id = ?`, [appId]);
      }
      await tx.run("UPDATE files SET status = 0, delete_at = ? WHERE app_id = ? AND status <> 0", [now, appId]);
    });
  }
  async deleteApp(appId: string): Promise<boolean> {
    return this.atomically(async (tx) => {
      for (const table of ["app_jwt_keys", "kt_trees", "kt_leaves", "kt_nodes", "kt_heads", "kt_log_keys"])
        await tx.run(`DELETE FROM ${table} WHERE app_id = ?`, [appId]);
      return (await tx.run("DELETE FROM apps WHERE id = ?", [appId])) > 0;
    });
  }

  // ---- users and devices
  async identifierExists(appId: string, hashedIdentifier: string): Promise<boolean> {
    const sql = "SELECT 1 AS x FROM devices WHERE app_id = ? AND device_identifier = ?";
    return (await this.get(sql, [appId, hashedIdentifier])) !== undefined;
  }
  async insertUser(u: UserRecord): Promise<void> {
    await this.insert("users", u, ["id", "appId", "userGroupId", "time", "otpSecret", "otpAlg"]);
  }
  async setUserGroup(userId: string, groupId: string): Promise<void> {
    await this.run("UPDATE users SET user_group_id = ? WHERE id = ?", [groupId, userId]);
  }
  async getUser(appId: string, userId: string): Promise<UserRecord | null> {
    return this.one(userFromRow, "SELECT * FROM users WHERE id = ? AND app_id = ?", [userId, appId]);
  }
  async insertDevice(d: DeviceRecord): Promise<void> {
    const fields = ["id", "userId", "appId", "deviceIdentifier", "time", "registerTokenHash"] as const;
    await this.insertOrConflict("identifier taken", "devices", d, [...fields, ...DEVICE_COLUMNS.map(([f]) => f)]);
  }
  async getDeviceByIdentifier(appId: string, hashedIdentifier: string): Promise<DeviceRecord | null> {
    return this.one(
      deviceFromRow,
      "SELECT * FROM devices WHERE app_id = ? AND device_identifier = ? AND user_id IS NOT NULL",
      [appId, hashedIdentifier],
    );
  }
  async getDevice(appId: string, deviceId: string): Promise<DeviceRecord | null> {
    return this.one(deviceFromRow, "SELECT * FROM devices WHERE id = ? AND app_id = ?", [deviceId, appId]);
  }
  async getPendingDeviceByToken(appId: string, tokenHash: string, createdSince: number): Promise<DeviceRecord | null> {
    return this.one(
      deviceFromRow,
      "SELECT * FROM devices WHERE app_id = ? AND register_token_hash = ? AND user_id IS NULL AND time >= ?",
      [appId, tokenHash, createdSince],
    );
  }
  async deletePendingDevice(appId: string, hashedIdentifier: string, createdBefore: number): Promise<boolean> {
    return (
      (await this.run(
        "DELETE FROM devices WHERE app_id = ? AND device_identifier = ? AND user_id IS NULL AND time < ?",
        [appId, hashedIdentifier, createdBefore],
      )) > 0
    );
  }
  async deletePendingDevicesBefore(time: number): Promise<number> {
    return this.run("DELETE FROM devices WHERE user_id IS NULL AND time < ?", [time]);
  }
  async confirmDevice(deviceId: string, userId: string): Promise<void> {
    await this.run("UPDATE devices SET user_id = ?, register_token_hash = NULL WHERE id = ?", [userId, deviceId]);
  }
  async listDevices(userId: string, c: Cursor): Promise<DeviceRecord[]> {
    return (await this.pageAsc("SELECT * FROM devices WHERE user_id = ?", "time", "id", c, [userId])).map(
      deviceFromRow,
    );
  }
  async listDeviceIds(userId: string): Promise<string[]> {
    return (await this.all("SELECT id FROM devices WHERE user_id = ? ORDER BY time, id", [userId])).map((r) => s(r.id));
  }
  async updateDeviceIdentifier(deviceId: string, hashedIdentifier: string): Promise<void> {
    const sql = "UPDATE devices SET device_identifier = ? WHERE id = ?";
    await this.runOrConflict("identifier taken", sql, [hashedIdentifier, deviceId]);
  }
  async changeDevicePassword(
    deviceId: string,
    oldHashedAuthKey: string,
    d: Pick<
      DeviceKeyMaterial,
      "clientRandomValue" | "hashedAuthKey" | "encryptedMasterKey" | "encryptedMasterKeyAlg" | "derivedAlg"
    >,
  ): Promise<boolean> {
    // One statement: the compare and the update are atomic (a concurrent change makes the other one miss).
    const changed = await this.run(
      `UPDATE devices SET client_random_value = ?, hashed_auth_key = ?, encrypted_master_key = ?, encrypted_master_key_alg = ?, derived_alg = ?
       WHERE id = ? AND hashed_auth_key = ?`,
      [
        d.clientRandomValue,
        d.hashedAuthKey,
        d.encryptedMasterKey,
        d.encryptedMasterKeyAlg,
        d.derivedAlg,
        deviceId,
        oldHashedAuthKey,
      ],
    );
    return changed === 1;
  }
  async updateDeviceKeys(deviceId: string, data: Partial<DeviceKeyMaterial>): Promise<boolean> {
    const set = DEVICE_COLUMNS.filter(([f]) => data[f] !== undefined);
    if (set.length === 0) return (await this.get("SELECT 1 AS x FROM devices WHERE id = ?", [deviceId])) !== undefined;
    const sql = `UPDATE devices SET ${set.map(([, c]) => `${c} = ?`).join(", ")} WHERE id = ?`;
    return (await this.run(sql, [...set.map(([f]) => data[f]), deviceId])) === 1;
  }
  async deleteDevice(deviceId: string): Promise<void> {
    await this.atomically(async (tx) => {
      await tx.run("DELETE FROM refresh_tokens WHERE device_id = ?", [deviceId]);
      await tx.run("DELETE FROM login_challenges WHERE device_id = ?", [deviceId]);
      await tx.deleteRowsOfMember(deviceId, ["group_member_keys", "group_key_rotations", "group_members"]);
      await tx.run("DELETE FROM devices WHERE id = ?", [deviceId]);
    });
  }
  async deleteUser(userId: string): Promise<void> {
    await this.atomically(async (tx) => {
      for (const r of await tx.all("SELECT id FROM devices WHERE user_id = ?", [userId]))
        await tx.deleteDevice(s(r.id));
      await tx.run("DELETE FROM otp_recovery_keys WHERE user_id = ?", [userId]);
      await tx.deleteRowsOfMember(userId, [
        "group_member_keys",
        "group_key_rotations",
        "group_members",
        "group_invites_and_join_reqs",
      ]);
      await tx.run("DELETE FROM users WHERE id = ?", [userId]);
    });
  }
  /** Deletes the rows of `tables` whose `user_id` (the member: user, device or group) is `memberId`. */
  private async deleteRowsOfMember(memberId: string, tables: readonly string[]): Promise<void> {
    for (const table of tables) await this.run(`DELETE FROM ${table} WHERE user_id = ?`, [memberId]);
  }

  // ---- challenges
  async insertChallenge(appId: string, deviceId: string, challengeHash: string, time: number): Promise<void> {
    const sql = "INSERT INTO login_challenges (challenge_hash, device_id, app_id, time) VALUES (?, ?, ?, ?)";
    await this.run(sql, [challengeHash, deviceId, appId, time]);
  }
  async consumeChallenge(appId: string, deviceId: string, challengeHash: string, notBefore: number): Promise<boolean> {
    return this.atomically(async (tx) => {
      // The DELETE is the check: of two concurrent logins with the same challenge only one deletes the row.
      const hit = await tx.run(
        "DELETE FROM login_challenges WHERE challenge_hash = ? AND device_id = ? AND app_id = ? AND time >= ?",
        [challengeHash, deviceId, appId, notBefore],
      );
      if (hit === 0) return false;
      await tx.run("DELETE FROM login_challenges WHERE device_id = ?", [deviceId]);
      return true;
    });
  }
  async deleteChallengesBefore(time: number): Promise<void> {
    await this.run("DELETE FROM login_challenges WHERE time < ?", [time]);
  }

  // ---- failed-login counters
  async addLoginFailure(scope: LoginScope, appId: string, subject: string, now: number, windowMs: number) {
    const open = now - windowMs;
    // One statement, so that concurrent failures (also from other processes on PostgreSQL) all count.
    await this.run(
      `INSERT INTO login_failures (scope, app_id, subject, window_start, failures) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (scope, app_id, subject) DO UPDATE SET
         failures = CASE WHEN login_failures.window_start > ? THEN login_failures.failures + 1 ELSE 1 END,
         window_start = CASE WHEN login_failures.window_start > ? THEN login_failures.window_start ELSE ? END`,
      [scope, appId, subject, now, open, open, now],
    );
    const row = await this.getLoginFailures(scope, appId, subject, now, windowMs);
    return row?.failures ?? 1;
  }
  async getLoginFailures(scope: LoginScope, appId: string, subject: string, now: number, windowMs: number) {
    return this.one(
      (row) => ({ failures: Number(row.failures), windowStart: Number(row.window_start) }),
      "SELECT failures, window_start FROM login_failures WHERE scope = ? AND app_id = ? AND subject = ? AND window_start > ?",
      [scope, appId, subject, now - windowMs],
    );
  }
  async deleteLoginFailuresBefore(time: number): Promise<number> {
    return this.run("DELETE FROM login_failures WHERE window_start < ?", [time]);
  }
  async rememberLoginClient(appId: string, identifier: string, client: string, time: number): Promise<void> {
    await this.run(
      `INSERT INTO login_clients (app_id, identifier, client, time) VALUES (?, ?, ?, ?)
       ON CONFLICT (app_id, identifier, client) DO UPDATE SET time = excluded.time`,
      [appId, identifier, client, time],
    );
  }
  async isKnownLoginClient(appId: string, identifier: string, client: string, since: number): Promise<boolean> {
    const row = await this.one(
      () => true,
      "SELECT 1 AS hit FROM login_clients WHERE app_id = ? AND identifier = ? AND client = ? AND time >= ?",
      [appId, identifier, client, since],
    );
    return row === true;
  }
  async deleteLoginClientsBefore(time: number): Promise<number> {
    return this.run("DELETE FROM login_clients WHERE time < ?", [time]);
  }
  async countLoginLimitRows(): Promise<{ failures: number; clients: number }> {
    const failures = await this.one((row) => Number(row.n), "SELECT COUNT(*) AS n FROM login_failures");
    const clients = await this.one((row) => Number(row.n), "SELECT COUNT(*) AS n FROM login_clients");
    return { failures: failures ?? 0, clients: clients ?? 0 };
  }

  // ---- refresh tokens
  async insertRefreshToken(appId: string, deviceId: string, tokenHash: string, time: number): Promise<void> {
    const sql = "INSERT INTO refresh_tokens (token_hash, device_id, app_id, time) VALUES (?, ?, ?, ?)";
    await this.run(sql, [tokenHash, deviceId, appId, time]);
  }
  async hasRefreshToken(appId: string, deviceId: string, tokenHash: string): Promise<boolean> {
    const sql = "SELECT 1 AS x FROM refresh_tokens WHERE token_hash = ? AND device_id = ? AND app_id = ?";
    return (await this.get(sql, [tokenHash, deviceId, appId])) !== undefined;
  }
  async useRefreshToken(
    appId: string,
    deviceId: string,
    tokenHash: string,
    notBefore: number,
    now: number,
  ): Promise<boolean> {
    const changed = await this.run(
      "UPDATE refresh_tokens SET last_used = ? WHERE token_hash = ? AND device_id = ? AND app_id = ? AND COALESCE(last_used, time) >= ?",
      [now, tokenHash, deviceId, appId, notBefore],
    );
    return changed > 0;
  }
  async deleteRefreshToken(tokenHash: string): Promise<void> {
    await this.run("DELETE FROM refresh_tokens WHERE token_hash = ?", [tokenHash]);
  }
  async deleteRefreshTokensOfUser(userId: string): Promise<void> {
    const sql = "DELETE FROM refresh_tokens WHERE device_id IN (SELECT id FROM devices WHERE user_id = ?)";
    await this.run(sql, [userId]);
  }

  // ---- OTP
  async setOtp(userId: string, secret: string | null, alg: string | null): Promise<void> {
    await this.run("UPDATE users SET otp_secret = ?, otp_alg = ? WHERE id = ?", [secret, alg, userId]);
  }
  async listStaleSecrets(currentPrefix: string, limit: number) {
    // The prefix is "enc:v1:<hex>:", free of LIKE wildcards.
    const pattern = `${currentPrefix}%`;
    const pick = async (sql: string) =>
      (await this.all(sql, [pattern, limit])).map((r) => ({ id: s(r.id), value: s(r.value) }));
    return {
      jwtKeys: await pick(
        "SELECT id, sign_key AS value FROM app_jwt_keys WHERE sign_key NOT LIKE ? ORDER BY id LIMIT ?",
      ),
      otpSecrets: await pick(
        "SELECT id, otp_secret AS value FROM users WHERE otp_secret IS NOT NULL AND otp_secret NOT LIKE ? ORDER BY id LIMIT ?",
      ),
      recoveryKeys: await pick(
        "SELECT id, token AS value FROM otp_recovery_keys WHERE token NOT LIKE ? ORDER BY id LIMIT ?",
      ),
      ktLogKeys: await pick(
        "SELECT app_id AS id, sign_key AS value FROM kt_log_keys WHERE sign_key NOT LIKE ? ORDER BY app_id LIMIT ?",
      ),
    };
  }
  async updateSecret(kind: SecretKind, id: string, value: string): Promise<void> {
    const sql = {
      jwtKeys: "UPDATE app_jwt_keys SET sign_key = ? WHERE id = ?",
      otpSecrets: "UPDATE users SET otp_secret = ? WHERE id = ?",
      recoveryKeys: "UPDATE otp_recovery_keys SET token = ? WHERE id = ?",
      ktLogKeys: "UPDATE kt_log_keys SET sign_key = ? WHERE app_id = ?",
    }[kind];
    await this.run(sql, [value, id]);
  }
  async recordOtpStep(userId: string, step: number): Promise<boolean> {
    return (
      (await this.run(
        "UPDATE users SET otp_last_step = ? WHERE id = ? AND (otp_last_step IS NULL OR otp_last_step < ?)",
        [step, userId, step],
      )) > 0
    );
  }
  async insertRecoveryKeys(
    userId: string,
    keys: Array<{ id: string; token: string; tokenHash: string }>,
    time: number,
  ): Promise<void> {
    const rows = keys.map((k) => ({ ...k, userId, time }));
    await this.insertRows("otp_recovery_keys", rows, ["id", "userId", "token", "tokenHash", "time"]);
  }
  async deleteRecoveryKeys(userId: string): Promise<void> {
    await this.run("DELETE FROM otp_recovery_keys WHERE user_id = ?", [userId]);
  }
  async listRecoveryKeys(userId: string): Promise<string[]> {
    return (await this.all("SELECT token FROM otp_recovery_keys WHERE user_id = ? ORDER BY time, id", [userId])).map(
      (r) => s(r.token),
    );
  }
  async consumeRecoveryKey(userId: string, tokenHash: string): Promise<boolean> {
    return (
      (await this.run("DELETE FROM otp_recovery_keys WHERE user_id = ? AND token_hash = ?", [userId, tokenHash])) > 0
    );
  }

  // ---- groups
  async insertGroup(g: GroupRecord): Promise<void> {
    await this.insert("groups_", g, ["id", "appId", "parent", "type", "invite", "isConnectedGroup", "time"]);
  }
  async getGroup(appId: string, groupId: string): Promise<GroupRecord | null> {
    return this.one(groupFromRow, "SELECT * FROM groups_ WHERE id = ? AND app_id = ?", [groupId, appId]);
  }
  async deleteGroup(groupId: string): Promise<void> {
    await this.atomically(async (tx) => {
      for (const table of [
        "group_member_keys",
        "group_key_rotations",
        "group_members",
        "group_keys",
        "group_hmac_keys",
        "group_sortable_keys",
        "group_invites_and_join_reqs",
        "group_key_rotation_starts",
      ]) {
        await tx.run(`DELETE FROM ${table} WHERE group_id = ?`, [groupId]);
      }
      await tx.run("DELETE FROM groups_ WHERE id = ?", [groupId]);
    });
  }
  /** Stores the key and appends its public (and verify) key to the app's transparency log, atomically. */
  async insertGroupKey(k: GroupKeyRecord): Promise<void> {
    await this.atomically(async (tx) => {
      await tx.run(
        `INSERT INTO group_keys (${GROUP_KEY_COLUMNS.map(([, c]) => c).join(", ")}) VALUES (${GROUP_KEY_COLUMNS.map(() => "?").join(", ")})`,
        GROUP_KEY_COLUMNS.map(([f]) => k[f]),
      );
      await tx.appendKtLeaves(k.appId, ktLeavesOfKey(k, await tx.ktSubjectOf(k.appId, k.groupId)));
    });
  }
  /** A user group's keys are the user's (subject "user", the user id); every other group's are the group's. */
  private async ktSubjectOf(appId: string, groupId: string): Promise<{ type: "user" | "group"; id: string }> {
    const group = await this.get("SELECT type FROM groups_ WHERE id = ? AND app_id = ?", [groupId, appId]);
    if (!group || n(group.type) !== 1) return { type: "group", id: groupId };
    const user = await this.get("SELECT id FROM users WHERE user_group_id = ? AND app_id = ?", [groupId, appId]);
    // A user group is created after its user row and before its key (services/users.ts).
    if (!user) throw new Error(`the user of user group ${groupId} is not stored`);
    return { type: "user", id: s(user.id) };
  }
  async getGroupKey(groupId: string, keyId: string): Promise<GroupKeyRecord | null> {
    return this.one(groupKeyFromRow, "SELECT * FROM group_keys WHERE id = ? AND group_id = ?", [keyId, groupId]);
  }
  async getNewestGroupKey(appId: string, groupId: string): Promise<GroupKeyRecord | null> {
    return this.one(
      groupKeyFromRow,
      "SELECT * FROM group_keys WHERE group_id = ? AND app_id = ? ORDER BY time DESC, id DESC LIMIT 1",
      [groupId, appId],
    );
  }
  async clearEphemeralKey(keyId: string): Promise<void> {
    await this.run("UPDATE group_keys SET encrypted_ephemeral_key = NULL WHERE id = ?", [keyId]);
  }
  async insertHmacKey(k: HmacKeyRecord): Promise<void> {
    const key = ["encryptedHmacKey", "encryptedHmacAlg", "encryptedHmacEncryptionKeyId"] as const;
    await this.insert("group_hmac_keys", k, ["id", "groupId", "appId", ...key, "time"]);
  }
  async insertSortableKey(k: SortableKeyRecord): Promise<void> {
    const key = ["encryptedSortableKey", "encryptedSortableAlg", "encryptedSortableEncryptionKeyId"] as const;
    await this.insert("group_sortable_keys", k, ["id", "groupId", "appId", ...key, "time"]);
  }
  async listHmacKeys(groupId: string, c: Cursor): Promise<HmacKeyRecord[]> {
    return (await this.pageDesc("SELECT * FROM group_hmac_keys WHERE group_id = ?", "time", "id", c, [groupId])).map(
      hmacKeyFromRow,
    );
  }
  async insertMember(m: MemberRecord): Promise<void> {
    const fields = ["userId", "groupId", "time", "rank", "keyUploadSessionId", "type"] as const;
    await this.insertOrConflict("already a member", "group_members", m, fields);
  }
  async getMember(groupId: string, userId: string): Promise<MemberRecord | null> {
    return this.one(memberFromRow, "SELECT * FROM group_members WHERE group_id = ? AND user_id = ?", [groupId, userId]);
  }
  async listMembers(groupId: string): Promise<MemberRecord[]> {
    return this.many(memberFromRow, "SELECT * FROM group_members WHERE group_id = ? ORDER BY time, user_id", [groupId]);
  }
  async findMemberBySession(groupId: string, sessionId: string): Promise<MemberRecord | null> {
    const sql = "SELECT * FROM group_members WHERE group_id = ? AND key_upload_session_id = ?";
    return this.one(memberFromRow, sql, [groupId, sessionId]);
  }
  async insertMemberKeys(rows: MemberKeyRecord[]): Promise<void> {
    // The key id's column is k_id.
    const records = rows.map(({ keyId: kId, ...m }) => ({ kId, ...m }));
    const fields = [
      "kId",
      "userId",
      "groupId",
      "encryptedGroupKey",
      "encryptedAlg",
      "encryptedGroupKeyKeyId",
      "time",
    ] as const;
    await this.insertRows("group_member_keys", records, fields, "ON CONFLICT (k_id, user_id) DO NOTHING");
  }
  async listMemberKeys(groupId: string, userId: string, c: Cursor): Promise<MemberKeyView[]> {
    const base = `SELECT ${GK_SELECT}, ${MK_SELECT} FROM group_member_keys m JOIN group_keys k ON k.id = m.k_id WHERE m.group_id = ? AND m.user_id = ?`;
    return (await this.pageDesc(base, "k.time", "k.id", c, [groupId, userId])).map(memberKeyViewFromRow);
  }
  async getMemberKey(groupId: string, userId: string, keyId: string): Promise<MemberKeyView | null> {
    return this.one(
      memberKeyViewFromRow,
      `SELECT ${GK_SELECT}, ${MK_SELECT} FROM group_member_keys m JOIN group_keys k ON k.id = m.k_id WHERE m.group_id = ? AND m.user_id = ? AND m.k_id = ?`,
      [groupId, userId, keyId],
    );
  }
  async insertRotations(rows: RotationRecord[]): Promise<void> {
    const fields = ["keyId", "userId", "groupId", "encryptedEphemeralKey", "encryptedEphKeyKeyId", "error"] as const;
    await this.insertRows("group_key_rotations", rows, fields, "ON CONFLICT (key_id, user_id) DO NOTHING");
  }
  async listRotations(groupId: string, userId: string): Promise<RotationView[]> {
    return (
      await this.all(
        `SELECT ${GK_SELECT}, r.key_id, r.user_id, r.group_id, r.encrypted_ephemeral_key AS r_eph, r.encrypted_eph_key_key_id, r.error
         FROM group_key_rotations r JOIN group_keys k ON k.id = r.key_id WHERE r.group_id = ? AND r.user_id = ? ORDER BY k.time, k.id`,
        [groupId, userId],
      )
    ).map((r) => ({ key: groupKeyFromRow(r, "k_"), rotation: rotationFromRow(r) }));
  }
  async deleteRotation(keyId: string, userId: string): Promise<boolean> {
    return (await this.run("DELETE FROM group_key_rotations WHERE key_id = ? AND user_id = ?", [keyId, userId])) > 0;
  }
  async listInvitesForUser(
    appId: string,
    userId: string,
    c: Cursor,
  ): Promise<Array<{ groupId: string; time: number }>> {
    const base =
      "SELECT i.group_id, i.time FROM group_invites_and_join_reqs i JOIN groups_ g ON g.id = i.group_id WHERE g.app_id = ? AND i.user_id = ? AND i.type = 0";
    return (await this.pageDesc(base, "i.time", "i.group_id", c, [appId, userId])).map((r) => ({
      groupId: s(r.group_id),
      time: n(r.time),
    }));
  }

  // ---- groups: structure and lists
  async setGroupInvite(groupId: string, invite: boolean): Promise<void> {
    await this.run("UPDATE groups_ SET invite = ? WHERE id = ?", [invite ? 1 : 0, groupId]);
  }
  async listChildGroups(groupId: string, c: Cursor): Promise<GroupRecord[]> {
    return (await this.pageAsc("SELECT * FROM groups_ WHERE parent = ?", "time", "id", c, [groupId])).map(groupFromRow);
  }
  async listChildGroupIds(groupId: string): Promise<string[]> {
    return (await this.all("SELECT id FROM groups_ WHERE parent = ?", [groupId])).map((r) => s(r.id));
  }
  async listGroupsOfMember(appId: string, memberId: string, c: Cursor): Promise<MembershipView[]> {
    return (
      await this.pageAsc(
        `SELECT g.*, m.user_id AS m_user_id, m.group_id AS m_group_id, m.time AS m_time, m.rank AS m_rank,
           m.key_upload_session_id AS m_key_upload_session_id, m.type AS m_type
         FROM group_members m JOIN groups_ g ON g.id = m.group_id WHERE g.app_id = ? AND g.type = 0 AND m.user_id = ? AND m.type IN (0, 2)`,
        "g.time",
        "g.id",
        c,
        [appId, memberId],
      )
    ).map((r) => ({
      group: groupFromRow(r),
      member: memberFromRow({
        user_id: r.m_user_id,
        group_id: r.m_group_id,
        time: r.m_time,
        rank: r.m_rank,
        key_upload_session_id: r.m_key_upload_session_id,
        type: r.m_type,
      }),
    }));
  }
  async listMembersPage(groupId: string, excludeUserId: string, c: Cursor): Promise<MemberRecord[]> {
    const base = "SELECT * FROM group_members WHERE group_id = ? AND user_id <> ?";
    return (await this.pageAsc(base, "time", "user_id", c, [groupId, excludeUserId])).map(memberFromRow);
  }
  async countMembersWithRank(groupId: string, maxRank: number): Promise<number> {
    return n(
      (await this.get("SELECT COUNT(*) AS c FROM group_members WHERE group_id = ? AND rank <= ?", [groupId, maxRank]))
        ?.c ?? 0,
    );
  }
  async updateMemberRank(groupId: string, userId: string, rank: number): Promise<void> {
    await this.run("UPDATE group_members SET rank = ? WHERE group_id = ? AND user_id = ?", [rank, groupId, userId]);
  }
  async deleteMember(groupId: string, userId: string): Promise<void> {
    await this.atomically(async (tx) => {
      for (const table of ["group_member_keys", "group_key_rotations", "group_members"]) {
        await tx.run(`DELETE FROM ${table} WHERE group_id = ? AND user_id = ?`, [groupId, userId]);
      }
    });
  }
  async deleteMemberKeys(groupId: string, userId: string): Promise<void> {
    await this.run("DELETE FROM group_member_keys WHERE group_id = ? AND user_id = ?", [groupId, userId]);
  }
  async deleteMembershipsOfGroup(groupId: string): Promise<void> {
    await this.atomically((tx) =>
      tx.deleteRowsOfMember(groupId, [
        "group_member_keys",
        "group_key_rotations",
        "group_members",
        "group_invites_and_join_reqs",
      ]),
    );
  }
  async listSortableKeys(groupId: string, c: Cursor): Promise<SortableKeyRecord[]> {
    return (
      await this.pageDesc("SELECT * FROM group_sortable_keys WHERE group_id = ?", "time", "id", c, [groupId])
    ).map(sortableKeyFromRow);
  }

  // ---- invites and join requests
  async insertGroupRequest(x: GroupRequestRecord): Promise<void> {
    const fields = ["userId", "groupId", "type", "time", "keyUploadSessionId", "userType", "newUserRank"] as const;
    await this.insertOrConflict("request exists", "group_invites_and_join_reqs", x, fields);
  }
  async getGroupRequest(groupId: string, userId: string): Promise<GroupRequestRecord | null> {
    const sql = "SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND user_id = ?";
    return this.one(requestFromRow, sql, [groupId, userId]);
  }
  async findInviteBySession(groupId: string, sessionId: string): Promise<GroupRequestRecord | null> {
    return this.one(
      requestFromRow,
      "SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND type = 0 AND key_upload_session_id = ?",
      [groupId, sessionId],
    );
  }
  async deleteGroupRequest(groupId: string, userId: string, type: number): Promise<boolean> {
    const sql = "DELETE FROM group_invites_and_join_reqs WHERE group_id = ? AND user_id = ? AND type = ?";
    return (await this.run(sql, [groupId, userId, type])) > 0;
  }
  async listRequestsOfMember(appId: string, userId: string, type: number, c: Cursor): Promise<GroupRequestRecord[]> {
    return (
      await this.pageDesc(
        "SELECT i.* FROM group_invites_and_join_reqs i JOIN groups_ g ON g.id = i.group_id WHERE g.app_id = ? AND i.user_id = ? AND i.type = ?",
        "i.time",
        "i.group_id",
        c,
        [appId, userId, type],
      )
    ).map(requestFromRow);
  }
  async listJoinRequestsOfGroup(groupId: string, c: Cursor): Promise<GroupRequestRecord[]> {
    return (
      await this.pageAsc(
        "SELECT * FROM group_invites_and_join_reqs WHERE group_id = ? AND type = 1",
        "time",
        "user_id",
        c,
        [groupId],
      )
    ).map(requestFromRow);
  }

  // ---- group key rotation
  async hasRotation(groupId: string, userId: string): Promise<boolean> {
    const sql = "SELECT 1 AS x FROM group_key_rotations WHERE group_id = ? AND user_id = ? LIMIT 1";
    return (await this.get(sql, [groupId, userId])) !== undefined;
  }
  async countKeyRotationsSince(groupId: string, time: number): Promise<number> {
    return n(
      (
        await this.get(
          "SELECT COUNT(*) AS c FROM group_keys WHERE group_id = ? AND previous_group_key_id IS NOT NULL AND time >= ?",
          [groupId, time],
        )
      )?.c ?? 0,
    );
  }
  async recordRotationStart(groupId: string, keyId: string, startedBy: string, time: number): Promise<void> {
    const sql = "INSERT INTO group_key_rotation_starts (key_id, group_id, started_by, time) VALUES (?, ?, ?, ?)";
    await this.run(sql, [keyId, groupId, startedBy, time]);
  }
  async countRotationsStartedBy(groupId: string, startedBy: string, time: number): Promise<number> {
    return n(
      (
        await this.get(
          "SELECT COUNT(*) AS c FROM group_key_rotation_starts WHERE group_id = ? AND started_by = ? AND time >= ?",
          [groupId, startedBy, time],
        )
      )?.c ?? 0,
    );
  }
  async listMembersWithoutRotation(groupId: string, keyId: string, limit: number): Promise<MemberRecord[]> {
    return (
      await this.all(
        `SELECT m.* FROM group_members m WHERE m.group_id = ?
           AND NOT EXISTS (SELECT 1 FROM group_member_keys k WHERE k.k_id = ? AND k.user_id = m.user_id)
           AND NOT EXISTS (SELECT 1 FROM group_key_rotations r WHERE r.key_id = ? AND r.user_id = m.user_id)
         ORDER BY m.time, m.user_id LIMIT ?`,
        [groupId, keyId, keyId, limit],
      )
    ).map(memberFromRow);
  }
  async listUnfinishedRotations(): Promise<GroupKeyRecord[]> {
    return (await this.all("SELECT * FROM group_keys WHERE encrypted_ephemeral_key IS NOT NULL ORDER BY time, id")).map(
      (r) => groupKeyFromRow(r),
    );
  }
  async lockUnfinishedRotation(groupId: string, keyId: string): Promise<GroupKeyRecord | null> {
    // A rotation another process's worker holds is not waited for (skipped): that worker finishes it.
    return this.one(
      groupKeyFromRow,
      `SELECT * FROM group_keys WHERE id = ? AND group_id = ? AND encrypted_ephemeral_key IS NOT NULL${this.dialect.claimRow}`,
      [keyId, groupId],
    );
  }

  // ---- sym keys
  async insertSymKey(k: SymKeyRecord): Promise<void> {
    const fields = ["id", "appId", "masterKeyId", "creatorId", "encryptedKey", "masterKeyAlg", "time"] as const;
    await this.insert("sym_keys", k, fields);
  }
  async getSymKey(appId: string, keyId: string): Promise<SymKeyRecord | null> {
    return this.one(symKeyFromRow, "SELECT * FROM sym_keys WHERE id = ? AND app_id = ?", [keyId, appId]);
  }
  async listSymKeysByMasterKey(appId: string, masterKeyId: string, c: Cursor): Promise<SymKeyRecord[]> {
    const base = "SELECT * FROM sym_keys WHERE app_id = ? AND master_key_id = ?";
    return (await this.pageDesc(base, "time", "id", c, [appId, masterKeyId])).map(symKeyFromRow);
  }
  async deleteSymKey(appId: string, keyId: string, creatorId: string): Promise<boolean> {
    const sql = "DELETE FROM sym_keys WHERE id = ? AND app_id = ? AND creator_id = ?";
    return (await this.run(sql, [keyId, appId, creatorId])) > 0;
  }

  // ---- files
  async insertFile(f: FileRecord): Promise<void> {
    await this.insert("files", f, [
      "id",
      "appId",
      "owner",
      "belongsTo",
      "belongsToType",
      "encryptedKey",
      "encryptedKeyAlg",
      "masterKeyId",
      "encryptedFileName",
      "time",
      "status",
      "deleteAt",
    ]);
  }
  async getFile(appId: string, fileId: string): Promise<FileRecord | null> {
    return this.one(fileFromRow, "SELECT * FROM files WHERE id = ? AND app_id = ?", [fileId, appId]);
  }
  async updateFileName(fileId: string, encryptedFileName: string | null): Promise<void> {
    await this.run("UPDATE files SET encrypted_file_name = ? WHERE id = ?", [encryptedFileName, fileId]);
  }
  async markFileDeleted(fileId: string, deleteAt: number): Promise<void> {
    await this.atomically(async (tx) => {
      await tx.run("UPDATE files SET status = 0, delete_at = ? WHERE id = ? AND status = 1", [deleteAt, fileId]);
      await tx.run("DELETE FROM file_sessions WHERE file_id = ?", [fileId]);
    });
  }
  async markFilesDeletedOf(kind: "group" | "user", id: string, deleteAt: number): Promise<number> {
    if (kind === "group")
      return this.run(
        "UPDATE files SET status = 0, delete_at = ? WHERE belongs_to = ? AND belongs_to_type = 1 AND status = 1",
        [deleteAt, id],
      );
    return this.run(
      "UPDATE files SET status = 0, delete_at = ? WHERE status = 1 AND ((belongs_to = ? AND belongs_to_type = 2) OR (owner = ? AND belongs_to_type <> 1))",
      [deleteAt, id, id],
    );
  }
  async insertFileSession(x: FileSessionRecord): Promise<void> {
    const fields = ["id", "fileId", "appId", "createdAt", "expectedSize", "maxChunkSize"] as const;
    await this.insert("file_sessions", x, fields);
  }
  async getFileSession(appId: string, sessionId: string): Promise<FileSessionRecord | null> {
    return this.one(sessionFromRow, "SELECT * FROM file_sessions WHERE id = ? AND app_id = ?", [sessionId, appId]);
  }
  async deleteFileSession(sessionId: string): Promise<void> {
    await this.run("DELETE FROM file_sessions WHERE id = ?", [sessionId]);
  }
  async insertFilePart(p: FilePartRecord): Promise<FilePartRecord | null> {
    return this.atomically(async (tx) => {
      // Parts of one file are recorded one at a time (the file row is the lock), so a retried sequence
      // uploaded twice at once replaces cleanly instead of colliding on (file_id, sequence).
      await tx.get(`SELECT 1 AS x FROM files WHERE id = ?${tx.dialect.lockRow}`, [p.fileId]);
      const sql = "DELETE FROM file_parts WHERE file_id = ? AND sequence = ? RETURNING *";
      const old = await tx.get(sql, [p.fileId, p.sequence]);
      await tx.insert("file_parts", p, ["id", "fileId", "appId", "size", "sequence", "extern"]);
      return old ? partFromRow(old) : null;
    });
  }
  async getLiveFilePart(appId: string, partId: string): Promise<FilePartRecord | null> {
    return this.one(
      partFromRow,
      "SELECT p.* FROM file_parts p JOIN files f ON f.id = p.file_id WHERE p.id = ? AND p.app_id = ? AND f.status = 1",
      [partId, appId],
    );
  }
  async listFileParts(fileId: string, afterSequence: number, limit: number): Promise<FilePartRecord[]> {
    return this.many(
      partFromRow,
      "SELECT * FROM file_parts WHERE file_id = ? AND sequence > CAST(? AS BIGINT) ORDER BY sequence LIMIT ?",
      [fileId, afterSequence, limit],
    );
  }
  async deleteFilePart(appId: string, partId: string): Promise<FilePartRecord | null> {
    return this.one(partFromRow, "DELETE FROM file_parts WHERE id = ? AND app_id = ? RETURNING *", [partId, appId]);
  }
  async listSessionsCreatedBefore(time: number, limit: number): Promise<FileSessionRecord[]> {
    return this.many(
      sessionFromRow,
      "SELECT * FROM file_sessions WHERE created_at < ? ORDER BY created_at, id LIMIT ?",
      [time, limit],
    );
  }
  async listPartsOfDeletedFiles(limit: number): Promise<FilePartRecord[]> {
    return this.many(
      partFromRow,
      "SELECT p.* FROM file_parts p JOIN files f ON f.id = p.file_id WHERE f.status = 0 ORDER BY p.file_id, p.sequence LIMIT ?",
      [limit],
    );
  }
  async deleteFilePartsById(partIds: string[]): Promise<void> {
    await this.inSlices(partIds, (list, slice) => this.run(`DELETE FROM file_parts WHERE id IN (${list})`, [...slice]));
  }
  async purgeDeletedFilesWithoutParts(): Promise<number> {
    return this.run(
      "DELETE FROM files WHERE status = 0 AND NOT EXISTS (SELECT 1 FROM file_parts p WHERE p.file_id = files.id)",
    );
  }
  async existingFilePartIds(partIds: string[]): Promise<string[]> {
    const pages = await this.inSlices(partIds, (list, slice) =>
      this.all(`SELECT id FROM file_parts WHERE id IN (${list})`, [...slice]),
    );
    return pages.flat().map((r) => s(r.id));
  }
  // ---- key transparency log
  async appendKtLeaves(appId: string, leaves: KtAppendLeaf[]): Promise<number> {
    return this.atomically(async (tx) => {
      // The tree row is every append's lock: one writer per app on SQLite (one connection) and PostgreSQL (FOR UPDATE).
      await tx.run("INSERT INTO kt_trees (app_id, tree_size) VALUES (?, 0) ON CONFLICT DO NOTHING", [appId]);
      const row = await tx.get(`SELECT tree_size FROM kt_trees WHERE app_id = ?${this.dialect.lockRow}`, [appId]);
      const first = n(row?.tree_size);
      if (leaves.length === 0) return first;
      const known = await tx.ktNodes(appId, ktFrontierOf(first));
      const read = (level: number, index: number): Uint8Array => {
        const hash = known.get(ktNodeKey(level, index));
        if (!hash) throw new Error(`key transparency log of app ${appId}: node ${level}:${index} is not stored`);
        return hash;
      };
      const leafRecords: KtLeafInsert[] = [];
      const nodeRecords: KtNodeInsert[] = [];
      leaves.forEach((entry, offset) => {
        const idx = first + offset;
        const leafHash = ktLeafHash(entry.leaf);
        for (const node of ktAppendNodes(idx, leafHash, read)) {
          known.set(ktNodeKey(node.level, node.index), node.hash);
          nodeRecords.push({
            appId,
            level: node.level,
            idx: node.index,
            hash: Buffer.from(node.hash).toString("base64"),
          });
        }
        leafRecords.push({
          appId,
          idx,
          leaf: Buffer.from(entry.leaf).toString("base64"),
          leafHash: Buffer.from(leafHash).toString("base64"),
          subjectType: entry.subjectType,
          subjectId: entry.subjectId,
          keyType: entry.keyType,
          keyId: entry.keyId,
        });
      });
      await tx.insertRows("kt_leaves", leafRecords, [
        "appId",
        "idx",
        "leaf",
        "leafHash",
        "subjectType",
        "subjectId",
        "keyType",
        "keyId",
      ]);
      await tx.insertRows("kt_nodes", nodeRecords, ["appId", "level", "idx", "hash"]);
      await tx.run("UPDATE kt_trees SET tree_size = ? WHERE app_id = ?", [first + leaves.length, appId]);
      return first;
    });
  }
  async listUnloggedGroupKeys(limit: number): Promise<GroupKeyRecord[]> {
    return this.many(
      groupKeyFromRow,
      `SELECT * FROM group_keys k WHERE NOT EXISTS
         (SELECT 1 FROM kt_leaves l WHERE l.app_id = k.app_id AND l.key_id = k.id AND l.key_type = 'public')
       ORDER BY k.time, k.id LIMIT ?`,
      [limit],
    );
  }
  async logStoredGroupKey(key: GroupKeyRecord): Promise<boolean> {
    return this.atomically(async (tx) => {
      await tx.run("INSERT INTO kt_trees (app_id, tree_size) VALUES (?, 0) ON CONFLICT DO NOTHING", [key.appId]);
      await tx.get(`SELECT tree_size FROM kt_trees WHERE app_id = ?${this.dialect.lockRow}`, [key.appId]);
      if (await tx.getKtLeafOfKey(key.appId, key.id, "public")) return false;
      await tx.appendKtLeaves(key.appId, ktLeavesOfKey(key, await tx.ktSubjectOf(key.appId, key.groupId)));
      return true;
    });
  }
  async ktTreeSize(appId: string): Promise<number> {
    const row = await this.get("SELECT tree_size FROM kt_trees WHERE app_id = ?", [appId]);
    return row ? n(row.tree_size) : 0;
  }
  async ktNodes(
    appId: string,
    nodes: ReadonlyArray<readonly [level: number, index: number]>,
  ): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const byLevel = new Map<number, number[]>();
    for (const [level, index] of nodes) byLevel.set(level, [...(byLevel.get(level) ?? []), index]);
    // One primary-key lookup per level (an OR over (level, idx) pairs would scan the app's nodes), 40 per statement.
    const lookups: Array<{ sql: string; args: unknown[] }> = [];
    for (const [level, indices] of byLevel) {
      for (let i = 0; i < indices.length; i += 500) {
        const slice = indices.slice(i, i + 500);
        lookups.push({
          sql: `SELECT level, idx, hash FROM kt_nodes WHERE app_id = ? AND level = ? AND idx IN (${slice.map(() => "?").join(", ")})`,
          args: [appId, level, ...slice],
        });
      }
    }
    for (let i = 0; i < lookups.length; i += 40) {
      const part = lookups.slice(i, i + 40);
      const rows = await this.all(
        part.map((l) => l.sql).join(" UNION ALL "),
        part.flatMap((l) => l.args),
      );
      for (const r of rows) out.set(ktNodeKey(n(r.level), n(r.idx)), new Uint8Array(Buffer.from(s(r.hash), "base64")));
    }
    return out;
  }
  async listKtLeaves(appId: string, start: number, end: number): Promise<KtLeafRow[]> {
    return this.many(ktLeafFromRow, `${KT_LEAF_SELECT} WHERE app_id = ? AND idx >= ? AND idx < ? ORDER BY idx`, [
      appId,
      start,
      end,
    ]);
  }
  async listKtLeavesOfSubject(
    appId: string,
    subjectType: "user" | "group",
    subjectId: string,
    limit: number,
  ): Promise<KtLeafRow[]> {
    return this.many(
      ktLeafFromRow,
      `${KT_LEAF_SELECT} WHERE app_id = ? AND subject_type = ? AND subject_id = ? ORDER BY idx LIMIT ?`,
      [appId, subjectType, subjectId, limit],
    );
  }
  async getKtLeafOfKey(appId: string, keyId: string, keyType: "public" | "verify"): Promise<KtLeafRow | null> {
    return this.one(ktLeafFromRow, `${KT_LEAF_SELECT} WHERE app_id = ? AND key_id = ? AND key_type = ?`, [
      appId,
      keyId,
      keyType,
    ]);
  }
  async getKtHead(appId: string, treeSize: number | null): Promise<KtHeadRecord | null> {
    if (treeSize !== null)
      return this.one(ktHeadFromRow, "SELECT * FROM kt_heads WHERE app_id = ? AND tree_size = ?", [appId, treeSize]);
    return this.one(ktHeadFromRow, "SELECT * FROM kt_heads WHERE app_id = ? ORDER BY tree_size DESC LIMIT 1", [appId]);
  }
  async insertKtHead(appId: string, head: KtHeadRecord): Promise<void> {
    const record = {
      appId,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      signedAt: head.timestamp,
      signature: head.signature,
    };
    await this.insert(
      "kt_heads",
      record,
      ["appId", "treeSize", "rootHash", "signedAt", "signature"],
      "ON CONFLICT DO NOTHING",
    );
  }
  async getKtLogKey(appId: string): Promise<KtLogKeyRecord | null> {
    return this.one(
      (r) => ({ appId: s(r.app_id), signKey: s(r.sign_key), verifyKey: s(r.verify_key), time: n(r.time) }),
      "SELECT * FROM kt_log_keys WHERE app_id = ?",
      [appId],
    );
  }
  async insertKtLogKey(key: KtLogKeyRecord): Promise<void> {
    await this.insert("kt_log_keys", key, ["appId", "signKey", "verifyKey", "time"], "ON CONFLICT DO NOTHING");
  }
}

/**
 * The store: the queries on the driver's direct session, and transactions that hand out the queries on
 * the transaction's session. Methods throw `StoreConflictError` where a uniqueness rule refuses a write,
 * and pass on what the driver throws otherwise.
 * @example const store = new SqlStore(openSqliteDriver({ path: ":memory:" }));
 */
function ktLeafFromRow(r: Row): KtLeafRow {
  return {
    index: n(r.idx),
    leaf: s(r.leaf),
    leafHash: s(r.leaf_hash),
    subjectType: s(r.subject_type) as KtLeafRow["subjectType"],
    subjectId: s(r.subject_id),
    keyType: s(r.key_type) as KtLeafRow["keyType"],
    keyId: s(r.key_id),
  };
}
const ktHeadFromRow = (r: Row): KtHeadRecord => ({
  treeSize: n(r.tree_size),
  rootHash: s(r.root_hash),
  timestamp: n(r.signed_at),
  signature: s(r.signature),
});
const KT_LEAF_SELECT = "SELECT idx, leaf, leaf_hash, subject_type, subject_id, key_type, key_id FROM kt_leaves";

export class SqlStore extends SqlOps implements Store {
  readonly kind: string;
  constructor(driver: SqlDriver) {
    super(driver, driver.direct, false);
    this.kind = driver.kind;
  }
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.driver.transaction((session) => fn(new SqlOps(this.driver, session, true)));
  }
  async checkReady(): Promise<void> {
    const rows = await this.driver.direct.all("SELECT version FROM schema_migrations", []);
    assertMigrationsApplied(rows.map((row) => Number(row.version)));
  }

  connectionStats(): ConnectionStats {
    return this.driver.connectionStats();
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
