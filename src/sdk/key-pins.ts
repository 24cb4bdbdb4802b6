/**
 * Pinned identity keys (a sentc-as extra; off with `Sentc.init`'s `trust_server_keys`). The first verify key the SDK
 * sees for a user is pinned in its key store (trust on first use). A later key of that user is accepted only when a
 * chain of cross-signatures (the new verify key signed with the previous sign key, made by this SDK at each user key
 * rotation and answered by the server as `verify_key_cross_sig`) leads from a key already accepted to it; anything
 * else is `key_changed`. The user's newest accepted public key is kept: an older public key of the user served
 * again (accepted before, or logged before the newest one), e.g. the one a lost device still holds after a rotation, is
 * `key_changed` too. `user.verifyUserAgain` pins the user's newest key after the app's user checked the person.
 *
 * Groups have no identity key; outsiders use a group's public key. The first public key the SDK sees for a group is
 * pinned with its signer (the user whose sign key signed it, `public_group_key_sig`, made by this SDK when it creates
 * a group or rotates its key). A later public key of that group is accepted only when one of the pinned signers
 * signed it with a verify key that passes that user's own pin; anything else is `key_changed` naming the group (an
 * unsigned first key pins only itself). The newest accepted key is kept, with the same rule as a user's newest
 * public key (`refuseOlderKey`). `user.verifyGroupAgain` pins the group's newest key.
 */
import { SentcError, invalidServerResponse, isSentcError } from "../errors.js";
import { userApi } from "../api/index.js";
import type { JsonObject } from "../api/endpoints/result.js";
import { isRecord } from "../protocol/json.js";
import { verifyGroupPublicKey, verifyVerifyKeyRotation } from "../protocol/key-pin.js";
import { exportPublicKey, exportVerifyKey, importPublicKey, importVerifyKey } from "../protocol/keys.js";
import { publicKeyFromPemText, verifyKeyFromPemText, verifyUserPublicKey } from "../protocol/public-keys.js";
import type { SdkContext } from "./internal.js";
import { resultString } from "./internal.js";
import { STORAGE_KEYS } from "./storage.js";
import { checkUserPublicKeyProof, checkVerifyKeyProof, fetchGroupPublicKeyAnswer } from "./public-keys.js";
import type { GroupPublicKeyAnswer } from "./public-keys.js";

/** How many rotations a chain may span (a user rotating more often than this is asked to be verified again). */
export const MAX_PIN_CHAIN = 64;

/** What user and group pins share. */
interface KeyPin {
  /** The pinned key id (first seen, or set by `verifyUserAgain` / `verifyGroupAgain`). */
  key_id: string;
  /** Every key accepted for this user or group, by id: the exported key. */
  trusted: Record<string, string>;
  /** When the pin was set (ms). */
  time: number;
}

/**
 * The public keys accepted for a user or a group and the newest of them: an answer with another accepted key, or with
 * a key logged before the newest one, is an older key served again (`key_changed`).
 */
export interface PublicKeyPin {
  /** Every public key accepted, by id: the exported key. */
  trusted: Record<string, string>;
  /** The newest key accepted (the last one accepted; see `GroupKeyPin` and `UserKeyPin` for pins without it). */
  newest_key_id?: string;
  /** The newest key's leaf index in the key log, when its answer carried a proof: a key logged before it is older. */
  newest_order?: number;
}

/**
 * A user's pin, as stored under `STORAGE_KEYS.userKeyPin(userId)`: its verify keys (the pinned one and those reached
 * through signed rotations, or while checking older signatures) and, in `public_keys`, the public keys accepted as
 * the user's newest (absent in pins written before they were kept: then unknown, recorded at the next accept).
 */
export interface UserKeyPin extends KeyPin {
  public_keys?: PublicKeyPin;
}

/**
 * A group's pin, as stored under `STORAGE_KEYS.groupKeyPin(groupId)`: its public keys (the pinned one and those its
 * signers made), the newest of them (absent in pins written before it was kept: then the last key of `trusted`) and
 * the users whose signature on a new public key of the group is accepted.
 */
export interface GroupKeyPin extends KeyPin, PublicKeyPin {
  signers: string[];
}

interface VerifyKeyAnswer {
  id: string;
  /** The exported verify key. */
  key: string;
  crossSig: string | undefined;
  previousId: string | undefined;
}

/**
 * The key accepted under `id`, read as an own entry only: key ids come from the server, and one named after an
 * inherited member ("constructor", "__proto__") must not read that member as an accepted key.
 */
