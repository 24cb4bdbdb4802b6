/**
 * User-group keys of a device (api.md §3.3), user key rotation with the server's per-device re-encryption
 * of the ephemeral key (§3.5.7), and the public/verify key lookups (§3.1).
 */
import { SentcError } from "../../src/errors.js";
import {
  publicKeyFromPemText,
  verifyKeyFromPemText,
  verifyUserPublicKey,
  type UserPublicKeyData,
} from "../../src/protocol/public-keys.js";
import { verifyVerifyKeyRotation } from "../../src/protocol/key-pin.js";
import { encryptEphemeralKeyForMember } from "../../src/protocol/key-rotation.js";
import { isUuid, newId } from "../crypto.js";
import { E } from "../errors.js";
import type { Cursor, GroupKeyRecord, RotationRecord } from "../store/types.js";
import type { JwtUser, ServiceContext } from "./context.js";
import type { DoneKeyRotationInput, KeyRotationInput } from "./inputs.js";
import { finishRotationOf, pendingRotationsOf, rotatedGroupKey } from "./group-key-rotation.js";
import { groupUserKeysOut, publicKeyOut } from "./outputs.js";
import { requireValidSignature } from "./signature-check.js";
import { keyProof } from "./transparency.js";

/** `GET /user/user_keys/keys/:t/:id`. */
export async function userKeys(ctx: ServiceContext, user: JwtUser, cursor: Cursor) {
  return (await ctx.store.listMemberKeys(user.userGroupId, user.deviceId, cursor)).map(groupUserKeysOut);
}

/** `GET /user/user_keys/key/:key_id` (400/304 when missing; the reference answers HTTP 200). */
export async function userKey(ctx: ServiceContext, user: JwtUser, keyId: string) {
  const view = await ctx.store.getMemberKey(user.userGroupId, user.deviceId, keyId);
  if (!view) throw E.groupKeyNotFound();
  return groupUserKeysOut(view);
}

/**
 * `POST /user/user_keys/rotation`: a new user-group key; every other device gets the ephemeral key. A user key's
 * public key is signed by its own new sign key (`public_key_sig`); the group public key signature
 * (`public_group_key_sig` and its ids) belongs to groups only and is refused here (400/120), not stored unchecked.
 */
export async function startUserKeyRotation(ctx: ServiceContext, appId: string, user: JwtUser, input: KeyRotationInput) {
  if (
    input.publicGroupKeySig !== null ||
    input.publicGroupKeySigUserId !== null ||
    input.publicGroupKeySigKeyId !== null
  )
    throw E.keySignature("A user key carries no public group key signature (public_group_key_sig)");
  if (
    input.encryptedSignKey === null ||
    input.verifyKey === null ||
    input.publicKeySig === null ||
    input.keypairSignAlg === null
  )
    throw E.userKeysMissing();
  if (!isUuid(input.previousGroupKeyId) || !isUuid(input.invokerPublicKeyId)) throw E.idFormat();
  if (
    input.signedByUserId !== null &&
    input.signedByUserSignKeyId !== null &&
    (!isUuid(input.signedByUserId) || !isUuid(input.signedByUserSignKeyId))
  ) {
    throw E.idFormat();
  }
  checkNewUserKeySignature(
    input.publicGroupKey,
    input.keypairEncryptAlg,
    input.verifyKey,
    input.keypairSignAlg,
    input.publicKeySig,
  );
  if (input.signedByUserId !== null && input.signedByUserId !== user.userId)
    throw E.keySignature("The new user key can only be signed by its own user");
  const newVerifyKey = { pem: input.verifyKey, alg: input.keypairSignAlg };
  return ctx.store.transaction(async (tx) => {
    const groupId = user.userGroupId;
    const previous = await tx.getGroupKey(groupId, input.previousGroupKeyId);
    if (!previous) throw E.groupKeyNotFound("The previous group key was not found");
    // Optional (the reference client does not send it); when sent, it must verify.
    if (input.verifyKeyCrossSig !== null) checkVerifyKeyCrossSig(previous, newVerifyKey, input.verifyKeyCrossSig);
    if (
      input.signedByUserSignKeyId !== null &&
      !(await tx.getGroupKey(groupId, input.signedByUserSignKeyId))?.verifyKey
    ) {
      throw E.keySignature("The signing key is not a key of this user");
    }
    const keyId = newId();
    const time = ctx.now();
    // The ephemeral key is handed out below, in the same transaction, so it is never stored.
    await tx.insertGroupKey(rotatedGroupKey(input, { id: keyId, groupId, appId, time }, null));
    await tx.insertMemberKeys([
      {
        keyId,
        userId: user.deviceId,
        groupId,
        encryptedGroupKey: input.encryptedGroupKeyByUser,
        encryptedAlg: input.encryptedGroupKeyAlg,
        encryptedGroupKeyKeyId: input.invokerPublicKeyId,
        time,
      },
    ]);
    const rotations: RotationRecord[] = [];
    for (const member of await tx.listMembers(groupId)) {
      if (member.userId === user.deviceId || member.type !== 0) continue;
      const device = await tx.getDevice(appId, member.userId);
      if (!device) continue;
      let encrypted = "";
      let error: string | null = null;
      try {
        encrypted = encryptEphemeralKeyForMember(
          publicKeyFromPemText(device.publicKey, device.keypairEncryptAlg, device.id),
          input.encryptedEphemeralKey,
        );
      } catch (cause) {
        error =
          cause instanceof SentcError
            ? `${cause.code}: ${cause.message}`
            : "The key could not be encrypted for this device";
      }
      rotations.push({
        keyId,
        userId: device.id,
        groupId,
        encryptedEphemeralKey: encrypted,
        encryptedEphKeyKeyId: device.id,
        error,
      });
    }
    await tx.insertRotations(rotations);
    return { group_id: groupId, key_id: keyId };
  });
}

