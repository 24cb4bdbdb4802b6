/**
 * The storage interface of the server. Every method is async so that a networked database (PostgreSQL)
 * can implement it unchanged; nothing here exposes SQLite semantics. Services call `transaction` for
 * anything that must be atomic; inside it they use only the `tx` they are given.
 *
 * Times are milliseconds since the epoch. Ids are strings (UUID v7, made by the services).
 */
import type { ConnectionStats } from "./health.js";

export type TokenKind = "public" | "secret";

export interface AppRecord {
  id: string;
  identifier: string;
  hashedPublicToken: string;
  hashedSecretToken: string;
  /** The public token in clear (it is not a secret: browsers ship it); null when unknown. */
  publicToken: string | null;
  /** JSON texts, keyed by sentc's field names. */
  options: string;
  groupOptions: string;
  fileOptions: string;
  disabled: boolean;
  time: number;
}

export interface JwtKeyRecord {
  id: string;
  appId: string;
  /** base64 of the PKCS#8 DER document. */
  signKey: string;
  /** base64 of the raw uncompressed P-384 point (97 bytes). */
  verifyKey: string;
  alg: string;
  time: number;
}

export interface UserRecord {
  id: string;
  appId: string;
  userGroupId: string;
  time: number;
  otpSecret: string | null;
  otpAlg: string | null;
}

export interface DeviceKeyMaterial {
  clientRandomValue: string;
  hashedAuthKey: string;
  derivedAlg: string;
  encryptedMasterKey: string;
  masterKeyAlg: string;
  encryptedMasterKeyAlg: string;
  publicKey: string;
  encryptedPrivateKey: string;
  keypairEncryptAlg: string;
  verifyKey: string;
  encryptedSignKey: string;
  keypairSignAlg: string;
}

export interface DeviceRecord extends DeviceKeyMaterial {
  id: string;
  /** null while the device registration is pending. */
  userId: string | null;
  appId: string;
  /** base64(SHA-256(identifier)). */
  deviceIdentifier: string;
  time: number;
  /** SHA-256 of the pending-registration token, base64; null once confirmed. */
  registerTokenHash: string | null;
}

export interface GroupRecord {
  id: string;
  appId: string;
  parent: string | null;
  /** 0 normal group, 1 user group. */
  type: number;
  invite: boolean;
  isConnectedGroup: boolean;
  time: number;
}

export interface GroupKeyRecord {
  id: string;
  groupId: string;
  appId: string;
  privateKeyPairAlg: string;
  encryptedPrivateKey: string;
  publicKey: string;
  groupKeyAlg: string;
  encryptedEphemeralKey: string | null;
  encryptedGroupKeyByEphKey: string | null;
  previousGroupKeyId: string | null;
  ephemeralAlg: string | null;
  time: number;
  encryptedSignKey: string | null;
  verifyKey: string | null;
  keypairSignAlg: string | null;
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
  groupKeySig: string | null;
  publicKeySig: string | null;
  publicKeySigKeyId: string | null;
  /** At a user key rotation: the new verify key signed with the previous sign key (sentc-as extra). */
  verifyKeyCrossSig: string | null;
  /** A group's public key signed by the user who made it, that user and its sign key id (sentc-as extras). */
  publicGroupKeySig: string | null;
  publicGroupKeySigUserId: string | null;
  publicGroupKeySigKeyId: string | null;
}

export interface MemberRecord {
  userId: string;
  groupId: string;
  time: number;
  rank: number;
  keyUploadSessionId: string | null;
  /** 0 user or device, 1 parent group, 2 group as member. */
  type: number;
}

export interface MemberKeyRecord {
  keyId: string;
  userId: string;
  groupId: string;
  encryptedGroupKey: string;
  encryptedAlg: string;
  encryptedGroupKeyKeyId: string;
  time: number;
}

/** A member's key row joined with the group key it opens. */
export interface MemberKeyView {
  key: GroupKeyRecord;
  member: MemberKeyRecord;
}

