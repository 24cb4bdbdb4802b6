/**
 * The key transparency log's answers (docs/server.md "Key transparency log", docs/protocol.md "Key transparency
 * log"): the app's log key, signed tree heads, consistency proofs, leaf pages, a subject's leaves, and the `kt`
 * proof beside each key-fetch answer. Leaves are appended by the store with each key (`insertGroupKey`).
 *
 * Tree heads are signed on demand: when the log grew since its newest signed head, the next read signs one for
 * the current size (a size is signed once; the first stored signature stays, so every process serves the same).
 */
import { randomBytes } from "node:crypto";
import { toBase64 } from "../../src/protocol/encoding.js";
import {
  ktConsistencyProof,
  ktInclusionProof,
  ktLogPublicKey,
  ktRootHash,
  signKtTreeHead,
  type SignedTreeHead,
} from "../../src/protocol/transparency.js";
import { E } from "../errors.js";
import { withKtNodes } from "../store/kt-log.js";
import type { KtHeadRecord, KtLeafRow, StoreOps } from "../store/types.js";
import type { ServiceContext } from "./context.js";

/** Most leaves one `GET /kt/entries` page returns. */
export const KT_MAX_ENTRIES = 1000;
/** Most leaves `GET /kt/subject/…` returns. */
export const KT_MAX_SUBJECT_LEAVES = 1000;

/** The `kt` field of a key-fetch answer. */
export interface KtProof {
  leaf_index: number;
  leaf: string;
  inclusion: string[];
  sth: SignedTreeHead;
}

const opened = new Map<string, Uint8Array>();

/** The app's log key seed: read and opened, or made (32 random bytes, sealed) on first use. */
async function logSeed(ctx: ServiceContext, appId: string): Promise<{ seed: Uint8Array; publicKey: string }> {
  let record = await ctx.store.getKtLogKey(appId);
  if (!record) {
    const seed = new Uint8Array(randomBytes(32));
    await ctx.store.insertKtLogKey({
      appId,
      signKey: ctx.secrets.seal(toBase64(seed), "kt-log-key"),
      verifyKey: toBase64(ktLogPublicKey(seed)),
      time: ctx.now(),
    });
    seed.fill(0);
    // Another process may have stored its key first: the stored one is the app's.
    record = await ctx.store.getKtLogKey(appId);
    if (!record) throw E.internal();
  }
  let seed = opened.get(record.signKey);
  if (!seed) {
    seed = new Uint8Array(Buffer.from(ctx.secrets.open(record.signKey, "kt-log-key"), "base64"));
    if (opened.size > 1000) opened.clear();
    opened.set(record.signKey, seed);
  }
  return { seed, publicKey: record.verifyKey };
}

const headOut = (h: KtHeadRecord): SignedTreeHead => ({
  tree_size: h.treeSize,
  root_hash: h.rootHash,
  timestamp: h.timestamp,
  signature: h.signature,
});

/** Reads nodes of the app's log for a proof or head computation. */
const nodesOf = (store: StoreOps, appId: string) => (nodes: Array<[number, number]>) => store.ktNodes(appId, nodes);

/** The tree head of the first `size` leaves, from the stored perfect subtrees. */
export function ktRootAt(store: StoreOps, appId: string, size: number): Promise<Uint8Array> {
  return withKtNodes((read) => ktRootHash(size, read), nodesOf(store, appId));
}

/**
 * The newest signed tree head, signing one for the current size when the log grew since the newest.
 * @example const sth = await currentTreeHead(ctx, appId);
 */
export async function currentTreeHead(ctx: ServiceContext, appId: string): Promise<SignedTreeHead> {
  const size = await ctx.store.ktTreeSize(appId);
  const newest = await ctx.store.getKtHead(appId, null);
  if (newest && newest.treeSize >= size) return headOut(newest);
  const { seed } = await logSeed(ctx, appId);
  const root = await ktRootAt(ctx.store, appId, size);
  // Timestamps never go back, whatever the clocks of several processes say.
  const timestamp = Math.max(ctx.now(), newest?.timestamp ?? 0);
  const signed = signKtTreeHead(seed, appId, size, timestamp, root);
  await ctx.store.insertKtHead(appId, {
    treeSize: size,
    rootHash: signed.root_hash,
    timestamp,
    signature: signed.signature,
  });
  const stored = await ctx.store.getKtHead(appId, size);
  if (!stored) throw E.internal();
  return headOut(stored);
}

