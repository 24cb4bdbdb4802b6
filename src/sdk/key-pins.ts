/**
 * Pinned identity keys (a sentc-as extra; off with `Sentc.init`'s `trust_server_keys`). The first verify key the SDK
 * sees for a user is pinned in its key store (trust on first use). A later key of that user is accepted only when a
 * chain of cross-signatures (the new verify key signed with the previous sign key, made by this SDK at each user key
 * rotation and answered by the server as `verify_key_cross_sig`) leads from a key already accepted to it; anything
 * else is `key_changed`. `user.verifyUserAgain` pins the user's newest key after the app's user checked the person.
 */
import { SentcError, isSentcError } from "../errors.js";
import { userApi } from "../api/index.js";
import type { JsonObject } from "../api/endpoints/result.js";
import { isRecord } from "../protocol/json.js";
import { verifyVerifyKeyRotation } from "../protocol/key-pin.js";
import { exportVerifyKey, importVerifyKey } from "../protocol/keys.js";
import { publicKeyFromPemText, verifyKeyFromPemText, verifyUserPublicKey } from "../protocol/public-keys.js";
import type { SdkContext } from "./internal.js";
import { resultString } from "./internal.js";
import { STORAGE_KEYS } from "./storage.js";
import { checkUserPublicKeyProof, checkVerifyKeyProof } from "./public-keys.js";

/** How many rotations a chain may span (a user rotating more often than this is asked to be verified again). */
export const MAX_PIN_CHAIN = 64;

/** A user's pin, as stored under `STORAGE_KEYS.userKeyPin(userId)`. */
export interface UserKeyPin {
  /** The pinned verify key id (first seen, or set by `verifyUserAgain`). */
  key_id: string;
  /** Every verify key accepted for this user (the pinned one and those reached through signed rotations), by id. */
  trusted: Record<string, string>;
  /** When the pin was set (ms). */
  time: number;
}

interface VerifyKeyAnswer {
  id: string;
  /** The exported verify key. */
  key: string;
  crossSig: string | undefined;
  previousId: string | undefined;
}