export interface HmacKeyRecord {
  id: string;
  groupId: string;
  appId: string;
  encryptedHmacKey: string;
  encryptedHmacAlg: string;
  encryptedHmacEncryptionKeyId: string;
  time: number;
}

export interface SortableKeyRecord {
  id: string;
  groupId: string;
  appId: string;
  encryptedSortableKey: string;
  encryptedSortableAlg: string;
  encryptedSortableEncryptionKeyId: string;
  time: number;
}

export interface RotationRecord {
  keyId: string;
  userId: string;
  groupId: string;
  encryptedEphemeralKey: string;
  encryptedEphKeyKeyId: string;
  error: string | null;
}

/** A pending rotation joined with its new key. */
export interface RotationView {
  rotation: RotationRecord;
  key: GroupKeyRecord;
}

/** A pending invite (type 0, group → member) or join request (type 1, member → group). */
export interface GroupRequestRecord {
  /** The invited / requesting user or group. */
  userId: string;
  groupId: string;
  /** 0 invite, 1 join request. */
  type: number;
  time: number;
  keyUploadSessionId: string | null;
  /** 0 user, 2 group (the membership type it becomes). */
  userType: number;
  newUserRank: number;
}

/** A membership joined with its group (group lists). */
export interface MembershipView {
  group: GroupRecord;
  member: MemberRecord;
}

/** Cursor pagination (api.md §1.7): time 0 = first page. */
export interface Cursor {
  time: number;
  id: string;
  limit: number;
}

/** Thrown by a store when an insert violates a uniqueness rule (e.g. an identifier already taken). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
}

/**
 * Thrown by a store when a transaction still conflicted with concurrent ones after every retry
 * (PostgreSQL serialization failures and deadlocks): the request may be sent again (HTTP 503).
 */
export class StoreBusyError extends Error {
  override readonly name = "StoreBusyError";
}

// ---- symmetric keys (api.md §3.7) and files (§3.8); the bytes of file parts live in a `BlobStore`
// (file-blobs.ts), the store only records them.

export interface SymKeyRecord {
  id: string;
  appId: string;
  masterKeyId: string;
  /** The user that registered the key (only they can delete it). */
  creatorId: string;
  encryptedKey: string;
  masterKeyAlg: string;
  time: number;
}

/** sentc's `belongs_to_type` as stored: 0 None, 1 Group, 2 User. */
export type BelongsToTypeCode = 0 | 1 | 2;

export interface FileRecord {
  id: string;
  appId: string;
  /** The user that registered the file. */
  owner: string;
  belongsTo: string | null;
  belongsToType: BelongsToTypeCode;
  encryptedKey: string;
  encryptedKeyAlg: string;
  masterKeyId: string;
  encryptedFileName: string | null;
  time: number;
  /** 1 available, 0 deleted (parts are removed by the cleanup). */
  status: 0 | 1;
  deleteAt: number | null;
}

export interface FilePartRecord {
  id: string;
  fileId: string;
  appId: string;
  size: number;
  sequence: number;
  /** Stored in the customer's storage (file_storage 1), not here. */
  extern: boolean;
}

export interface FileSessionRecord {
  id: string;
  fileId: string;
  appId: string;
  createdAt: number;
  /** Unused by sentc's clients; kept for the wire-compatible schema. */
  expectedSize: number;
  maxChunkSize: number;
}

/** What a failed-login counter counts: a client address or a hashed identifier. */
export type LoginScope = "client" | "identifier";

/** The kinds of secrets at rest (server/secrets.ts). */
export type SecretKind = "jwtKeys" | "otpSecrets" | "recoveryKeys" | "ktLogKeys";

