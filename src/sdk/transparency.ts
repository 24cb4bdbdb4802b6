/**
 * Key transparency on the client (a sentc-as extra; docs/security.md, docs/protocol.md "Key transparency log").
 *
 * Every user or group public or verify key the SDK fetches is checked against the server's log when the answer
 * carries a `kt` proof: the leaf names exactly the served key, the inclusion proof leads to the signed tree head
 * (STH), the STH is signed by the app's log key (given at init or pinned on first sight), and every newer head is
 * proven consistent with the newest head kept in the key store. A head of the same size with another root, or a
 * failed consistency proof, is `log_fork`; anything else wrong is `transparency_failed`.
 *
 * An answer without `kt` (a plain sentc server) is used as before, but the guarantee is reported unavailable
 * (`transparencyStatus`), and with `require_transparency` it is `transparency_unavailable`. Once a log key is
 * pinned, a key without a proof is `transparency_failed` (a server that has a log does not get to hide a key from it).
 */
import { ktConsistency, ktLogKey, ktSubject } from "../api/endpoints/transparency.js";
import { SentcError, invalidInput } from "../errors.js";
import { isRecord } from "../protocol/json.js";
import { fromBase64 } from "../protocol/encoding.js";
import {
  type KtLeafRecord,
  type SignedTreeHead,
  decodeKtLeaf,
  ktLeafHash,
  ktVerifyConsistency,
  ktVerifyInclusion,
  parseKtTreeHead,
  verifyKtTreeHead,
} from "../protocol/transparency.js";
import { exportPublicKey, exportVerifyKey } from "../protocol/keys.js";
import { publicKeyFromPemText, verifyKeyFromPemText } from "../protocol/public-keys.js";
import type { SdkContext } from "./internal.js";
import { STORAGE_KEYS } from "./storage.js";
import { pinKeys } from "./verify-policy.js";

/** What the key store keeps of the log (under `STORAGE_KEYS.ktState`). */
interface KtState {
  app_id: string;
  /** base64 of the app's 32-byte Ed25519 log key. */
  log_key: string;
  /** The newest STH seen and proven consistent with every earlier one. */
  sth: SignedTreeHead | null;
  /** Set when a fork was seen: every later key check is `log_fork` (the server cannot be trusted with keys). */
  forked?: string;
}

/** One thing the log says about the user that the user's own keys do not (`user.checkKeyTransparency`). */
export interface KtFinding {
  /** `unknown_key`: a key id this user never made; `different_key`: one of its key ids with another key. */
  kind: "unknown_key" | "different_key";
  key_type: "public" | "verify";
  key_id: string;
  leaf_index: number;
  published_at: number;
}

/** The key transparency guarantee as this SDK holds it (`Sentc.transparency()`, `user.transparencyStatus()`). */
export interface TransparencyStatus {
  /** True once keys were checked against a log whose key is pinned. */
  available: boolean;
  /** Why not available (a server without the log, nothing fetched yet). */
  reason?: string;
  /** The app id and base64 log key pinned. */
  app_id?: string;
  log_key?: string;
  /** The newest signed tree head held (to gossip through the app's own backend). */
  sth?: SignedTreeHead | null;
  /** What the last check of the user's own keys found (empty when the log holds exactly its keys). */
  findings?: KtFinding[];
  /** The error of the last check of the user's own keys, when it failed (login does not fail for it). */
  error?: { code: string; message: string };
}

/** What a key-fetch answer served, to be found exactly in the proof's leaf. */
export type ServedKey = Omit<KtLeafRecord, "v" | "app_id" | "published_at">;

const settings: { logKey: string | undefined; require: boolean; reason: string } = {
  logKey: undefined,
  require: false,
  reason: "no key was fetched yet",
};

/** Head updates run one after another (two fetches at once must not each skip the other's consistency check). */
let queue: Promise<unknown> = Promise.resolve();

/**
 * @internal Set by `Sentc.init` (`transparency.log_key`, `require_transparency`) and cleared by `Sentc.reset`.
 * @throws {SentcError} `invalid_input` when the log key is not base64 of 32 bytes.
 * @example
 * setTransparencyOptions({ log_key: "…base64…" }, true);
 */