function optional(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** `GET /user/<id>/verify_key/<key_id>`, checked, without any cache or pin. */
export async function fetchUserVerifyKeyAnswer(
  ctx: SdkContext,
  userId: string,
  keyId: string,
): Promise<VerifyKeyAnswer> {
  const what = "GET /user/:id/verify_key/:key_id result";
  const result = await userApi.getUserVerifyKey(ctx.http, userId, keyId);
  if (resultString(result, "verify_key_id", what) !== keyId)
    throw new SentcError("invalid_server_response", `${what}: the server answered another key id`);
  await checkVerifyKeyProof(ctx, result, userId, keyId);
  const key = exportVerifyKey(
    verifyKeyFromPemText(
      resultString(result, "verify_key", what),
      resultString(result, "verify_key_alg", what),
      keyId,
      what,
    ),
  );
  return {
    id: keyId,
    key,
    crossSig: optional(result.verify_key_cross_sig),
    previousId: optional(result.previous_verify_key_id),
  };
}

async function loadPin(ctx: SdkContext, userId: string): Promise<UserKeyPin | undefined> {
  const pin = await (await ctx.getStore()).getItem<UserKeyPin>(STORAGE_KEYS.userKeyPin(userId));
  if (!isRecord(pin) || typeof pin.key_id !== "string" || !isRecord(pin.trusted)) return undefined;
  return pin;
}

async function savePin(ctx: SdkContext, userId: string, pin: UserKeyPin): Promise<void> {
  await (await ctx.getStore()).set(STORAGE_KEYS.userKeyPin(userId), pin);
}

function keyChanged(userId: string, pinnedKeyId: string, offeredKeyId: string, why: string): SentcError {
  return new SentcError(
    "key_changed",
    `the identity key of user ${userId} changed (pinned ${pinnedKeyId}, offered ${offeredKeyId}): ${why}`,
    { keyChange: { kind: "user", id: userId, pinned_key_id: pinnedKeyId, offered_key_id: offeredKeyId } },
  );
}

/** A key of the chain, or `undefined` when the server answers none (then there is no chain through it). */
async function chainKey(ctx: SdkContext, userId: string, keyId: string): Promise<VerifyKeyAnswer | undefined> {
  try {
    return await fetchUserVerifyKeyAnswer(ctx, userId, keyId);
  } catch (error) {
    if (isSentcError(error) && (error.code === "server" || error.code === "invalid_server_response")) return undefined;
    throw error;
  }
}

function rotationVerifies(previousKey: string, next: VerifyKeyAnswer): boolean {
  if (next.crossSig === undefined) return false;
  return verifyVerifyKeyRotation(importVerifyKey(previousKey), importVerifyKey(next.key), next.crossSig);
}

/**
 * The exported verify key `keyId` of user `userId`, accepted only when it is pinned or reached from an accepted key
 * through signed rotations; the first key seen for a user is pinned. Keys older than the pin are accepted when the
 * pinned key's rotations lead back to them (they were the user's before the pin was set).
 * @throws {SentcError} `key_changed` when no chain connects the key to the pinned one; `server` / `network_error` /
 * `invalid_server_response` from the fetches; `storage_failed`.
 * @example
 * const verifyKey = importVerifyKey(await pinnedUserVerifyKey(ctx, userId, head.sign.id));
 */
export async function pinnedUserVerifyKey(ctx: SdkContext, userId: string, keyId: string): Promise<string> {
  const pin = await loadPin(ctx, userId);
  const known = pin?.trusted[keyId];
  if (typeof known === "string") return known;
  const offered = await fetchUserVerifyKeyAnswer(ctx, userId, keyId);
  if (pin === undefined) {
    await savePin(ctx, userId, { key_id: keyId, trusted: { [keyId]: offered.key }, time: Date.now() });
    return offered.key;
  }
  // Newer than an accepted key: walk back from the offered key to one, then check the signatures forward.
  const chain: VerifyKeyAnswer[] = [offered];
  for (let step = 0; step < MAX_PIN_CHAIN; step++) {
    const last = chain[chain.length - 1]!;
    if (last.crossSig === undefined || last.previousId === undefined) break;
    const anchor = pin.trusted[last.previousId];
    if (typeof anchor === "string") {
      let previous = anchor;
      for (let i = chain.length - 1; i >= 0; i--) {
        const next = chain[i]!;
        if (!rotationVerifies(previous, next))
          throw keyChanged(
            userId,
            pin.key_id,
            keyId,
            `the rotation to key ${next.id} is not signed by its previous key`,
          );
        previous = next.key;
      }
      for (const key of chain) pin.trusted[key.id] = key.key;
      await savePin(ctx, userId, pin);
      return offered.key;
    }
    if (chain.some((key) => key.id === last.previousId)) break;
    const previous = await chainKey(ctx, userId, last.previousId);
    if (previous === undefined) break;
    chain.push(previous);
  }
  // Older than the pin: the pinned key's own rotations lead back to it.
  const pinnedKey = pin.trusted[pin.key_id];
  if (typeof pinnedKey === "string") {
    let current = await chainKey(ctx, userId, pin.key_id);
    if (current !== undefined && current.key !== pinnedKey) current = undefined;
    for (let step = 0; step < MAX_PIN_CHAIN && current?.previousId !== undefined; step++) {
      const previous = await chainKey(ctx, userId, current.previousId);
      if (previous === undefined || !rotationVerifies(previous.key, current)) break;
      if (previous.id === keyId) {
        pin.trusted[keyId] = previous.key;
        await savePin(ctx, userId, pin);
        return previous.key;
      }
      current = previous;
    }
  }
  throw keyChanged(userId, pin.key_id, keyId, "no signed rotation leads from the pinned key to it");
}

/**
 * Checks a user's public key answer against the pin: it must be signed (`public_key_sig`) by a verify key that
 * `pinnedUserVerifyKey` accepts.
 * @throws {SentcError} `key_changed` when it is unsigned, its signature fails or its signer is not accepted; what
 * `pinnedUserVerifyKey` throws.
 * @example
 * await checkPinnedPublicKey(ctx, userId, result);
 */
export async function checkPinnedPublicKey(ctx: SdkContext, userId: string, result: JsonObject): Promise<void> {
  const what = "GET /user/:id/public_key result";
  const keyId = resultString(result, "public_key_id", what);
  const sigKeyId = optional(result.public_key_sig_key_id);
  const sig = optional(result.public_key_sig);
  const pinnedId = (await loadPin(ctx, userId))?.key_id ?? "";
  if (sigKeyId === undefined || sig === undefined)
    throw keyChanged(userId, pinnedId, keyId, "the public key is not signed by an identity key");
  const verifyKey = importVerifyKey(await pinnedUserVerifyKey(ctx, userId, sigKeyId));
  const publicKey = publicKeyFromPemText(
    resultString(result, "public_key", what),
    resultString(result, "public_key_alg", what),
    keyId,
    what,
  );
  if (!verifyUserPublicKey(verifyKey, { publicKey, signature: sig, signatureKeyId: sigKeyId }))
    throw keyChanged(userId, pinnedId || sigKeyId, keyId, "the public key's signature does not verify");
}

/**
 * Pins the user's newest verify key (the signer of the newest public key), replacing the old pin, and returns it.
 * With `expected` (a safety number), the safety number of `own` and that key must equal it, else nothing is pinned.
 * @throws {SentcError} `verification_failed` when the public key's signature fails or the safety number differs;
 * `server` / `network_error` / `invalid_server_response`; `storage_failed`.
 * @example
 * const { safetyNumber } = await repinUser(ctx, userId, (key) => numberFor(key), expectedNumber);
 */
export async function repinUser(
  ctx: SdkContext,
  userId: string,
  safetyNumberOf: (verifyKey: string) => string,
  expected: string | undefined,
): Promise<{ keyId: string; safetyNumber: string }> {
  const what = "GET /user/:id/public_key result";
  const result = await userApi.getUserPublicKey(ctx.http, userId);
  await checkUserPublicKeyProof(ctx, result, userId);
  const sigKeyId = optional(result.public_key_sig_key_id);
  const sig = optional(result.public_key_sig);
  if (sigKeyId === undefined || sig === undefined)
    throw new SentcError("verification_failed", `${what}: the public key is not signed`, { reference: 31 });
  const answer = await fetchUserVerifyKeyAnswer(ctx, userId, sigKeyId);
  const publicKey = publicKeyFromPemText(
    resultString(result, "public_key", what),
    resultString(result, "public_key_alg", what),
    resultString(result, "public_key_id", what),
    what,
  );
  if (!verifyUserPublicKey(importVerifyKey(answer.key), { publicKey, signature: sig, signatureKeyId: sigKeyId }))
    throw new SentcError("verification_failed", `${what}: the public key's signature does not verify`, {
      reference: 31,
    });
  const safetyNumber = safetyNumberOf(answer.key);
  if (expected !== undefined && expected !== safetyNumber)
    throw new SentcError("verification_failed", "the safety number does not match the user's newest key");
  await savePin(ctx, userId, { key_id: sigKeyId, trusted: { [sigKeyId]: answer.key }, time: Date.now() });
  // The cached public key was taken under the old pin; the next use fetches and checks it again.
  await (await ctx.getStore()).delete(STORAGE_KEYS.userPublicKey(userId));
  return { keyId: sigKeyId, safetyNumber };
}