/** `GET /kt/log_key`: the app id and the log's Ed25519 public key (base64 of 32 bytes). */
export async function logKey(ctx: ServiceContext, appId: string) {
  const { publicKey } = await logSeed(ctx, appId);
  return { app_id: appId, alg: "ed25519", log_key: publicKey };
}

/** `GET /kt/sth[?tree_size=]`: the newest signed head, or the one signed for `tree_size` (404 when none was). */
export async function treeHead(ctx: ServiceContext, appId: string, treeSize: number | null) {
  if (treeSize === null) return currentTreeHead(ctx, appId);
  const head = await ctx.store.getKtHead(appId, treeSize);
  if (!head) throw E.notFound();
  return headOut(head);
}

/** `GET /kt/consistency?first=&second=`: RFC 9162 consistency proof, base64 hashes. */
export async function consistency(ctx: ServiceContext, appId: string, first: number, second: number) {
  const size = await ctx.store.ktTreeSize(appId);
  if (first > second || second > size)
    throw E.jsonParse(`first must not be above second, second not above the tree size ${size}`);
  const proof = await withKtNodes((read) => ktConsistencyProof(first, second, read), nodesOf(ctx.store, appId));
  return { first, second, proof: proof.map(toBase64) };
}

const leafOut = (row: KtLeafRow) => ({ leaf_index: row.index, leaf: row.leaf });

/** `GET /kt/entries?start=&end=`: leaves start ≤ index < end, at most `KT_MAX_ENTRIES`. */
export async function entries(ctx: ServiceContext, appId: string, start: number, end: number) {
  const size = await ctx.store.ktTreeSize(appId);
  if (start > end || end > size) throw E.jsonParse(`start must not be above end, end not above the tree size ${size}`);
  const rows = await ctx.store.listKtLeaves(appId, start, Math.min(end, start + KT_MAX_ENTRIES));
  return { start, entries: rows.map(leafOut) };
}

async function inclusionOf(ctx: ServiceContext, appId: string, row: KtLeafRow, size: number): Promise<string[]> {
  const proof = await withKtNodes((read) => ktInclusionProof(row.index, size, read), nodesOf(ctx.store, appId));
  return proof.map(toBase64);
}

/** `GET /kt/subject/:subject_type/:subject_id`: every leaf of a user or group with its proof against one head. */
export async function subjectLeaves(ctx: ServiceContext, appId: string, subjectType: "user" | "group", id: string) {
  const sth = await currentTreeHead(ctx, appId);
  const rows = await ctx.store.listKtLeavesOfSubject(appId, subjectType, id, KT_MAX_SUBJECT_LEAVES);
  const leaves = [];
  for (const row of rows) {
    if (row.index >= sth.tree_size) break;
    leaves.push({ ...leafOut(row), inclusion: await inclusionOf(ctx, appId, row, sth.tree_size) });
  }
  return { subject_type: subjectType, subject_id: id, sth, leaves };
}

/**
 * The `kt` field of a key-fetch answer: the key's leaf, its inclusion proof and the head it is proven against;
 * null for a key the log does not hold (stored before the log existed).
 * @example const kt = await keyProof(ctx, appId, key.id, "public");
 */
export async function keyProof(
  ctx: ServiceContext,
  appId: string,
  keyId: string,
  keyType: "public" | "verify",
): Promise<KtProof | null> {
  const row = await ctx.store.getKtLeafOfKey(appId, keyId, keyType);
  if (!row) return null;
  const sth = await currentTreeHead(ctx, appId);
  return { leaf_index: row.index, leaf: row.leaf, inclusion: await inclusionOf(ctx, appId, row, sth.tree_size), sth };
}

/**
 * Appends the keys stored before the log existed (the first start of a version with the log), oldest first, in
 * batches; several processes may run it at once (a key is appended once). Returns how many keys it appended.
 * @example const logged = await logStoredKeys(store);
 */
export async function logStoredKeys(store: StoreOps, batch = 500, log?: (line: string) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const keys = await store.listUnloggedGroupKeys(batch);
    let appended = 0;
    for (const key of keys) {
      try {
        if (await store.logStoredGroupKey(key)) appended++;
      } catch (error) {
        // A key whose subject is gone (a user group without its user) stays out of the log.
        log?.(`key transparency log: key ${key.id} not appended: ${error instanceof Error ? error.message : error}`);
      }
    }
    total += appended;
    if (keys.length < batch || appended === 0) return total;
  }
}
