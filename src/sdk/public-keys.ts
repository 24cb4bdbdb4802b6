/**
 * Other users' public and verify keys and group public keys, fetched without a JWT and cached in the key store
 * (sdk.md §1.3, §6). Unlike the reference (Appendix B 8) a user's or group's *newest* public key is refetched
 * after `PUBLIC_KEY_TTL_MS`, so a key rotation is picked up; verify keys are immutable per key id and stay cached.
 */
import { invalidInput } from "../errors.js";
import { userApi } from "../api/index.js";
import { isRecord } from "../protocol/json.js";
import { exportPublicKey, importPublicKey, importVerifyKey } from "../protocol/keys.js";
import { publicKeyFromPemText, verifyUserPublicKey } from "../protocol/public-keys.js";
import type { SdkContext } from "./internal.js";
import {
  checkPinnedGroupPublicKey,
  checkPinnedPublicKey,
  fetchUserVerifyKeyAnswer,
  pinnedUserVerifyKey,
} from "./key-pins.js";
import { pinKeys } from "./verify-policy.js";
import { resultString } from "./internal.js";
import { STORAGE_KEYS } from "./storage.js";
import { checkKeyProof, refuseForked } from "./transparency.js";
import type { UserPublicKeyData } from "./types.js";

/** How long a cached newest public key is used before it is fetched again. */
export const PUBLIC_KEY_TTL_MS = 5 * 60 * 1000;

interface CachedPublicKey extends UserPublicKeyData {
  /** When it was fetched (ms); absent in entries written by the reference SDK. */
  fetched_at?: number;
  /** Checked against the pinned identity key when fetched (sentc-as extra). */
  pinned?: boolean;
}