function trustedKey(trusted: Record<string, string>, id: string): string | undefined {
  return Object.hasOwn(trusted, id) ? trusted[id] : undefined;
}

/** `trusted` with `key` accepted under `id` (an own entry, also for "__proto__"). */
function withTrusted(trusted: Record<string, string>, id: string, key: string): Record<string, string> {
  return { ...trusted, [id]: key };
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
    throw invalidServerResponse(`${what}: the server answered another key id`);
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

type PinKind = "user" | "group";

function pinStorageKey(kind: PinKind, id: string): string {
  return kind === "user" ? STORAGE_KEYS.userKeyPin(id) : STORAGE_KEYS.groupKeyPin(id);
}

async function loadStoredPin<P extends KeyPin>(ctx: SdkContext, kind: PinKind, id: string): Promise<P | undefined> {
  const pin = await (await ctx.getStore()).getItem<P>(pinStorageKey(kind, id));
  if (!isRecord(pin) || typeof pin.key_id !== "string" || !isRecord(pin.trusted)) return undefined;
  return pin;
}

async function saveStoredPin(ctx: SdkContext, kind: PinKind, id: string, pin: KeyPin): Promise<void> {
  await (await ctx.getStore()).set(pinStorageKey(kind, id), pin);
}

/** The stored public keys, the newest one and its log position, as far as they are well formed. */
function publicKeysOf(stored: Partial<PublicKeyPin>, fallback: string | undefined): PublicKeyPin {
  const { newest_key_id: id, newest_order: order } = stored;
  const newest = typeof id === "string" ? id : fallback;
  return {
    trusted: isRecord(stored.trusted) ? stored.trusted : {},
    ...(newest === undefined ? {} : { newest_key_id: newest }),
    ...(typeof order === "number" ? { newest_order: order } : {}),
  };
}

async function loadPin(ctx: SdkContext, userId: string): Promise<UserKeyPin | undefined> {
  const pin = await loadStoredPin<UserKeyPin>(ctx, "user", userId);
  if (pin === undefined) return undefined;
  const { public_keys: keys, ...rest } = pin;
  return isRecord(keys) && isRecord(keys.trusted) ? { ...rest, public_keys: publicKeysOf(keys, undefined) } : rest;
}

function savePin(ctx: SdkContext, userId: string, pin: UserKeyPin): Promise<void> {
  return saveStoredPin(ctx, "user", userId, pin);
}

async function loadGroupPin(ctx: SdkContext, groupId: string): Promise<GroupKeyPin | undefined> {
  const pin = await loadStoredPin<GroupKeyPin>(ctx, "group", groupId);
  if (pin === undefined) return undefined;
  const ids = Object.keys(pin.trusted);
  const { newest_key_id: _id, newest_order: _order, ...rest } = pin;
  return {
    ...rest,
    ...publicKeysOf(pin, ids[ids.length - 1] ?? pin.key_id),
    signers: Array.isArray(pin.signers) ? pin.signers.filter((s) => typeof s === "string") : [],
  };
}

/** A newest public key answer (user or group): its key id, the exported key and the answer with its `kt` proof. */
interface PublicKeyOffer {
  id: string;
  key: string;
  result: Record<string, unknown>;
}

/** The answer's leaf index in the key log (its proof is checked before the pin, when pins are on), if it has one. */
function logOrder(result: Record<string, unknown>): number | undefined {
  const kt = result.kt;
  return isRecord(kt) && typeof kt.leaf_index === "number" && Number.isSafeInteger(kt.leaf_index)
    ? kt.leaf_index
    : undefined;
}

/**
 * Refuses an older public key served again: another key under an accepted key id, an accepted key that is not the
 * newest accepted one, or a key logged before the newest one. `true` when the offer is the newest accepted key itself.
 * `owner` names the key in the message ("key of the group", "public key of user <id>").
 */
function refuseOlderKey(
  pin: PublicKeyPin,
  offer: PublicKeyOffer,
  owner: string,
  changed: (why: string) => SentcError,
): boolean {
  const known = trustedKey(pin.trusted, offer.id);
  if (known !== undefined) {
    if (known !== offer.key) throw changed("another key under an accepted key id");
    if (pin.newest_key_id !== undefined && offer.id !== pin.newest_key_id)
      throw changed(`an older ${owner} was served (the newest accepted key is ${pin.newest_key_id})`);
    return true;
  }
  const order = logOrder(offer.result);
  if (order !== undefined && pin.newest_order !== undefined && order < pin.newest_order)
    throw changed(`an older ${owner} was served (logged before the newest accepted key ${pin.newest_key_id})`);
  return false;
}

/** Records the offered key as accepted and as the newest accepted key (with its log position, if it has one). */
function acceptNewest<P extends PublicKeyPin>(pin: P, offer: PublicKeyOffer): P {
  const order = logOrder(offer.result);
  const { newest_order: _old, ...rest } = pin;
  return {
    ...rest,
    trusted: withTrusted(pin.trusted, offer.id, offer.key),
    newest_key_id: offer.id,
    ...(order === undefined ? {} : { newest_order: order }),
  } as P;
}

/** Whether a fetch failed because the server answered that the user (or its key) does not exist (`server_100`). */
function userNotFound(error: unknown): boolean {
  return isSentcError(error) && error.code === "server" && error.serverCode === 100;
}

function pinChanged(
  kind: PinKind,
  id: string,
  pinnedKeyId: string,
  offeredKeyId: string,
  why: string,
  cause?: unknown,
  what = kind === "user" ? `the identity key of user ${id}` : `the public key of group ${id}`,
): SentcError {
  return new SentcError("key_changed", `${what} changed (pinned ${pinnedKeyId}, offered ${offeredKeyId}): ${why}`, {
    keyChange: { kind, id, pinned_key_id: pinnedKeyId, offered_key_id: offeredKeyId },
    ...(cause === undefined ? {} : { cause }),
  });
}

function keyChanged(userId: string, pinnedKeyId: string, offeredKeyId: string, why: string): SentcError {
  return pinChanged("user", userId, pinnedKeyId, offeredKeyId, why);
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
  const known = pin === undefined ? undefined : trustedKey(pin.trusted, keyId);
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
    const anchor = trustedKey(pin.trusted, last.previousId);
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
      for (const key of chain) pin.trusted = withTrusted(pin.trusted, key.id, key.key);
      await savePin(ctx, userId, pin);
      return offered.key;
    }
    if (chain.some((key) => key.id === last.previousId)) break;
    const previous = await chainKey(ctx, userId, last.previousId);
    if (previous === undefined) break;
    chain.push(previous);
  }
  // Older than the pin: the pinned key's own rotations lead back to it.
  const pinnedKey = trustedKey(pin.trusted, pin.key_id);
  if (typeof pinnedKey === "string") {
    let current = await chainKey(ctx, userId, pin.key_id);
    if (current !== undefined && current.key !== pinnedKey) current = undefined;
    for (let step = 0; step < MAX_PIN_CHAIN && current?.previousId !== undefined; step++) {
      const previous = await chainKey(ctx, userId, current.previousId);
      if (previous === undefined || !rotationVerifies(previous.key, current)) break;
      if (previous.id === keyId) {
        pin.trusted = withTrusted(pin.trusted, keyId, previous.key);
        await savePin(ctx, userId, pin);
        return previous.key;
      }
      current = previous;
    }
  }
  throw keyChanged(userId, pin.key_id, keyId, "no signed rotation leads from the pinned key to it");
}

