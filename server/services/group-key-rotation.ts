/**
 * Group key rotation (api.md §3.5.7): start, the pending rotations of a member, finish; and the worker
 * that re-encrypts the ephemeral key for every member with the member's newest public key.
 *
 * The worker's progress lives in the store: the new key keeps its `encrypted_ephemeral_key` until every
 * member has a key row or a rotation row for it, and rotation rows are written batch by batch. A restart
 * finds the unfinished keys (`resume`) and continues where it stopped; members that already have a row are
 * skipped, so nothing is done twice.
 */
import { SentcError } from "../../src/errors.js";
import { encryptEphemeralKeyForMember } from "../../src/protocol/key-rotation.js";
import { publicKeyFromPemText } from "../../src/protocol/public-keys.js";
import { DEFAULT_GROUP_OPTIONS, type GroupOptions } from "../config.js";
import { isUuid, newId } from "../crypto.js";
import { E } from "../errors.js";
import type { GroupKeyRecord, MemberRecord, RotationRecord, Store, StoreOps } from "../store/types.js";
import type { ServiceContext } from "./context.js";
import { requireRank, type GroupAccess } from "./group-access.js";
import { checkPublicGroupKeySignature } from "./group-key-signature.js";
import { groupKeySignatureColumns, type DoneKeyRotationInput, type KeyRotationInput } from "./inputs.js";

const SUCCESS = "Success";

function groupOptionsOf(json: string | undefined): GroupOptions {
  try {
    const parsed = JSON.parse(json ?? "{}") as Partial<GroupOptions>;
    return {
      max_key_rotation_month:
        typeof parsed.max_key_rotation_month === "number"
          ? parsed.max_key_rotation_month
          : DEFAULT_GROUP_OPTIONS.max_key_rotation_month,
      min_rank_key_rotation:
        typeof parsed.min_rank_key_rotation === "number"
          ? parsed.min_rank_key_rotation
          : DEFAULT_GROUP_OPTIONS.min_rank_key_rotation,
    };
  } catch {
    return { ...DEFAULT_GROUP_OPTIONS };
  }
}

/** The first millisecond of the current UTC month. */
function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The record of a rotation's new key as the client made it (api.md §3.5.7, the group's and the user's).
 * `encryptedEphemeralKey` is stored while members still have to get the ephemeral key; null when they
 * get it in the same transaction.
 * @example const record = rotatedGroupKey(input, { id: newId(), groupId, appId, time: ctx.now() }, null);
 */
export function rotatedGroupKey(
  input: KeyRotationInput,
  key: Pick<GroupKeyRecord, "id" | "groupId" | "appId" | "time">,
  encryptedEphemeralKey: string | null,
): GroupKeyRecord {
  return {
    ...key,
    privateKeyPairAlg: input.keypairEncryptAlg,
    encryptedPrivateKey: input.encryptedPrivateGroupKey,
    publicKey: input.publicGroupKey,
    groupKeyAlg: input.groupKeyAlg,
    encryptedEphemeralKey,
    encryptedGroupKeyByEphKey: input.encryptedGroupKeyByEphemeral,
    previousGroupKeyId: input.previousGroupKeyId,
    ephemeralAlg: input.ephemeralAlg,
    ...groupKeySignatureColumns(input, key.id),
    verifyKeyCrossSig: input.verifyKeyCrossSig,
  };
}

/**
 * `POST /group/:group_id/key_rotation`: rank ≤ `min_rank_key_rotation` (301), fewer than
 * `max_key_rotation_month` rotations this month started by the same user (321), UUID ids (400/1), a
 * known previous key (304), no `verify_key_cross_sig` (400/121). The invoker gets its key row at once; the worker handles everybody else.
 */