/**
 * The reference client signs the new public key with the new sign key (`public_key_sig`, checked by
 * `verifyUserPublicKey` on the other side): the server checks that signature before it stores the keys.
 */
function checkNewUserKeySignature(
  publicKeyPem: string,
  publicAlg: string,
  verifyKeyPem: string,
  signAlg: string,
  signature: string,
): void {
  requireValidSignature(
    () =>
      verifyUserPublicKey(verifyKeyFromPemText(verifyKeyPem, signAlg, "new"), {
        publicKey: publicKeyFromPemText(publicKeyPem, publicAlg, "new"),
        signature,
        signatureKeyId: null,
      } satisfies UserPublicKeyData),
    () => E.keySignature(),
  );
}

/**
 * `verify_key_cross_sig` (a sentc-as extra, optional for the reference client): the new verify key signed with the
 * previous key's sign key, checked here with the same function the SDKs use to follow a pinned key
 * (`verifyVerifyKeyRotation`). A stored cross-signature that does not verify would make every other user's SDK answer
 * `key_changed` for this user, so it is refused (400/121) before anything is stored.
 */
function checkVerifyKeyCrossSig(
  previous: GroupKeyRecord,
  newVerifyKey: { pem: string; alg: string },
  crossSig: string,
): void {
  requireValidSignature(
    () =>
      previous.verifyKey !== null &&
      previous.keypairSignAlg !== null &&
      verifyVerifyKeyRotation(
        verifyKeyFromPemText(previous.verifyKey, previous.keypairSignAlg, previous.id),
        verifyKeyFromPemText(newVerifyKey.pem, newVerifyKey.alg, "new"),
        crossSig,
      ),
    () => E.verifyKeyCrossSig(),
  );
}

/** `GET /user/user_keys/rotation`: `GroupKeyUpdate[]` for this device, oldest key first. */
export function pendingUserKeyRotations(ctx: ServiceContext, user: JwtUser) {
  return pendingRotationsOf(ctx, user.userGroupId, user.deviceId);
}

/** `PUT /user/user_keys/rotation/:key_id`: the device stores the new key encrypted to itself. */
export function finishUserKeyRotation(ctx: ServiceContext, user: JwtUser, keyId: string, input: DoneKeyRotationInput) {
  return finishRotationOf(ctx, user.userGroupId, user.deviceId, keyId, input);
}

/** `GET /user/:user_id/public_key[/:key_id]`, with the key's transparency proof (`kt`). */
export async function userPublicKey(ctx: ServiceContext, appId: string, userId: string, keyId: string | null) {
  const user = await ctx.store.getUser(appId, userId);
  const key = user
    ? keyId === null
      ? await ctx.store.getNewestGroupKey(appId, user.userGroupId)
      : await ctx.store.getGroupKey(user.userGroupId, keyId)
    : null;
  if (!key) throw E.userNotFound("Public key from this user not found");
  // sentc-as extras (the reference client ignores them): what a client needs to follow a pinned key's rotations,
  // and the key's transparency proof.
  return { ...publicKeyOut(key), ...rotationSignatureOut(key), kt: await keyProof(ctx, appId, key.id, "public") };
}

/** `GET /user/:user_id/verify_key/:key_id`, with the key's transparency proof (`kt`). */
export async function userVerifyKey(ctx: ServiceContext, appId: string, userId: string, keyId: string) {
  const user = await ctx.store.getUser(appId, userId);
  const key = user ? await ctx.store.getGroupKey(user.userGroupId, keyId) : null;
  if (!key || key.verifyKey === null || key.keypairSignAlg === null)
    throw E.userNotFound("Verify key from this user not found");
  return {
    verify_key_id: key.id,
    verify_key: key.verifyKey,
    verify_key_alg: key.keypairSignAlg,
    ...rotationSignatureOut(key),
    kt: await keyProof(ctx, appId, key.id, "verify"),
  };
}

/** The rotation's cross-signature and the key it was made with (null for a first key or a reference client's). */
function rotationSignatureOut(key: GroupKeyRecord) {
  return { verify_key_cross_sig: key.verifyKeyCrossSig, previous_verify_key_id: key.previousGroupKeyId };
}

/** `GET /group/:group_id/public_key`: the newest public key of any group of the app, with its proof (`kt`). */
export async function groupPublicKey(ctx: ServiceContext, appId: string, groupId: string) {
  const key = await ctx.store.getNewestGroupKey(appId, groupId);
  if (!key) throw E.groupKeyNotFound("Public key from this group not found");
  return { ...publicKeyOut(key), kt: await keyProof(ctx, appId, key.id, "public") };
}