export interface StoreOps {
  // apps
  getAppByTokenHash(hash: string): Promise<{ app: AppRecord; kind: TokenKind } | null>;
  getApp(appId: string): Promise<AppRecord | null>;
  listApps(): Promise<AppRecord[]>;
  upsertApp(app: AppRecord): Promise<void>;
  insertJwtKey(key: JwtKeyRecord): Promise<void>;
  getJwtKey(appId: string, keyId: string): Promise<JwtKeyRecord | null>;
  /** The newest key of the app (new JWTs are signed with it). */
  getNewestJwtKey(appId: string): Promise<JwtKeyRecord | null>;
  // app management (server/admin)
  /** The app's JWT keys, oldest first. */
  listJwtKeys(appId: string): Promise<JwtKeyRecord[]>;
  /** Removes one JWT key; false when the app has no such key. */
  deleteJwtKey(appId: string, keyId: string): Promise<boolean>;
  /**
   * Removes every user, device, group, key and sym key of the app and marks its files deleted (the file
   * cleanup removes their parts); the app, its tokens, options and JWT keys stay.
   */
  deleteAppData(appId: string, now: number): Promise<void>;
  /** Removes the app and its JWT keys (after `deleteAppData`); false when there is no such app. */
  deleteApp(appId: string): Promise<boolean>;

  // users and devices
  identifierExists(appId: string, hashedIdentifier: string): Promise<boolean>;
  insertUser(user: UserRecord): Promise<void>;
  setUserGroup(userId: string, groupId: string): Promise<void>;
  getUser(appId: string, userId: string): Promise<UserRecord | null>;
  /** Inserts a device; throws StoreConflictError when the identifier is taken in the app. */
  insertDevice(device: DeviceRecord): Promise<void>;
  /** A registered (confirmed) device by its hashed identifier. */
  getDeviceByIdentifier(appId: string, hashedIdentifier: string): Promise<DeviceRecord | null>;
  getDevice(appId: string, deviceId: string): Promise<DeviceRecord | null>;
  /** A pending device by its registration token, created at `createdSince` or later. */
  getPendingDeviceByToken(appId: string, tokenHash: string, createdSince: number): Promise<DeviceRecord | null>;
  /** Deletes the pending device of the identifier when it was created before `createdBefore`; false when there is none. */
  deletePendingDevice(appId: string, hashedIdentifier: string, createdBefore: number): Promise<boolean>;
  /** Deletes every pending device (all apps) created before `time`; returns how many. */
  deletePendingDevicesBefore(time: number): Promise<number>;
  confirmDevice(deviceId: string, userId: string): Promise<void>;
  listDevices(userId: string, cursor: Cursor): Promise<DeviceRecord[]>;
  listDeviceIds(userId: string): Promise<string[]>;
  /** Throws StoreConflictError when the identifier is taken. */
  updateDeviceIdentifier(deviceId: string, hashedIdentifier: string): Promise<void>;
  /** Updates the password-derived data when the stored hashed auth key still equals `oldHashedAuthKey`. */
  changeDevicePassword(
    deviceId: string,
    oldHashedAuthKey: string,
    data: Pick<
      DeviceKeyMaterial,
      "clientRandomValue" | "hashedAuthKey" | "encryptedMasterKey" | "encryptedMasterKeyAlg" | "derivedAlg"
    >,
  ): Promise<boolean>;
  /** Overwrites the given key material of a device; false when the device does not exist. */
  updateDeviceKeys(deviceId: string, data: Partial<DeviceKeyMaterial>): Promise<boolean>;
  /** Deletes a device with its refresh tokens, login challenges, memberships, member keys and rotations. */
  deleteDevice(deviceId: string): Promise<void>;
  /** Deletes a user with devices, tokens, challenges, OTP recovery keys, memberships and member keys. */
  deleteUser(userId: string): Promise<void>;

  // login challenges (stored hashed)
  insertChallenge(appId: string, deviceId: string, challengeHash: string, time: number): Promise<void>;
  /** True when a challenge newer than `notBefore` matched; all of the device's challenges are then gone. */
  consumeChallenge(appId: string, deviceId: string, challengeHash: string, notBefore: number): Promise<boolean>;
  deleteChallengesBefore(time: number): Promise<void>;