/** A user's newest public key answer as a `PublicKeyOffer`. */
function userPublicKeyOffer(
  result: JsonObject,
): PublicKeyOffer & { publicKey: ReturnType<typeof publicKeyFromPemText> } {
  const what = "GET /user/:id/public_key result";
  const id = resultString(result, "public_key_id", what);
  const publicKey = publicKeyFromPemText(
    resultString(result, "public_key", what),
    resultString(result, "public_key_alg", what),
    id,
    what,
  );
  return { id, key: exportPublicKey(publicKey), result, publicKey };
}

/**
 * Checks a user's newest public key answer (`GET /user/:id/public_key`, not a key fetched by its id) against the
 * pin: it must be signed (`public_key_sig`) by a verify key that `pinnedUserVerifyKey` accepts, and it must not be
 * older than the user's newest accepted public key (an accepted key other than the newest one, or a key logged before
 * it). It is then recorded as the newest accepted one (a pin without one, written before it was kept, records it).
 * @throws {SentcError} `key_changed` naming the user when it is unsigned, its signature fails, its signer is not
 * accepted or it is an older public key served again; what `pinnedUserVerifyKey` throws; `storage_failed`.
 * @example
 * await checkPinnedPublicKey(ctx, userId, result);
 */
export async function checkPinnedPublicKey(ctx: SdkContext, userId: string, result: JsonObject): Promise<void> {
  const offer = userPublicKeyOffer(result);
  const sigKeyId = optional(result.public_key_sig_key_id);
  const sig = optional(result.public_key_sig);
  const old = await loadPin(ctx, userId);
  const pinnedId = old?.key_id ?? "";
  const newest =
    old?.public_keys !== undefined &&
    refuseOlderKey(old.public_keys, offer, `public key of user ${userId}`, (why) =>
      pinChanged("user", userId, pinnedId, offer.id, why, undefined, `the public key of user ${userId}`),
    );
  if (sigKeyId === undefined || sig === undefined)
    throw keyChanged(userId, pinnedId, offer.id, "the public key is not signed by an identity key");
  const verifyKey = importVerifyKey(await pinnedUserVerifyKey(ctx, userId, sigKeyId));
  if (!verifyUserPublicKey(verifyKey, { publicKey: offer.publicKey, signature: sig, signatureKeyId: sigKeyId }))
    throw keyChanged(userId, pinnedId || sigKeyId, offer.id, "the public key's signature does not verify");
  if (newest) return;
  // The verify key check may have pinned or extended the pin: it is read again before the key is recorded.
  const pin = await loadPin(ctx, userId);
  if (pin === undefined) return;
  await savePin(ctx, userId, { ...pin, public_keys: acceptNewest(pin.public_keys ?? { trusted: {} }, offer) });
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
  const offer = userPublicKeyOffer(result);
  const publicKey = offer.publicKey;
  if (!verifyUserPublicKey(importVerifyKey(answer.key), { publicKey, signature: sig, signatureKeyId: sigKeyId }))
    throw new SentcError("verification_failed", `${what}: the public key's signature does not verify`, {
      reference: 31,
    });
  const safetyNumber = safetyNumberOf(answer.key);
  if (expected !== undefined && expected !== safetyNumber)
    throw new SentcError("verification_failed", "the safety number does not match the user's newest key");
  // The key answered becomes the newest accepted public key (re-pinning is the app's decision: no older-key check).
  await savePin(ctx, userId, {
    key_id: sigKeyId,
    trusted: { [sigKeyId]: answer.key },
    time: Date.now(),
    public_keys: acceptNewest({ trusted: {} }, offer),
  });
  // The cached public key was taken under the old pin; the next use fetches and checks it again.
  await (await ctx.getStore()).delete(STORAGE_KEYS.userPublicKey(userId));
  return { keyId: sigKeyId, safetyNumber };
}