export async function startKeyRotation(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  input: KeyRotationInput,
) {
  const options = groupOptionsOf((await ctx.store.getApp(appId))?.groupOptions);
  requireRank(access, options.min_rank_key_rotation);
  if (!isUuid(input.previousGroupKeyId) || !isUuid(input.invokerPublicKeyId)) throw E.idFormat();
  // Only a user's keys have a verify key to cross-sign (user-keys.ts); a group's rotation may not store one.
  if (input.verifyKeyCrossSig !== null)
    throw E.verifyKeyCrossSig("A group key rotation has no verify key to cross-sign");
  if (
    input.signedByUserId !== null &&
    input.signedByUserSignKeyId !== null &&
    (!isUuid(input.signedByUserId) || !isUuid(input.signedByUserSignKeyId))
  ) {
    throw E.idFormat();
  }
  const groupId = access.group.id;
  const key = await ctx.store.transaction(async (tx) => {
    const time = ctx.now();
    // Counted per member (the user behind the request): a member who spends its quota and is then kicked
    // never keeps the others from rotating it out.
    if (
      (await tx.countRotationsStartedBy(groupId, access.realUserId, monthStart(time))) >= options.max_key_rotation_month
    )
      throw E.groupKeyRotationLimit();
    if (!(await tx.getGroupKey(groupId, input.previousGroupKeyId)))
      throw E.groupKeyNotFound("The previous group key was not found");
    await checkPublicGroupKeySignature(tx, appId, access.realUserId, input);
    const keyId = newId();
    // The ephemeral key is kept until the worker has handed it to every member: the marker of an unfinished rotation.
    const record = rotatedGroupKey(input, { id: keyId, groupId, appId, time }, input.encryptedEphemeralKey);
    await tx.insertGroupKey(record);
    await tx.recordRotationStart(groupId, keyId, access.realUserId, time);
    await tx.insertMemberKeys([
      {
        keyId,
        userId: access.userId,
        groupId,
        encryptedGroupKey: input.encryptedGroupKeyByUser,
        encryptedAlg: input.encryptedGroupKeyAlg,
        encryptedGroupKeyKeyId: input.invokerPublicKeyId,
        time,
      },
    ]);
    return record;
  });
  ctx.rotations?.schedule(key);
  return { group_id: groupId, key_id: key.id };
}

/**
 * The rotations still pending for one member of a group, oldest key first (`GroupKeyUpdate[]`). A user's own
 * key rotation is the same thing for the user group, with the device as the member.
 */
export async function pendingRotationsOf(ctx: ServiceContext, groupId: string, memberId: string) {
  return (await ctx.store.listRotations(groupId, memberId)).map(({ rotation, key }) => ({
    new_group_key_id: key.id,
    error: rotation.error,
    encrypted_ephemeral_key_by_group_key_and_public_key: rotation.encryptedEphemeralKey,
    encrypted_eph_key_key_id: rotation.encryptedEphKeyKeyId,
    encrypted_group_key_by_ephemeral: key.encryptedGroupKeyByEphKey ?? "",
    previous_group_key_id: key.previousGroupKeyId ?? "",
    ephemeral_alg: key.ephemeralAlg ?? "",
    time: key.time,
  }));
}

/** Stores the member's own copy of the new key and ends its pending rotation (400/304 when none is pending). */
export async function finishRotationOf(
  ctx: ServiceContext,
  groupId: string,
  memberId: string,
  keyId: string,
  input: DoneKeyRotationInput,
) {
  return ctx.store.transaction(async (tx) => {
    if (!(await tx.deleteRotation(keyId, memberId))) throw E.groupKeyNotFound("No key rotation for this key");
    await tx.insertMemberKeys([
      {
        keyId,
        userId: memberId,
        groupId,
        encryptedGroupKey: input.encryptedNewGroupKey,
        encryptedAlg: input.encryptedAlg,
        encryptedGroupKeyKeyId: input.publicKeyId,
        time: ctx.now(),
      },
    ]);
    return SUCCESS;
  });
}

/** `GET /group/:group_id/key_rotation`: `GroupKeyUpdate[]` of the acting member, oldest key first. */
export function pendingKeyRotations(ctx: ServiceContext, access: GroupAccess) {
  return pendingRotationsOf(ctx, access.group.id, access.userId);
}

/** `PUT /group/:group_id/key_rotation/:key_id`: the member's own key row for the new key. */
export function finishKeyRotation(
  ctx: ServiceContext,
  access: GroupAccess,
  keyId: string,
  input: DoneKeyRotationInput,
) {
  return finishRotationOf(ctx, access.group.id, access.userId, keyId, input);
}

