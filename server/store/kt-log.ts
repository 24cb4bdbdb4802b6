/**
 * The store side of the key transparency log (docs/server.md "Key transparency log"): which leaves a stored key
 * adds, which stored nodes an append or a proof reads. The hashing and proofs are src/protocol/transparency.ts.
 */
import { encodeKtLeaf, KT_HASH_BYTES, type KtNodeReader } from "../../src/protocol/transparency.js";
import type { GroupKeyRecord, KtAppendLeaf } from "./types.js";

/** The map key of node `(level, index)`. */
export const ktNodeKey = (level: number, index: number): string => `${level}:${index}`;

/** Highest level a node can have with safe-integer leaf counts. */
const MAX_LEVEL = 52;

/**
 * The perfect subtrees along the right edge of a tree of `size` leaves, largest first: every node the next
 * appends read (`ktAppendNodes` asks only for these and the ones it makes itself).
 * @example ktFrontierOf(6) // [[2, 0], [1, 2]]
 */
export function ktFrontierOf(size: number): Array<[level: number, index: number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let level = MAX_LEVEL; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      out.push([level, start / width]);
      start += width;
    }
  }
  return out;
}

/**
 * Runs the synchronous `fn` over stored nodes: once to learn which nodes it reads (their shape depends on sizes and
 * indices only), then again with exactly those nodes loaded in one call of `load`.
 * @throws Error when a node `fn` needs is not stored (a damaged log).
 * @example const proof = await withKtNodes((read) => ktInclusionProof(i, size, read), (c) => store.ktNodes(appId, c));
 */
export async function withKtNodes<T>(
  fn: (read: KtNodeReader) => T,
  load: (nodes: Array<[number, number]>) => Promise<Map<string, Uint8Array>>,
): Promise<T> {
  const wanted = new Map<string, [number, number]>();
  const zero = new Uint8Array(KT_HASH_BYTES);
  fn((level, index) => {
    wanted.set(ktNodeKey(level, index), [level, index]);
    return zero;
  });
  const nodes = await load([...wanted.values()]);
  return fn((level, index) => {
    const hash = nodes.get(ktNodeKey(level, index));
    if (!hash) throw new Error(`key transparency log: node ${level}:${index} is not stored`);
    return hash;
  });
}

/**
 * The leaves a stored group key adds: its public key, and its verify key when it has one, with the values the
 * key-fetch answers serve (`publicKeyOut`, `userVerifyKey`).
 * @example const leaves = ktLeavesOfKey(key, { type: "user", id: userId });
 */
export function ktLeavesOfKey(key: GroupKeyRecord, subject: { type: "user" | "group"; id: string }): KtAppendLeaf[] {
  const common = {
    v: 1,
    app_id: key.appId,
    subject_type: subject.type,
    subject_id: subject.id,
    key_id: key.id,
  } as const;
  const out: KtAppendLeaf[] = [
    {
      leaf: encodeKtLeaf({
        ...common,
        key_type: "public",
        key_alg: key.privateKeyPairAlg,
        key: key.publicKey,
        signature: key.publicKeySig,
        signed_by: key.publicKeySig === null ? null : (key.publicKeySigKeyId ?? key.id),
        published_at: key.time,
      }),
      subjectType: subject.type,
      subjectId: subject.id,
      keyType: "public",
      keyId: key.id,
    },
  ];
  if (key.verifyKey !== null && key.keypairSignAlg !== null) {
    out.push({
      leaf: encodeKtLeaf({
        ...common,
        key_type: "verify",
        key_alg: key.keypairSignAlg,
        key: key.verifyKey,
        signature: null,
        signed_by: null,
        published_at: key.time,
      }),
      subjectType: subject.type,
      subjectId: subject.id,
      keyType: "verify",
      keyId: key.id,
    });
  }
  return out;
}