  // failed-login counters (docs/server.md "Failed logins")
  /**
   * Counts one failure of `subject` (a client address or a hashed identifier) in a fixed window: a window
   * that started at or before `now - windowMs` is over, and the count restarts at 1. Returns the new count.
   */
  addLoginFailure(scope: LoginScope, appId: string, subject: string, now: number, windowMs: number): Promise<number>;
  /** The failures of `subject` in the window still open at `now`, with its start; null when none. */
  getLoginFailures(
    scope: LoginScope,
    appId: string,
    subject: string,
    now: number,
    windowMs: number,
  ): Promise<{ failures: number; windowStart: number } | null>;
  /** Deletes counters whose window started before `time`; returns how many. */
  deleteLoginFailuresBefore(time: number): Promise<number>;
  /** Remembers that `client` logged in successfully for the identifier at `time`. */
  rememberLoginClient(appId: string, identifier: string, client: string, time: number): Promise<void>;
  /** Whether `client` logged in successfully for the identifier at or after `since`. */
  isKnownLoginClient(appId: string, identifier: string, client: string, since: number): Promise<boolean>;
  /** Forgets login clients last seen before `time`; returns how many. */
  deleteLoginClientsBefore(time: number): Promise<number>;
  /** How many failure counters and known login clients are stored (operations, tests). */
  countLoginLimitRows(): Promise<{ failures: number; clients: number }>;

  // refresh tokens (stored hashed)
  insertRefreshToken(appId: string, deviceId: string, tokenHash: string, time: number): Promise<void>;
  hasRefreshToken(appId: string, deviceId: string, tokenHash: string): Promise<boolean>;
  /**
   * Marks a refresh token as used at `now` when it exists and was last used (or issued) at or after
   * `notBefore` (its idle lifetime); false otherwise.
   */
  useRefreshToken(appId: string, deviceId: string, tokenHash: string, notBefore: number, now: number): Promise<boolean>;
  /** Deletes one refresh token (rotation on use). */
  deleteRefreshToken(tokenHash: string): Promise<void>;
  deleteRefreshTokensOfUser(userId: string): Promise<void>;

  // OTP
  setOtp(userId: string, secret: string | null, alg: string | null): Promise<void>;
  /**
   * Secrets at rest that do not start with `currentPrefix` (another server key, or plain text): JWT sign
   * keys, OTP secrets (by user id) and recovery keys (by row id), at most `limit` of each.
   */
  listStaleSecrets(
    currentPrefix: string,
    limit: number,
  ): Promise<{
    jwtKeys: Array<{ id: string; value: string }>;
    otpSecrets: Array<{ id: string; value: string }>;
    recoveryKeys: Array<{ id: string; value: string }>;
    ktLogKeys: Array<{ id: string; value: string }>;
  }>;
  /** Writes a re-encrypted secret back (see `listStaleSecrets`). */
  updateSecret(kind: SecretKind, id: string, value: string): Promise<void>;
  /** Records the TOTP time step of an accepted code; false when this or a later step was accepted before (replay). */
  recordOtpStep(userId: string, step: number): Promise<boolean>;
  insertRecoveryKeys(
    userId: string,
    keys: Array<{ id: string; token: string; tokenHash: string }>,
    time: number,
  ): Promise<void>;
  deleteRecoveryKeys(userId: string): Promise<void>;
  listRecoveryKeys(userId: string): Promise<string[]>;
  /** Deletes the matching recovery key; false when there is none. */
  consumeRecoveryKey(userId: string, tokenHash: string): Promise<boolean>;