export function setTransparencyOptions(options: { log_key?: string } | undefined, require: boolean): void {
  if (options?.log_key !== undefined) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = typeof options.log_key === "string" ? fromBase64(options.log_key) : undefined;
    } catch {
      bytes = undefined;
    }
    if (bytes?.length !== 32) throw invalidInput("transparency.log_key must be base64 of 32 bytes");
  }
  settings.logKey = options?.log_key;
  settings.require = require;
  settings.reason = "no key was fetched yet";
}

/**
 * @internal `Sentc.init`'s `transparency` and `require_transparency`: validated, copied to the resolved options and set.
 * @throws {SentcError} `invalid_input` for options of the wrong type.
 * @example
 * transparencyOptions(options, resolved);
 */
export function transparencyOptions(
  options: { transparency?: { log_key?: string }; require_transparency?: boolean },
  resolved: { transparency?: { log_key?: string }; require_transparency?: boolean },
): void {
  if (options.require_transparency !== undefined) {
    if (typeof options.require_transparency !== "boolean") throw invalidInput("require_transparency must be a boolean");
    resolved.require_transparency = options.require_transparency;
  }
  if (options.transparency !== undefined) {
    if (!isRecord(options.transparency)) throw invalidInput("transparency must be an object");
    resolved.transparency = { ...options.transparency };
  }
  setTransparencyOptions(resolved.transparency, resolved.require_transparency === true);
}

/**
 * @internal Whether `require_transparency` is on. Throws nothing.
 * @example
 * if (requireTransparency()) throw error;
 */
export function requireTransparency(): boolean {
  return settings.require;
}

function failed(why: string, cause?: unknown): SentcError {
  return new SentcError("transparency_failed", `key transparency: ${why}`, cause === undefined ? {} : { cause });
}

function fork(why: string): SentcError {
  return new SentcError("log_fork", `key transparency: the log forked (${why})`);
}

/** Remembers a fork in the key store (every later key check fails) and returns the error. */
async function forkSeen(ctx: SdkContext, why: string): Promise<SentcError> {
  const state = await loadState(ctx);
  if (state !== undefined) await saveState(ctx, { ...state, forked: why });
  return fork(why);
}

/**
 * @internal `log_fork` once a fork was seen, also for keys cached before (nothing more is encrypted to any key the
 * server served). Throws nothing else but `storage_failed`.
 * @throws {SentcError} `log_fork`.
 * @example
 * await refuseForked(ctx);
 */
export async function refuseForked(ctx: SdkContext): Promise<void> {
  const state = await storedState(ctx);
  if (isRecord(state) && typeof state.forked === "string") throw fork(state.forked);
}

/** Whether `value` is base64 of a 32-byte Ed25519 log key. */
function isLogKey(value: unknown): value is string {
  try {
    return typeof value === "string" && fromBase64(value).length === 32;
  } catch {
    return false;
  }
}

/** The stored log state exactly as stored (for the fork flag, which is kept even next to a corrupt log key). */
async function storedState(ctx: SdkContext): Promise<unknown> {
  return (await ctx.getStore()).getItem(STORAGE_KEYS.ktState);
}

/**
 * The pinned log state. A stored state without an app id and a 32-byte log key (stored unchecked by an earlier
 * version, or damaged) is treated as absent: no head was ever verified under it, so the next proof pins the log key
 * again. A stored head that does not parse is dropped (the next verified head is kept in its place).
 */
async function loadState(ctx: SdkContext): Promise<KtState | undefined> {
  const state = await storedState(ctx);
  if (!isRecord(state) || typeof state.app_id !== "string" || !state.app_id || !isLogKey(state.log_key))
    return undefined;
  try {
    parseKtTreeHead(state.sth);
  } catch {
    state.sth = null;
  }
  return state as unknown as KtState;
}

async function saveState(ctx: SdkContext, state: KtState): Promise<void> {
  await (await ctx.getStore()).set(STORAGE_KEYS.ktState, state);
}

/** A kt route's answer as an object; `undefined` when the server has no log. */
async function ktAnswer(path: string, answer: Promise<unknown>): Promise<Record<string, unknown> | undefined> {
  const result = await answer;
  if (result === undefined) return undefined;
  if (!isRecord(result)) throw failed(`GET ${path} answered no object`);
  return result;
}