function optional(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** `GET /user/<id>/public_key` → `UserPublicKeyData` (cached). */
export async function getUserPublicKeyData(
  ctx: SdkContext,
  userId: string,
  now: number = Date.now(),
): Promise<UserPublicKeyData> {
  await refuseForked(ctx);
  const store = await ctx.getStore();
  const cacheKey = STORAGE_KEYS.userPublicKey(userId);
  const cached = await store.getItem<CachedPublicKey>(cacheKey);
  if (
    isRecord(cached) &&
    typeof cached.public_key === "string" &&
    typeof cached.fetched_at === "number" &&
    now - cached.fetched_at < PUBLIC_KEY_TTL_MS &&
    (cached.pinned === true || !pinKeys())
  ) {
    return strip(cached);
  }
  const what = "GET /user/:id/public_key result";
  const result = await userApi.getUserPublicKey(ctx.http, userId);
  const keyId = resultString(result, "public_key_id", what);
  await checkUserPublicKeyProof(ctx, result, userId);
  // Not taken on trust (unless `trust_server_keys`): signed by a key that chains to the pinned one.
  const pinned = pinKeys();
  if (pinned) await checkPinnedPublicKey(ctx, userId, result);
  const publicKey = publicKeyFromPemText(
    resultString(result, "public_key", what),
    resultString(result, "public_key_alg", what),
    keyId,
    what,
  );
  const data: CachedPublicKey = {
    public_key: exportPublicKey(publicKey),
    public_key_id: keyId,
    verified: false,
    fetched_at: now,
  };
  const sigKeyId = optional(result.public_key_sig_key_id);
  const sig = optional(result.public_key_sig);
  if (sigKeyId !== undefined) data.public_key_sig_key_id = sigKeyId;
  if (sig !== undefined) data.public_key_sig = sig;
  if (pinned) data.pinned = true;
  // A key that was verified before stays verified when it did not change.
  if (
    isRecord(cached) &&
    cached.public_key_id === keyId &&
    cached.public_key === data.public_key &&
    cached.verified === true
  )
    data.verified = true;
  await store.set(cacheKey, data);
  return strip(data);
}

/** What a public key answer served, as its log leaf must hold it. */
function servedPublicKey(
  result: Record<string, unknown>,
  subjectType: "user" | "group",
  subjectId: string,
  keyId: string,
  what: string,
) {
  const signature = typeof result.public_key_sig === "string" ? result.public_key_sig : null;
  return {
    subject_type: subjectType,
    subject_id: subjectId,
    key_type: "public" as const,
    key_id: keyId,
    key_alg: resultString(result, "public_key_alg", what),
    key: resultString(result, "public_key", what),
    signature,
    signed_by:
      signature !== null && typeof result.public_key_sig_key_id === "string" ? result.public_key_sig_key_id : null,
  };
}

/**
 * @internal Checks a user's newest public key answer against the key log (see src/sdk/transparency.ts).
 * @throws {SentcError} what `checkKeyProof` throws; `invalid_server_response` for a missing field.
 * @example
 * await checkUserPublicKeyProof(ctx, result, userId);
 */
export async function checkUserPublicKeyProof(
  ctx: SdkContext,
  result: Record<string, unknown>,
  userId: string,
): Promise<void> {
  const what = "GET /user/:id/public_key result";
  await checkKeyProof(
    ctx,
    result,
    servedPublicKey(result, "user", userId, resultString(result, "public_key_id", what), what),
  );
}

/**
 * @internal Checks a user's verify key answer against the key log (see src/sdk/transparency.ts).
 * @throws {SentcError} what `checkKeyProof` throws; `invalid_server_response` for a missing field.
 * @example
 * await checkVerifyKeyProof(ctx, result, userId, keyId);
 */
export async function checkVerifyKeyProof(
  ctx: SdkContext,
  result: Record<string, unknown>,
  userId: string,
  keyId: string,
): Promise<void> {
  const what = "GET /user/:id/verify_key/:key_id result";
  await checkKeyProof(ctx, result, {
    subject_type: "user",
    subject_id: userId,
    key_type: "verify",
    key_id: keyId,
    key_alg: resultString(result, "verify_key_alg", what),
    key: resultString(result, "verify_key", what),
    signature: null,
    signed_by: null,
  });
}

function strip(data: CachedPublicKey): UserPublicKeyData {
  const { fetched_at: _ignored, pinned: _checked, ...rest } = data;
  return rest;
}

/** `GET /user/<id>/verify_key/<key_id>` → the exported verify key (cached: a key id always names the same key). */
export async function getUserVerifyKeyData(ctx: SdkContext, userId: string, keyId: string): Promise<string> {
  if (pinKeys()) return pinnedUserVerifyKey(ctx, userId, keyId);
  const store = await ctx.getStore();
  const cacheKey = STORAGE_KEYS.userVerifyKey(userId, keyId);
  const cached = await store.getItem<string>(cacheKey);
  if (typeof cached === "string") return cached;
  const exported = (await fetchUserVerifyKeyAnswer(ctx, userId, keyId)).key;
  await store.set(cacheKey, exported);
  return exported;
}

/** A group's newest public key as the server answered it, checked against the key log. */
export interface GroupPublicKeyAnswer {
  /** The answer (with the sentc-as extras `public_group_key_sig`, … when the key is signed). */
  result: Record<string, unknown>;
  id: string;
  /** The exported public key. */
  key: string;
}

/**
 * @internal `GET /group/<id>/public_key`, checked against the key log, without any cache or pin.
 * @throws {SentcError} `server` / `network_error` / `invalid_server_response`; what `checkKeyProof` throws.
 * @example
 * const { id, key } = await fetchGroupPublicKeyAnswer(ctx, groupId);
 */
export async function fetchGroupPublicKeyAnswer(ctx: SdkContext, groupId: string): Promise<GroupPublicKeyAnswer> {
  const what = "GET /group/:id/public_key result";
  const result = await userApi.getGroupPublicKey(ctx.http, groupId);
  const id = resultString(result, "public_key_id", what);
  await checkKeyProof(ctx, result, servedPublicKey(result, "group", groupId, id, what));
  const key = exportPublicKey(
    publicKeyFromPemText(
      resultString(result, "public_key", what),
      resultString(result, "public_key_alg", what),
      id,
      what,
    ),
  );
  return { result, id, key };
}

/**
 * `GET /group/<id>/public_key` → `{key, id}` (cached like user public keys). Unless `trust_server_keys`, the key is
 * checked against the group's pin (src/sdk/key-pins.ts) before it is used or cached.
 */
export async function getGroupPublicKeyData(
  ctx: SdkContext,
  groupId: string,
  now: number = Date.now(),
): Promise<{ key: string; id: string }> {
  await refuseForked(ctx);
  const store = await ctx.getStore();
  const cacheKey = STORAGE_KEYS.groupPublicKey(groupId);
  const cached = await store.getItem<{ key: string; id: string; fetched_at?: number; pinned?: boolean }>(cacheKey);
  if (
    isRecord(cached) &&
    typeof cached.key === "string" &&
    typeof cached.fetched_at === "number" &&
    now - cached.fetched_at < PUBLIC_KEY_TTL_MS &&
    (cached.pinned === true || !pinKeys())
  ) {
    return { key: cached.key, id: cached.id };
  }
  const answer = await fetchGroupPublicKeyAnswer(ctx, groupId);
  const pinned = pinKeys();
  if (pinned) await checkPinnedGroupPublicKey(ctx, groupId, answer);
  const { key, id } = answer;
  await store.set(cacheKey, pinned ? { key, id, fetched_at: now, pinned } : { key, id, fetched_at: now });
  return { key, id };
}

/**
 * Checks that `publicKey` is signed by the user's own sign key (sdk.md §1.3 `verifyUsersPublicKey`) and records
 * the result in the cache. `true` at once when already verified (unless `force`), `false` without a signature.
 */
export async function verifyUsersPublicKey(
  ctx: SdkContext,
  userId: string,
  publicKey: UserPublicKeyData,
  force = false,
): Promise<boolean> {
  if (!isRecord(publicKey) || typeof publicKey.public_key !== "string")
    throw invalidInput("public_key must be a UserPublicKeyData");
  if (publicKey.verified && !force) return true;
  if (!publicKey.public_key_sig_key_id || !publicKey.public_key_sig) return false;
  const verifyKey = importVerifyKey(await getUserVerifyKeyData(ctx, userId, publicKey.public_key_sig_key_id));
  const verified = verifyUserPublicKey(verifyKey, {
    publicKey: importPublicKey(publicKey.public_key),
    signature: publicKey.public_key_sig,
    signatureKeyId: publicKey.public_key_sig_key_id,
  });
  const store = await ctx.getStore();
  const cacheKey = STORAGE_KEYS.userPublicKey(userId);
  const cached = await store.getItem<CachedPublicKey>(cacheKey);
  if (isRecord(cached) && cached.public_key === publicKey.public_key)
    await store.set(cacheKey, { ...cached, verified });
  publicKey.verified = verified;
  return verified;
}