  // groups (the user group in this part; shared with the group API)
  insertGroup(group: GroupRecord): Promise<void>;
  getGroup(appId: string, groupId: string): Promise<GroupRecord | null>;
  /** Deletes a group with its members, keys, member keys, rotations, HMAC and sortable keys and invites. */
  deleteGroup(groupId: string): Promise<void>;
  insertGroupKey(key: GroupKeyRecord): Promise<void>;
  getGroupKey(groupId: string, keyId: string): Promise<GroupKeyRecord | null>;
  getNewestGroupKey(appId: string, groupId: string): Promise<GroupKeyRecord | null>;
  clearEphemeralKey(keyId: string): Promise<void>;
  insertHmacKey(key: HmacKeyRecord): Promise<void>;
  insertSortableKey(key: SortableKeyRecord): Promise<void>;
  listHmacKeys(groupId: string, cursor: Cursor): Promise<HmacKeyRecord[]>;
  insertMember(member: MemberRecord): Promise<void>;
  getMember(groupId: string, userId: string): Promise<MemberRecord | null>;
  listMembers(groupId: string): Promise<MemberRecord[]>;
  findMemberBySession(groupId: string, sessionId: string): Promise<MemberRecord | null>;
  /** Inserts member key rows; existing (key, member) rows are kept. */
  insertMemberKeys(rows: MemberKeyRecord[]): Promise<void>;
  /** Descending by key time (api.md §1.7). */
  listMemberKeys(groupId: string, userId: string, cursor: Cursor): Promise<MemberKeyView[]>;
  getMemberKey(groupId: string, userId: string, keyId: string): Promise<MemberKeyView | null>;
  insertRotations(rows: RotationRecord[]): Promise<void>;
  /** Ascending by key time. */
  listRotations(groupId: string, userId: string): Promise<RotationView[]>;
  /** Deletes the rotation row; false when there was none. */
  deleteRotation(keyId: string, userId: string): Promise<boolean>;
  /** Pending group invites of a user (descending by time). */
  listInvitesForUser(appId: string, userId: string, cursor: Cursor): Promise<Array<{ groupId: string; time: number }>>;

  // groups: structure and lists (part 2)
  setGroupInvite(groupId: string, invite: boolean): Promise<void>;
  /** Direct children, ascending by creation time. */
  listChildGroups(groupId: string, cursor: Cursor): Promise<GroupRecord[]>;
  listChildGroupIds(groupId: string): Promise<string[]>;
  /** Normal groups (type 0) of the app where `memberId` has a row of type 0 or 2, ascending by group time. */
  listGroupsOfMember(appId: string, memberId: string, cursor: Cursor): Promise<MembershipView[]>;
  /** Members ascending by joined time, without `excludeUserId`. */
  listMembersPage(groupId: string, excludeUserId: string, cursor: Cursor): Promise<MemberRecord[]>;
  /** Members with rank ≤ `maxRank`. */
  countMembersWithRank(groupId: string, maxRank: number): Promise<number>;
  updateMemberRank(groupId: string, userId: string, rank: number): Promise<void>;
  /** Deletes a membership with the member's key rows and pending rotations in that group. */
  deleteMember(groupId: string, userId: string): Promise<void>;
  /** Deletes the key rows of a member (or invitee) in a group. */
  deleteMemberKeys(groupId: string, userId: string): Promise<void>;
  /** Every membership, key row, rotation and request in which the group itself is the member. */
  deleteMembershipsOfGroup(groupId: string): Promise<void>;
  listSortableKeys(groupId: string, cursor: Cursor): Promise<SortableKeyRecord[]>;

  // invites and join requests
  /** Throws StoreConflictError when the (member, group) pair already has a request. */
  insertGroupRequest(request: GroupRequestRecord): Promise<void>;
  getGroupRequest(groupId: string, userId: string): Promise<GroupRequestRecord | null>;
  findInviteBySession(groupId: string, sessionId: string): Promise<GroupRequestRecord | null>;
  /** Deletes the request of the given type; false when there was none. */
  deleteGroupRequest(groupId: string, userId: string, type: number): Promise<boolean>;
  /** Requests of one type where `userId` is the member side, descending by time (invites received, join requests sent). */
  listRequestsOfMember(appId: string, userId: string, type: number, cursor: Cursor): Promise<GroupRequestRecord[]>;
  /** Join requests a group received, ascending by time. */
  listJoinRequestsOfGroup(groupId: string, cursor: Cursor): Promise<GroupRequestRecord[]>;