/**
 * The pinned log state, or on first sight the app's log key as the server answers it (checked completely, and
 * against `transparency.log_key`), not stored yet: `acceptHead` pins it with the first head verified under it, so
 * an answer that is no log key of this app's log (another app id, a key that signs no head) is never pinned.
 */
async function logState(ctx: SdkContext): Promise<KtState> {
  const known = await loadState(ctx);
  if (known !== undefined) {
    if (settings.logKey !== undefined && known.log_key !== settings.logKey)
      throw failed("the pinned log key is not the one given at init");
    return known;
  }
  const answer = await ktAnswer("/kt/log_key", ktLogKey(ctx.http));
  if (answer === undefined) throw failed("the server answers a proof but has no log key");
  const { app_id: appId, log_key: logKey } = answer;
  if (typeof appId !== "string" || !appId || answer.alg !== "ed25519" || !isLogKey(logKey))
    throw failed("GET /kt/log_key answered no ed25519 log key");
  if (settings.logKey !== undefined && logKey !== settings.logKey)
    throw failed("the server's log key is not the one given at init");
  return { app_id: appId, log_key: logKey, sth: null };
}

function verifiedHead(state: KtState, sth: unknown): { sth: SignedTreeHead; root: Uint8Array } {
  if (!verifyKtTreeHead(fromBase64(state.log_key), state.app_id, sth))
    throw failed("the signed tree head is not signed by the app's log key");
  const parsed = parseKtTreeHead(sth);
  return { sth: parsed.sth, root: parsed.rootHash };
}

function proofHashes(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) throw failed(`${what} is not a list`);
  try {
    return value.map((x) => fromBase64(x as string));
  } catch (error) {
    throw failed(`${what} is not base64`, error);
  }
}

/**
 * Proves `next` (verified under `verifiedBy`) consistent with the newest head held and keeps the newer of the two.
 * With no log key pinned yet, `verifiedBy` is pinned with `next`.
 */
async function acceptHead(
  ctx: SdkContext,
  verifiedBy: KtState,
  next: { sth: SignedTreeHead; root: Uint8Array },
): Promise<void> {
  const run = queue.then(async () => {
    const state = await loadState(ctx);
    if (state === undefined) {
      await saveState(ctx, { app_id: verifiedBy.app_id, log_key: verifiedBy.log_key, sth: next.sth });
      return;
    }
    if (state.app_id !== verifiedBy.app_id || state.log_key !== verifiedBy.log_key)
      throw failed("the signed tree head is not signed by the app's log key");
    const held = state.sth;
    if (held === null) {
      await saveState(ctx, { ...state, sth: next.sth });
      return;
    }
    if (held.tree_size === next.sth.tree_size) {
      if (held.root_hash !== next.sth.root_hash) throw await forkSeen(ctx, `two heads of size ${held.tree_size}`);
      return;
    }
    const heldRoot = fromBase64(held.root_hash);
    const grows = held.tree_size < next.sth.tree_size;
    // An older head than the one held must be a prefix of it too (a replayed or forked old head is caught).
    const older = grows ? { size: held.tree_size, root: heldRoot } : { size: next.sth.tree_size, root: next.root };
    const newer = grows ? { size: next.sth.tree_size, root: next.root } : { size: held.tree_size, root: heldRoot };
    const answer = await ktAnswer("/kt/consistency", ktConsistency(ctx.http, older.size, newer.size));
    if (answer === undefined) throw await forkSeen(ctx, "the server proves no consistency between its heads");
    if (answer.first !== older.size || answer.second !== newer.size)
      throw await forkSeen(ctx, "the consistency proof is for other sizes");
    const proof = proofHashes(answer.proof, "the consistency proof");
    if (!ktVerifyConsistency(older.size, newer.size, older.root, newer.root, proof))
      throw await forkSeen(ctx, `the head of size ${newer.size} does not extend the head of size ${older.size}`);
    if (grows) await saveState(ctx, { ...state, sth: next.sth });
  });
  queue = run.catch(() => undefined);
  await run;
}

function sameKey(leaf: KtLeafRecord, served: ServedKey): boolean {
  return (
    leaf.subject_type === served.subject_type &&
    leaf.subject_id === served.subject_id &&
    leaf.key_type === served.key_type &&
    leaf.key_id === served.key_id &&
    leaf.key_alg === served.key_alg &&
    leaf.key === served.key &&
    leaf.signature === served.signature &&
    leaf.signed_by === served.signed_by
  );
}