/** Who signed a group public key answer (`public_group_key_sig`), or `undefined` when it is unsigned. */
function groupKeySignature(answer: GroupPublicKeyAnswer): { userId: string; keyId: string; sig: string } | undefined {
  const sig = optional(answer.result.public_group_key_sig);
  const userId = optional(answer.result.public_group_key_sig_user_id);
  const keyId = optional(answer.result.public_group_key_sig_key_id);
  return sig === undefined || userId === undefined || keyId === undefined ? undefined : { userId, keyId, sig };
}

/**
 * Checks the answer's signature with the signer's verify key (which must pass that user's own pin): `true` when it
 * verifies; `false` when `signerMayBeGone` and the server answers that the signer does not exist (a deleted user);
 * else throws what `changed` makes (for a bad signature, or with the signer's own `key_changed` as `cause`) or what
 * the fetch throws.
 */
async function checkGroupKeySignature(
  ctx: SdkContext,
  answer: GroupPublicKeyAnswer,
  signature: { userId: string; keyId: string; sig: string },
  changed: (why: string, cause?: unknown) => SentcError,
  signerMayBeGone: boolean,
): Promise<boolean> {
  let verifies: boolean;
  try {
    const verifyKey = importVerifyKey(await pinnedUserVerifyKey(ctx, signature.userId, signature.keyId));
    verifies = verifyGroupPublicKey(verifyKey, importPublicKey(answer.key), signature.sig);
  } catch (error) {
    if (signerMayBeGone && userNotFound(error)) return false;
    if (isSentcError(error) && error.code === "key_changed")
      throw changed(`its signer ${signature.userId} has an identity key that is not the pinned one`, error);
    throw error;
  }
  if (!verifies) throw changed(`its signature by user ${signature.userId} does not verify`);
  return true;
}