  // group key rotation (the worker's progress is the rotation rows plus the key's stored ephemeral key)
  hasRotation(groupId: string, userId: string): Promise<boolean>;
  /** Rotations started since `time` (keys with a previous key). */
  countKeyRotationsSince(groupId: string, time: number): Promise<number>;
  /** Records who started the rotation that made `keyId` (the per-member monthly quota). */
  recordRotationStart(groupId: string, keyId: string, startedBy: string, time: number): Promise<void>;
  /** Rotations of the group that `startedBy` started since `time`. */
  countRotationsStartedBy(groupId: string, startedBy: string, time: number): Promise<number>;
  /** Members that have neither a key row nor a rotation row for `keyId`, ascending by joined time. */
  listMembersWithoutRotation(groupId: string, keyId: string, limit: number): Promise<MemberRecord[]>;
  /** Keys whose ephemeral key is still stored: rotations the worker has not finished. */
  listUnfinishedRotations(): Promise<GroupKeyRecord[]>;
  /**
   * The key of an unfinished rotation, claimed for the calling transaction so that one worker (of any
   * server process) works on it at a time: null when the rotation is finished or another worker holds it.
   */
  lockUnfinishedRotation(groupId: string, keyId: string): Promise<GroupKeyRecord | null>;

  // sym keys
  insertSymKey(key: SymKeyRecord): Promise<void>;
  getSymKey(appId: string, keyId: string): Promise<SymKeyRecord | null>;
  /** Descending by time ("older than" cursor, api.md §1.7). */
  listSymKeysByMasterKey(appId: string, masterKeyId: string, cursor: Cursor): Promise<SymKeyRecord[]>;
  /** Deletes the key when `creatorId` registered it; false when nothing matched. */
  deleteSymKey(appId: string, keyId: string, creatorId: string): Promise<boolean>;

  // files
  insertFile(file: FileRecord): Promise<void>;
  /** A file of the app, deleted ones included (status tells). */
  getFile(appId: string, fileId: string): Promise<FileRecord | null>;
  updateFileName(fileId: string, encryptedFileName: string | null): Promise<void>;
  /** Sets status 0 and `delete_at` and drops the file's upload sessions. */
  markFileDeleted(fileId: string, deleteAt: number): Promise<void>;

  /**
   * Marks deleted (status 0) the files of a deleted group (those that belong to it) or of a deleted user
   * (those that belong to the user, and those the user owns that belong to no group); returns how many.
   */
  markFilesDeletedOf(kind: "group" | "user", id: string, deleteAt: number): Promise<number>;

  insertFileSession(session: FileSessionRecord): Promise<void>;
  getFileSession(appId: string, sessionId: string): Promise<FileSessionRecord | null>;
  deleteFileSession(sessionId: string): Promise<void>;

  /**
   * Inserts a part. A part with the same file and sequence (a retried upload) is replaced; its record is
   * returned so that its bytes can be removed.
   */
  insertFilePart(part: FilePartRecord): Promise<FilePartRecord | null>;
  /** A part of an available (status 1) file of the app. */
  getLiveFilePart(appId: string, partId: string): Promise<FilePartRecord | null>;
  /** Parts with `sequence > afterSequence`, ascending by sequence. */
  listFileParts(fileId: string, afterSequence: number, limit: number): Promise<FilePartRecord[]>;
  /** Deletes one part of the app; returns it, or null when there was none. */
  deleteFilePart(appId: string, partId: string): Promise<FilePartRecord | null>;

  // ---- cleanup (all apps)
  /** Upload sessions created before `time`. */
  listSessionsCreatedBefore(time: number, limit: number): Promise<FileSessionRecord[]>;
  /** Parts of deleted (status 0) files. */
  listPartsOfDeletedFiles(limit: number): Promise<FilePartRecord[]>;
  deleteFilePartsById(partIds: string[]): Promise<void>;
  /** Removes deleted files that have no parts left; returns how many. */
  purgeDeletedFilesWithoutParts(): Promise<number>;
  /** Which of the ids are recorded parts (any app, any status). */
  existingFilePartIds(partIds: string[]): Promise<string[]>;