/**
 * @internal Checks the `kt` proof of a key-fetch answer for the key it served (see the module comment), before the
 * key is used. Without a proof: nothing (the status says unavailable), unless transparency is required or a log key
 * is pinned.
 * @throws {SentcError} `transparency_failed` for a missing or wrong proof, leaf or head signature; `log_fork` when the
 * head is not consistent with the newest one held; `transparency_unavailable` with `require_transparency` and no
 * proof from a server without the log; `server` / `network_error` from the log routes; `storage_failed`.
 * @example
 * await checkKeyProof(ctx, result, { subject_type: "user", subject_id, key_type: "public", key_id, key_alg, key, signature, signed_by });
 */
export async function checkKeyProof(
  ctx: SdkContext,
  result: Record<string, unknown>,
  served: ServedKey,
): Promise<void> {
  if (!pinKeys()) {
    settings.reason = "trust_server_keys is on: keys are taken from the server on trust";
    return;
  }
  await refuseForked(ctx);
  const kt = result.kt;
  const what = `the ${served.key_type} key ${served.key_id} of ${served.subject_type} ${served.subject_id}`;
  if (kt === undefined || kt === null) {
    if ((await loadState(ctx)) !== undefined || settings.logKey !== undefined)
      throw failed(`${what} was served without a proof that the log holds it`);
    settings.reason = "the server answers keys without a transparency proof (a server without the key log)";
    if (settings.require) throw new SentcError("transparency_unavailable", `key transparency: ${settings.reason}`);
    return;
  }
  if (!isRecord(kt) || typeof kt.leaf !== "string" || typeof kt.leaf_index !== "number")
    throw failed(`the proof of ${what} is malformed`);
  const state = await logState(ctx);
  const head = verifiedHead(state, kt.sth);
  let leafBytes: Uint8Array;
  let leaf: KtLeafRecord;
  try {
    leafBytes = fromBase64(kt.leaf);
    leaf = decodeKtLeaf(leafBytes);
  } catch (error) {
    throw failed(`the log leaf of ${what} is malformed`, error);
  }
  if (leaf.app_id !== state.app_id || !sameKey(leaf, served))
    throw failed(`the log leaf does not hold ${what} as served`);
  const proof = proofHashes(kt.inclusion, "the inclusion proof");
  if (!ktVerifyInclusion(ktLeafHash(leafBytes), kt.leaf_index, head.sth.tree_size, proof, head.root))
    throw failed(`the inclusion proof of ${what} does not lead to the signed head`);
  await acceptHead(ctx, state, head);
}

/**
 * @internal Gossip: checks a signed tree head another client holds (passed through the app's own backend) against
 * the newest head held here: signed by the pinned log key, and one history with it (same size: same root; else a
 * consistency proof from the server). A newer head is kept.
 * @throws {SentcError} `log_fork` when the two heads are not one log; `transparency_failed` for a head not signed
 * by the log key or when no log key is pinned yet; `server` / `network_error`; `storage_failed`.
 * @example
 * await compareTreeHead(ctx, headFromOtherClient);
 */
export async function compareTreeHead(ctx: SdkContext, sth: unknown): Promise<void> {
  await refuseForked(ctx);
  const state = await loadState(ctx);
  if (state === undefined) throw failed("no log key is pinned yet (no key was checked against the log)");
  await acceptHead(ctx, state, verifiedHead(state, sth));
}

/**
 * @internal The status (`Sentc.transparency()`, `user.transparencyStatus()`). Never throws but `storage_failed`.
 * @example
 * const { available, sth } = await transparencyStatus(ctx);
 */
export async function transparencyStatus(ctx: SdkContext): Promise<TransparencyStatus> {
  const state = await loadState(ctx);
  if (state === undefined) {
    // A fork stays refused next to a corrupt log key too (`refuseForked`).
    const stored = await storedState(ctx);
    const forked = isRecord(stored) && typeof stored.forked === "string";
    return { available: false, reason: forked ? `the log forked: ${stored.forked}` : settings.reason };
  }
  if (typeof state.forked === "string")
    return {
      available: false,
      reason: `the log forked: ${state.forked}`,
      app_id: state.app_id,
      log_key: state.log_key,
      sth: state.sth,
    };
  return { available: true, app_id: state.app_id, log_key: state.log_key, sth: state.sth };
}