/**
 * Checks a group's newest public key answer against the group's pin. The first key seen is pinned with its signer
 * (when it is signed and the signature verifies with a verify key that passes the signer's own pin; when the server
 * answers that the signer does not exist, the key is pinned as an unsigned one); a later key is accepted only when a
 * pinned signer signed it (the signer is checked before its identity key is fetched). The newest accepted key is
 * kept: an older accepted key served again, or a new key logged before the newest one, is refused.
 * @throws {SentcError} `key_changed` (naming the group) when the key is not one pinned or signed by a pinned signer,
 * when it is older than the newest accepted key, when its signature does not verify, or when its signer's identity
 * key fails that user's pin (the `cause`); `server` / `network_error` / `invalid_server_response` from the signer's
 * verify key fetch; `storage_failed`.
 * @example
 * await checkPinnedGroupPublicKey(ctx, groupId, await fetchGroupPublicKeyAnswer(ctx, groupId));
 */
export async function checkPinnedGroupPublicKey(
  ctx: SdkContext,
  groupId: string,
  answer: GroupPublicKeyAnswer,
): Promise<void> {
  const pin = await loadGroupPin(ctx, groupId);
  const pinnedId = pin?.key_id ?? "";
  const changed = (why: string, cause?: unknown) => pinChanged("group", groupId, pinnedId, answer.id, why, cause);
  const signature = groupKeySignature(answer);
  if (pin === undefined) {
    // First contact: the key is pinned with its signer. A signer the server says does not exist (a deleted user)
    // cannot be checked: the key pins only itself, as an unsigned key does.
    let signers: string[] = [];
    if (signature !== undefined) {
      if (await checkGroupKeySignature(ctx, answer, signature, changed, true)) signers = [signature.userId];
    }
    const first: GroupKeyPin = { key_id: answer.id, trusted: { [answer.id]: answer.key }, signers, time: Date.now() };
    await saveStoredPin(ctx, "group", groupId, acceptNewest(first, answer));
    return;
  }
  if (refuseOlderKey(pin, answer, "key of the group", changed)) return;
  // Who signed it is checked first: a refused signer's identity key is neither fetched nor pinned.
  if (signature === undefined) throw changed("the new key is not signed by a signer of the pinned key");
  if (!pin.signers.includes(signature.userId))
    throw changed(`the new key is signed by user ${signature.userId}, who is not a signer of the pinned key`);
  await checkGroupKeySignature(ctx, answer, signature, changed, false);
  await saveStoredPin(ctx, "group", groupId, acceptNewest(pin, answer));
}

/**
 * Pins the group's newest public key, replacing the old pin, and adds its signer (if it is signed) to the signers
 * whose new keys are accepted. A signed key's signature must verify with a verify key that passes its signer's pin;
 * when the server answers that the signer does not exist (a deleted user), the key is pinned as an unsigned one
 * (`signed_by_user_id: null`). The key answered becomes the newest accepted key (re-pinning is the app's decision,
 * so no older-key check applies here).
 * @throws {SentcError} `verification_failed` when the signature does not verify; `key_changed` (naming the signer)
 * when the signer's identity key fails that user's pin (verify the user again first); what the key fetch throws
 * (`server`, `network_error`, `invalid_server_response`, `transparency_failed`, …); `storage_failed`.
 * @example
 * const { public_key_id } = await repinGroup(ctx, groupId);
 */
export async function repinGroup(
  ctx: SdkContext,
  groupId: string,
): Promise<{ public_key_id: string; signed_by_user_id: string | null }> {
  const answer = await fetchGroupPublicKeyAnswer(ctx, groupId);
  const signature = groupKeySignature(answer);
  // A signer's identity key that fails its own pin is that user's `key_changed` (the cause), a bad signature is
  // `verification_failed`; a signer the server says does not exist (a deleted user) leaves the key unsigned.
  const refused = (_why: string, cause?: unknown): SentcError =>
    isSentcError(cause)
      ? cause
      : new SentcError("verification_failed", `the newest public key of group ${groupId} has a bad signature`, {
          reference: 31,
        });
  const signedBy =
    signature !== undefined && (await checkGroupKeySignature(ctx, answer, signature, refused, true))
      ? signature.userId
      : null;
  const old = await loadGroupPin(ctx, groupId);
  const signers = new Set(old?.signers ?? []);
  if (signedBy !== null) signers.add(signedBy);
  const pin: GroupKeyPin = {
    key_id: answer.id,
    trusted: { [answer.id]: answer.key },
    signers: [...signers],
    time: Date.now(),
  };
  await saveStoredPin(ctx, "group", groupId, acceptNewest(pin, answer));
  // The cached public key was taken under the old pin; the next use fetches and checks it again.
  await (await ctx.getStore()).delete(STORAGE_KEYS.groupPublicKey(groupId));
  return { public_key_id: answer.id, signed_by_user_id: signedBy };
}
