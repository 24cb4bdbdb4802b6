/**
 * The signature of a new group public key by the user who made it (`public_group_key_sig`, a sentc-as extra; see
 * src/protocol/key-pin.ts). Clients that pinned a group accept a new public key of it only when one of its pinned
 * signers signed it; the server checks what it stores, so that a member cannot put a key another user signed for
 * another group into this one under that user's name.
 */
import { isUuid } from "../crypto.js";
import { E } from "../errors.js";
import { verifyGroupPublicKey } from "../../src/protocol/key-pin.js";
import { publicKeyFromPemText, verifyKeyFromPemText } from "../../src/protocol/public-keys.js";
import type { StoreOps } from "../store/types.js";
import type { GroupKeySignatureInput } from "./inputs.js";
import { requireValidSignature } from "./signature-check.js";

/**
 * Checks a new group key's `public_group_key_sig` fields, when any is sent: all three are needed, the signer is
 * the acting user, the sign key is one of that user's keys, and the signature verifies over the new public key.
 * Nothing is checked when none is sent (reference clients).
 * @throws {ApiError} 400/120 when a field is missing, the signer is another user, the key is not the user's or the
 * signature does not verify; 400/1 for ids that are not UUIDs.
 * @example
 * await checkPublicGroupKeySignature(tx, appId, access.realUserId, input);
 */
export async function checkPublicGroupKeySignature(
  store: StoreOps,
  appId: string,
  actingUserId: string,
  input: GroupKeySignatureInput & { publicGroupKey: string; keypairEncryptAlg: string },
): Promise<void> {
  const { publicGroupKeySig: sig, publicGroupKeySigUserId: userId, publicGroupKeySigKeyId: keyId } = input;
  if (sig === null && userId === null && keyId === null) return;
  if (sig === null || userId === null || keyId === null)
    throw E.keySignature("The public group key signature needs its signature, user id and sign key id");
  if (!isUuid(userId) || !isUuid(keyId)) throw E.idFormat();
  if (userId !== actingUserId) throw E.keySignature("The public group key can only be signed by the acting user");
  const user = await store.getUser(appId, userId);
  const signKey = user ? await store.getGroupKey(user.userGroupId, keyId) : null;
  if (!signKey?.verifyKey || !signKey.keypairSignAlg)
    throw E.keySignature("The signing key of the public group key is not a key of this user");
  const { verifyKey, keypairSignAlg } = signKey;
  requireValidSignature(
    () =>
      verifyGroupPublicKey(
        verifyKeyFromPemText(verifyKey, keypairSignAlg, keyId),
        publicKeyFromPemText(input.publicGroupKey, input.keypairEncryptAlg, "new"),
        sig,
      ),
    () => E.keySignature("The signature over the new public group key does not verify"),
  );
}