/** The own user's keys: key id → exported public and verify key. */
export interface OwnKeys {
  userId: string;
  keys: ReadonlyArray<{ id: string; publicKey: string; verifyKey: string }>;
}

/**
 * @internal Monitoring: fetches the log's entries for the own user (`/kt/subject/user/<id>`), proves each against
 * the head (and the head against the newest held) and compares them with the user's own keys. Returns the
 * findings (also kept for the status); `{available: false}` against a server without the log.
 * @throws {SentcError} `transparency_failed` for a malformed or unproven answer; `log_fork`; `transparency_unavailable`
 * with `require_transparency` and no log; `server` / `network_error`; `storage_failed`.
 * @example
 * const report = await monitorOwnKeys(ctx, { userId, keys });
 */
export async function monitorOwnKeys(ctx: SdkContext, own: OwnKeys): Promise<TransparencyStatus> {
  const answer = await ktAnswer("/kt/subject/user", ktSubject(ctx.http, "user", own.userId));
  if (answer === undefined) {
    if ((await loadState(ctx)) !== undefined || settings.logKey !== undefined)
      throw failed("the server no longer answers the log of the own keys");
    settings.reason = "the server has no key transparency log";
    if (settings.require) throw new SentcError("transparency_unavailable", `key transparency: ${settings.reason}`);
    return { available: false, reason: settings.reason, findings: [] };
  }
  const state = await logState(ctx);
  const head = verifiedHead(state, answer.sth);
  if (!Array.isArray(answer.leaves)) throw failed("the subject answer has no leaves");
  const findings: KtFinding[] = [];
  const byId = new Map(own.keys.map((key) => [key.id, key]));
  for (const entry of answer.leaves) {
    if (!isRecord(entry) || typeof entry.leaf !== "string" || typeof entry.leaf_index !== "number")
      throw failed("a subject leaf is malformed");
    let bytes: Uint8Array;
    let leaf: KtLeafRecord;
    try {
      bytes = fromBase64(entry.leaf);
      leaf = decodeKtLeaf(bytes);
    } catch (error) {
      throw failed("a subject leaf is malformed", error);
    }
    if (leaf.app_id !== state.app_id || leaf.subject_type !== "user" || leaf.subject_id !== own.userId)
      throw failed(`the subject answer holds leaf ${entry.leaf_index} of another subject`);
    const proof = proofHashes(entry.inclusion, "an inclusion proof");
    if (!ktVerifyInclusion(ktLeafHash(bytes), entry.leaf_index, head.sth.tree_size, proof, head.root))
      throw failed(`the inclusion proof of leaf ${entry.leaf_index} does not lead to the signed head`);
    const mine = byId.get(leaf.key_id);
    const base = {
      key_type: leaf.key_type,
      key_id: leaf.key_id,
      leaf_index: entry.leaf_index,
      published_at: leaf.published_at,
    };
    if (mine === undefined) {
      findings.push({ kind: "unknown_key", ...base });
      continue;
    }
    let same = false;
    try {
      same =
        leaf.key_type === "public"
          ? exportPublicKey(publicKeyFromPemText(leaf.key, leaf.key_alg, leaf.key_id, "log leaf")) === mine.publicKey
          : exportVerifyKey(verifyKeyFromPemText(leaf.key, leaf.key_alg, leaf.key_id, "log leaf")) === mine.verifyKey;
    } catch {
      same = false;
    }
    if (!same) findings.push({ kind: "different_key", ...base });
  }
  await acceptHead(ctx, state, head);
  return { ...(await transparencyStatus(ctx)), findings };
}

/**
 * @internal The error for findings of `monitorOwnKeys` (`user.checkKeyTransparency`).
 * @example
 * if (report.findings.length > 0) throw foreignKeyError(userId, report.findings);
 */
export function foreignKeyError(userId: string, findings: readonly KtFinding[]): SentcError {
  const list = findings.map((f) => `${f.kind} ${f.key_type} ${f.key_id} (leaf ${f.leaf_index})`).join(", ");
  return new SentcError(
    "foreign_key_in_log",
    `key transparency: the log holds keys of user ${userId} it did not make: ${list}`,
  );
}
