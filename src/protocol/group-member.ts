/**
 * Group keys for a new member (spec crypto.md §7.3): every group key encrypted to the member's public key.
 * Used for invites, accepted join requests and new devices. More than 50 keys are uploaded in a key
 * session (`key_session: true`) after the first page.
 */
import { SentcError, invalidInput } from "../errors.js";
import { encryptKeyForPublicKey } from "./group-create.js";
import type { PublicKey, SymKey } from "./keys.js";

/** Above this many keys the server expects a key upload session. */
export const KEY_SESSION_THRESHOLD = 50;

export interface GroupKeyForNewMember {
  encrypted_group_key: string;
  alg: string;
  encrypted_alg: string;
  key_id: string;
  user_public_key_id: string;
}

/** The `GroupKeysForNewMember` entries for a set of group keys (also the body of key-session uploads). */
export function encryptGroupKeysForMember(memberPublicKey: PublicKey, groupKeys: SymKey[]): GroupKeyForNewMember[] {
  if (!Array.isArray(groupKeys)) throw invalidInput("groupKeys must be an array");
  return groupKeys.map((key) => ({
    encrypted_group_key: encryptKeyForPublicKey(memberPublicKey, key.key),
    alg: key.alg,
    encrypted_alg: memberPublicKey.alg,
    key_id: key.keyId,
    user_public_key_id: memberPublicKey.keyId,
  }));
}

/**
 * `group_prepare_keys_for_new_member` → `GroupKeysForNewMemberServerInput` JSON. Only admins (rank ≤ 2)
 * may add members (sentc client_201 → `permission_denied`); ranks are 0 (creator) to 4.
 */
export function prepareKeysForNewMember(
  memberPublicKey: PublicKey,
  groupKeys: SymKey[],
  keyCount: number,
  rank: number | null | undefined,
  adminRank: number,
): string {
  if (!Number.isInteger(adminRank) || adminRank < 0) throw invalidInput("adminRank must be a non-negative integer");
  if (adminRank > 2) throw new SentcError("permission_denied", "only group admins (rank 0–2) can add members");
  if (rank !== null && rank !== undefined && (!Number.isInteger(rank) || rank < 1 || rank > 4)) {
    throw invalidInput("rank must be an integer from 1 to 4", { reference: 200 });
  }
  if (!Number.isInteger(keyCount) || keyCount < 0) throw invalidInput("keyCount must be a non-negative integer");
  return JSON.stringify({
    keys: encryptGroupKeysForMember(memberPublicKey, groupKeys),
    rank: rank ?? null,
    key_session: keyCount > KEY_SESSION_THRESHOLD,
  });
}