  // key transparency log (one per app; docs/server.md "Key transparency log")
  /**
   * Appends leaves to the app's log, serialised per app (the `kt_trees` row is locked), with the perfect-subtree
   * node hashes each leaf completes; returns the index of the first. `insertGroupKey` calls it for every key.
   */
  appendKtLeaves(appId: string, leaves: KtAppendLeaf[]): Promise<number>;
  /**
   * Group keys of any app that have no leaf yet (stored before the log existed), oldest first, at most `limit`.
   */
  listUnloggedGroupKeys(limit: number): Promise<GroupKeyRecord[]>;
  /** Appends a stored key's leaves unless the log already has them (checked under the append lock); true when it did. */
  logStoredGroupKey(key: GroupKeyRecord): Promise<boolean>;
  /** The number of leaves in the app's log (0 when it has none). */
  ktTreeSize(appId: string): Promise<number>;
  /** Perfect-subtree node hashes by `level:index` (only the ones that exist). */
  ktNodes(
    appId: string,
    nodes: ReadonlyArray<readonly [level: number, index: number]>,
  ): Promise<Map<string, Uint8Array>>;
  /** Leaves `start` ≤ index < `end`, by index. */
  listKtLeaves(appId: string, start: number, end: number): Promise<KtLeafRow[]>;
  /** The subject's leaves by index, at most `limit`. */
  listKtLeavesOfSubject(
    appId: string,
    subjectType: "user" | "group",
    subjectId: string,
    limit: number,
  ): Promise<KtLeafRow[]>;
  /** The leaf of a key (one per key and key type). */
  getKtLeafOfKey(appId: string, keyId: string, keyType: "public" | "verify"): Promise<KtLeafRow | null>;
  /** The signed head of `treeSize`, or the newest one (`null`). */
  getKtHead(appId: string, treeSize: number | null): Promise<KtHeadRecord | null>;
  /** Stores a signed head unless one of that size exists (the first one stays). */
  insertKtHead(appId: string, head: KtHeadRecord): Promise<void>;
  getKtLogKey(appId: string): Promise<KtLogKeyRecord | null>;
  /** Stores the app's log key unless it has one (the first one stays). */
  insertKtLogKey(key: KtLogKeyRecord): Promise<void>;
}

/** One leaf of an app's key transparency log (docs/server.md "Key transparency log"). */
export interface KtLeafRow {
  index: number;
  /** The leaf bytes (src/protocol/transparency.ts `encodeKtLeaf`), base64. */
  leaf: string;
  /** RFC 9162 leaf hash of `leaf`, base64. */
  leafHash: string;
  subjectType: "user" | "group";
  subjectId: string;
  keyType: "public" | "verify";
  keyId: string;
}

/** What an append writes for one leaf. */
export interface KtAppendLeaf {
  leaf: Uint8Array;
  subjectType: "user" | "group";
  subjectId: string;
  keyType: "public" | "verify";
  keyId: string;
}

/** A signed tree head as stored (base64 hash and signature). */
export interface KtHeadRecord {
  treeSize: number;
  rootHash: string;
  timestamp: number;
  signature: string;
}

/** An app's log key: the Ed25519 seed sealed at rest (`kt-log-key`), the public key in base64. */
export interface KtLogKeyRecord {
  appId: string;
  signKey: string;
  verifyKey: string;
  time: number;
}

export interface Store extends StoreOps {
  /** Runs `fn` atomically: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** A short description for logs and benchmarks, e.g. "sqlite (WAL)". */
  readonly kind: string;
  /**
   * Resolves when the database answers and every migration of this version is applied (GET /ready).
   * @throws when the store is closed or unreachable, `MigrationsPendingError` when migrations are missing.
   */
  checkReady(): Promise<void>;
  /** How the store's connections are used right now (the `sentc_db_connections` metrics). */
  connectionStats(): ConnectionStats;
  close(): Promise<void>;
}