/** The member's newest public key: its user group's key (users) or the member group's key (parent, group as member). */
async function memberPublicKey(tx: StoreOps, appId: string, member: MemberRecord): Promise<GroupKeyRecord | null> {
  if (member.type === 0) {
    const user = await tx.getUser(appId, member.userId);
    return user ? tx.getNewestGroupKey(appId, user.userGroupId) : null;
  }
  return tx.getNewestGroupKey(appId, member.userId);
}

/** One rotation row: the ephemeral key encrypted to the member, or a per-member error (sentc's `KeyRotationInput.error`). */
async function rotationFor(tx: StoreOps, key: GroupKeyRecord, member: MemberRecord): Promise<RotationRecord> {
  const base = { keyId: key.id, userId: member.userId, groupId: key.groupId };
  const publicKey = await memberPublicKey(tx, key.appId, member);
  if (!publicKey)
    return {
      ...base,
      encryptedEphemeralKey: "",
      encryptedEphKeyKeyId: "",
      error: "No public key found for this member",
    };
  try {
    const pk = publicKeyFromPemText(publicKey.publicKey, publicKey.privateKeyPairAlg, publicKey.id);
    return {
      ...base,
      encryptedEphemeralKey: encryptEphemeralKeyForMember(pk, key.encryptedEphemeralKey ?? ""),
      encryptedEphKeyKeyId: publicKey.id,
      error: null,
    };
  } catch (cause) {
    // Hybrid (post-quantum) member keys end here until the server has Kyber.
    const error =
      cause instanceof SentcError
        ? `${cause.code}: ${cause.message}`
        : "The key could not be encrypted for this member";
    return { ...base, encryptedEphemeralKey: "", encryptedEphKeyKeyId: publicKey.id, error };
  }
}

export interface KeyRotationWorkerOptions {
  /** Members per batch (one transaction each). */
  batchSize?: number;
  onError?: (error: unknown) => void;
  /** Called once per rotation, by the worker (of whichever server process) that completed it. */
  onFinished?: (key: GroupKeyRecord) => void;
}

/** Runs rotations one after the other, in batches, between requests. */
export class KeyRotationWorker {
  private readonly queue: GroupKeyRecord[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly batchSize: number;
  private readonly onError: (error: unknown) => void;
  private readonly onFinished: (key: GroupKeyRecord) => void;

  constructor(
    private readonly store: Store,
    options: KeyRotationWorkerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.onError = options.onError ?? ((error) => console.error("sentc-server: key rotation worker", error));
    this.onFinished = options.onFinished ?? (() => undefined);
  }

  /** Queues a started rotation. */
  schedule(key: GroupKeyRecord): void {
    if (this.stopped || this.queue.some((k) => k.id === key.id)) return;
    this.queue.push(key);
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
  }

  /** Queues every rotation the store still marks as unfinished (start-up after a restart or crash). */
  async resume(): Promise<number> {
    const keys = await this.store.listUnfinishedRotations();
    for (const key of keys) this.schedule(key);
    return keys.length;
  }

  /** Resolves when the queue is empty. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the current batch; unfinished rotations resume on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.whenIdle();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const key = this.queue.shift() as GroupKeyRecord;
      try {
        await this.process(key);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** One batch per transaction, yielding to the event loop in between, until every member has a row. */
  private async process(key: GroupKeyRecord): Promise<void> {
    let finishedHere = false;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      const finished = await this.store.transaction(async (tx) => {
        finishedHere = false; // a transaction may run again (PostgreSQL retries serialization failures)
        // Claimed for this transaction: another worker (another server process) skips it meanwhile.
        const current = await tx.lockUnfinishedRotation(key.groupId, key.id);
        if (!current) return true;
        const members = await tx.listMembersWithoutRotation(key.groupId, key.id, this.batchSize);
        if (members.length === 0) {
          await tx.clearEphemeralKey(key.id);
          finishedHere = true;
          return true;
        }
        const rows: RotationRecord[] = [];
        for (const member of members) rows.push(await rotationFor(tx, current, member));
        await tx.insertRotations(rows);
        return false;
      });
      if (finished) {
        if (finishedHere) this.onFinished(key);
        return;
      }
    }
  }
}
