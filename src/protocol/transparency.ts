/**
 * Key transparency log (docs/protocol.md "Key transparency log"): an append-only Merkle log of every public and
 * verify key the server publishes, hashed as RFC 9162 §2.1 (Certificate Transparency 2.0) hashes it, with signed
 * tree heads (STH) under the server's Ed25519 log key.
 *
 * - Hashing (§2.1.1): leaf = SHA-256(0x00 ‖ leaf bytes), node = SHA-256(0x01 ‖ left ‖ right), the tree head of
 *   n leaves splits at k, the largest power of two below n; the empty tree's head is SHA-256 of nothing.
 * - Proofs: inclusion (§2.1.3.1 generation, §2.1.3.2 verification), consistency (§2.1.4.1, §2.1.4.2).
 * - Nodes are addressed as perfect subtrees: `(level, index)` covers leaves `[index·2^level, (index+1)·2^level)`.
 *   Proof and head generation read only such nodes (`KtNodeReader`), so a store that keeps them answers in
 *   O(log n) reads.
 * - Leaf bytes: a versioned, length-prefixed encoding of one published key (`encodeKtLeaf`).
 * - STH: Ed25519 over `ktSthMessage` (domain string, app id, tree size, timestamp, root hash).
 *
 * Everything here is synchronous and pure (SHA-256 and Ed25519 from the core).
 */
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from "../core/index.js";
import { concatBytes } from "../core/bytes.js";
import { invalidFormat, invalidInput } from "../errors.js";
import { fromBase64, toBase64 } from "./encoding.js";

/** Bytes of every hash of the log (SHA-256). */
export const KT_HASH_BYTES = 32;
/** The domain string at the start of every signed tree head message. */
export const KT_STH_DOMAIN = "sentc-as/kt/sth/v1";
/** The domain string at the start of every leaf. */
export const KT_LEAF_DOMAIN = "sentc-as/kt/leaf";
/** The leaf format version this module writes and reads. */
export const KT_LEAF_VERSION = 1;

/** Reads the hash of the perfect subtree `(level, index)` (leaves `[index·2^level, (index+1)·2^level)`). */
export type KtNodeReader = (level: number, index: number) => Uint8Array;

/** A new perfect-subtree node produced by an append (`ktAppendNodes`). */
export interface KtNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** A signed tree head as served (JSON): sizes and times are numbers, bytes are standard base64. */
export interface SignedTreeHead {
  tree_size: number;
  /** base64 of the 32-byte tree head (RFC 9162 MTH). */
  root_hash: string;
  /** Milliseconds since the Unix epoch when the head was signed. */
  timestamp: number;
  /** base64 of the 64-byte Ed25519 signature over `ktSthMessage`. */
  signature: string;
}

/** One published key, as a log leaf records it. */
export interface KtLeafRecord {
  v: 1;
  app_id: string;
  subject_type: "user" | "group";
  /** The user id (`subject_type` "user") or group id. */
  subject_id: string;
  /** "public": the encryption public key; "verify": the verify key. */
  key_type: "public" | "verify";
  key_id: string;
  /** The algorithm the key is served with (`public_key_alg` / `verify_key_alg`). */
  key_alg: string;
  /** Exactly the key string the key-fetch answer serves. */
  key: string;
  /** The key's signature as served (`public_key_sig`), or null. */
  signature: string | null;
  /** The id of the key that made `signature` (`public_key_sig_key_id`), or null. */
  signed_by: string | null;
  /** Milliseconds since the Unix epoch when the key was stored. */
  published_at: number;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function isSafeCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === KT_HASH_BYTES;
}

function requireHash(value: unknown, what: string): Uint8Array {
  if (!isHash(value)) throw invalidInput(`${what} must be a ${KT_HASH_BYTES}-byte Uint8Array`);
  return value;
}

function requireCount(value: unknown, what: string): number {
  if (!isSafeCount(value)) throw invalidInput(`${what} must be a non-negative safe integer`);
  return value;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Largest power of two strictly below `n` (n ≥ 2), RFC 9162 §2.1.1's k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;
}

/**
 * The leaf hash of RFC 9162 §2.1.1: SHA-256(0x00 ‖ leaf).
 * @throws {SentcError} `invalid_input` when `leaf` is not a Uint8Array.
 * @example
 * ```ts
 * const hash = ktLeafHash(new Uint8Array()); // 6e340b9c…
 * ```
 */
export function ktLeafHash(leaf: Uint8Array): Uint8Array {
  if (!(leaf instanceof Uint8Array)) throw invalidInput("the leaf must be a Uint8Array");
  const data = new Uint8Array(leaf.length + 1);
  data.set(leaf, 1);
  return sha256(data);
}

/**
 * The interior node hash of RFC 9162 §2.1.1: SHA-256(0x01 ‖ left ‖ right).
 * @throws {SentcError} `invalid_input` when a side is not a 32-byte hash.
 * @example
 * ```ts
 * const parent = ktNodeHash(ktLeafHash(a), ktLeafHash(b));
 * ```
 */
export function ktNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  requireHash(left, "the left hash");
  requireHash(right, "the right hash");
  const data = new Uint8Array(1 + 2 * KT_HASH_BYTES);
  data[0] = 1;
  data.set(left, 1);
  data.set(right, 1 + KT_HASH_BYTES);
  return sha256(data);
}

/**
 * A node reader over leaf hashes held in memory (tests, tools, small logs): computes each perfect subtree.
 * @throws {SentcError} `invalid_input` (from the reader) for a node outside the leaves or a leaf hash that is not 32 bytes.
 * @example
 * ```ts
 * const root = ktRootHash(leafHashes.length, ktNodesOfLeaves(leafHashes));
 * ```
 */
export function ktNodesOfLeaves(leafHashes: readonly Uint8Array[]): KtNodeReader {
  const cache = new Map<string, Uint8Array>();
  const read: KtNodeReader = (level, index) => {
    const width = 2 ** level;
    if (!isSafeCount(level) || !isSafeCount(index) || (index + 1) * width > leafHashes.length)
      throw invalidInput(`node (${level}, ${index}) is outside the ${leafHashes.length} leaves`);
    if (level === 0) return requireHash(leafHashes[index], `leaf hash ${index}`);
    const key = `${level}:${index}`;
    let hash = cache.get(key);
    if (!hash) {
      hash = ktNodeHash(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
      cache.set(key, hash);
    }
    return hash;
  };
  return read;
}

/** MTH(D[start:end]) (RFC 9162 §2.1.1) from perfect subtrees. */
function rangeHash(start: number, end: number, node: KtNodeReader): Uint8Array {
  const n = end - start;
  if (isPowerOfTwo(n) && start % n === 0) return requireHash(node(Math.log2(n), start / n), "a node hash");
  const k = splitPoint(n);
  return ktNodeHash(rangeHash(start, start + k, node), rangeHash(start + k, end, node));
}

/**
 * The tree head (RFC 9162 §2.1.1 MTH) of the first `size` leaves; SHA-256 of nothing for an empty tree.
 * @throws {SentcError} `invalid_input` for a bad size, or what `node` throws.
 * @example
 * ```ts
 * const root = ktRootHash(8, ktNodesOfLeaves(leafHashes));
 * ```
 */
export function ktRootHash(size: number, node: KtNodeReader): Uint8Array {
  requireCount(size, "the tree size");
  if (size === 0) return sha256(new Uint8Array());
  return rangeHash(0, size, node);
}

/**
 * The tree head of leaf hashes held in memory.
 * @throws {SentcError} `invalid_input` when a leaf hash is not 32 bytes.
 * @example
 * ```ts
 * const root = ktRootOfLeaves([ktLeafHash(encodeKtLeaf(record))]);
 * ```
 */
export function ktRootOfLeaves(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(leafHashes)) throw invalidInput("the leaf hashes must be an array");
  return ktRootHash(leafHashes.length, ktNodesOfLeaves(leafHashes));
}

/**
 * The perfect-subtree nodes that become complete when leaf `index` (0-based, the tree had `index` leaves) is
 * appended: the leaf itself at level 0, then each parent whose right edge the leaf closes. `node` is asked only
 * for complete nodes left of the new leaf.
 * @throws {SentcError} `invalid_input` for a bad index or leaf hash, or what `node` throws.
 * @example
 * ```ts
 * for (const { level, index, hash } of ktAppendNodes(size, leafHash, read)) store(level, index, hash);
 * ```
 */
export function ktAppendNodes(index: number, leafHash: Uint8Array, node: KtNodeReader): KtNode[] {
  requireCount(index, "the leaf index");
  requireHash(leafHash, "the leaf hash");
  const out: KtNode[] = [{ level: 0, index, hash: leafHash }];
  let hash = leafHash;
  let position = index;
  let level = 0;
  while (position % 2 === 1) {
    hash = ktNodeHash(requireHash(node(level, position - 1), "a node hash"), hash);
    position = (position - 1) / 2;
    level++;
    out.push({ level, index: position, hash });
  }
  return out;
}

/** PATH(m, D[start:end]) of RFC 9162 §2.1.3.1. */
function path(m: number, start: number, end: number, node: KtNodeReader): Uint8Array[] {
  const n = end - start;
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m - start < k) return [...path(m, start, start + k, node), rangeHash(start + k, end, node)];
  return [...path(m, start + k, end, node), rangeHash(start, start + k, node)];
}

/**
 * The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1), nearest
 * sibling first.
 * @throws {SentcError} `invalid_input` when `index` is not below `size`, or what `node` throws.
 * @example
 * ```ts
 * const proof = ktInclusionProof(5, 8, ktNodesOfLeaves(leafHashes));
 * ```
 */
export function ktInclusionProof(index: number, size: number, node: KtNodeReader): Uint8Array[] {
  requireCount(index, "the leaf index");
  requireCount(size, "the tree size");
  if (index >= size) throw invalidInput(`leaf ${index} is not in a tree of ${size} leaves`);
  return path(index, 0, size, node);
}

/** SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1. */
function subproof(m: number, start: number, end: number, complete: boolean, node: KtNodeReader): Uint8Array[] {
  const n = end - start;
  if (m === n) return complete ? [] : [rangeHash(start, end, node)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, start, start + k, complete, node), rangeHash(start + k, end, node)];
  return [...subproof(m - k, start + k, end, false, node), rangeHash(start, start + k, node)];
}

/**
 * The consistency proof between the trees of the first `first` and the first `second` leaves (RFC 9162
 * §2.1.4.1); empty when `first` is 0 or equals `second`.
 * @throws {SentcError} `invalid_input` when `first` > `second`, or what `node` throws.
 * @example
 * ```ts
 * const proof = ktConsistencyProof(6, 8, ktNodesOfLeaves(leafHashes));
 * ```
 */
export function ktConsistencyProof(first: number, second: number, node: KtNodeReader): Uint8Array[] {
  requireCount(first, "the first tree size");
  requireCount(second, "the second tree size");
  if (first > second) throw invalidInput(`tree size ${first} is larger than ${second}`);
  if (first === 0 || first === second) return [];
  return subproof(first, 0, second, true, node);
}

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2): the leaf hash at `index` in the tree of `size` leaves with
 * head `root`. False for anything malformed; never throws.
 * @example
 * ```ts
 * if (!ktVerifyInclusion(ktLeafHash(leaf), kt.leaf_index, sth.tree_size, proof, root)) reject();
 * ```
 */
export function ktVerifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !isSafeCount(index) || !isSafeCount(size) || !Array.isArray(proof))
    return false;
  if (index >= size || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = ktNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = ktNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `second` leaves with head `secondRoot` extends
 * the tree of `first` leaves with head `firstRoot`. Equal sizes need an empty proof and equal heads; size 0
 * needs an empty proof and the empty tree's head. False for anything malformed; never throws.
 * @example
 * ```ts
 * if (!ktVerifyConsistency(saved.tree_size, sth.tree_size, savedRoot, newRoot, proof)) reportFork();
 * ```
 */
export function ktVerifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSafeCount(first) || !isSafeCount(second) || !isHash(firstRoot) || !isHash(secondRoot)) return false;
  if (!Array.isArray(proof) || !proof.every(isHash) || first > second) return false;
  if (first === 0) return proof.length === 0 && equalBytes(firstRoot, sha256(new Uint8Array()));
  if (first === second) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = ktNodeHash(c, fr);
      sr = ktNodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = ktNodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** u32 big-endian byte length ‖ UTF-8 bytes. */
function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8.encode(text);
  return concatBytes([u32(bytes.length), bytes]);
}

/**
 * The bytes an STH signature covers: ASCII `sentc-as/kt/sth/v1` ‖ 0x00 ‖ u32 BE length of the app id ‖ app id
 * (UTF-8) ‖ u64 BE tree size ‖ u64 BE timestamp (ms) ‖ 32-byte root hash.
 * @throws {SentcError} `invalid_input` for a non-string app id, bad sizes or a root that is not 32 bytes.
 * @example
 * ```ts
 * const message = ktSthMessage(appId, 8, Date.now(), root);
 * ```
 */
export function ktSthMessage(appId: string, treeSize: number, timestamp: number, rootHash: Uint8Array): Uint8Array {
  if (typeof appId !== "string") throw invalidInput("the app id must be a string");
  requireCount(treeSize, "the tree size");
  requireCount(timestamp, "the timestamp");
  requireHash(rootHash, "the root hash");
  return concatBytes([
    utf8.encode(KT_STH_DOMAIN),
    new Uint8Array([0]),
    lengthPrefixed(appId),
    u64(treeSize),
    u64(timestamp),
    rootHash,
  ]);
}

/**
 * Signs a tree head with the 32-byte Ed25519 seed of the log key.
 * @throws {SentcError} `invalid_input` for a bad seed or head field.
 * @example
 * ```ts
 * const sth = signKtTreeHead(seed, appId, size, Date.now(), root);
 * ```
 */
export function signKtTreeHead(
  seed: Uint8Array,
  appId: string,
  treeSize: number,
  timestamp: number,
  rootHash: Uint8Array,
): SignedTreeHead {
  const signature = ed25519Sign(seed, ktSthMessage(appId, treeSize, timestamp, rootHash));
  return { tree_size: treeSize, root_hash: toBase64(rootHash), timestamp, signature: toBase64(signature) };
}

/**
 * The 32-byte Ed25519 public key (the log key clients pin) of a log key seed.
 * @throws {SentcError} `invalid_input` when the seed is not 32 bytes.
 * @example
 * ```ts
 * const logKey = toBase64(ktLogPublicKey(seed));
 * ```
 */
export function ktLogPublicKey(seed: Uint8Array): Uint8Array {
  return ed25519PublicKey(seed);
}

/**
 * Checks the shape of a served STH: `tree_size` and `timestamp` safe non-negative integers, `root_hash` canonical
 * base64 of 32 bytes, `signature` canonical base64 of 64 bytes. Returns the decoded hash and signature.
 * @throws {SentcError} `invalid_format` for any other shape.
 * @example
 * ```ts
 * const { rootHash } = parseKtTreeHead(answer.sth);
 * ```
 */
export function parseKtTreeHead(value: unknown): { sth: SignedTreeHead; rootHash: Uint8Array; signature: Uint8Array } {
  const fail = (why: string): never => {
    throw invalidFormat(`signed tree head: ${why}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("not an object");
  const o = value as Record<string, unknown>;
  if (!isSafeCount(o.tree_size)) fail("tree_size is not a non-negative integer");
  if (!isSafeCount(o.timestamp)) fail("timestamp is not a non-negative integer");
  if (typeof o.root_hash !== "string" || typeof o.signature !== "string") return fail("root_hash or signature missing");
  let rootHash: Uint8Array;
  let signature: Uint8Array;
  try {
    rootHash = fromBase64(o.root_hash);
    signature = fromBase64(o.signature);
  } catch {
    return fail("root_hash or signature is not canonical base64");
  }
  if (rootHash.length !== KT_HASH_BYTES) fail("root_hash is not 32 bytes");
  if (signature.length !== 64) fail("signature is not 64 bytes");
  const sth: SignedTreeHead = {
    tree_size: o.tree_size as number,
    root_hash: o.root_hash,
    timestamp: o.timestamp as number,
    signature: o.signature,
  };
  return { sth, rootHash, signature };
}

/**
 * Verifies an STH's signature under the 32-byte log key for `appId`. False for a malformed head or a bad
 * signature; never throws.
 * @example
 * ```ts
 * if (!verifyKtTreeHead(pinnedLogKey, appId, answer.kt.sth)) reject();
 * ```
 */
export function verifyKtTreeHead(logKey: Uint8Array, appId: string, sth: unknown): boolean {
  try {
    if (!(logKey instanceof Uint8Array) || logKey.length !== 32 || typeof appId !== "string") return false;
    const { sth: head, rootHash, signature } = parseKtTreeHead(sth);
    return ed25519Verify(logKey, ktSthMessage(appId, head.tree_size, head.timestamp, rootHash), signature);
  } catch {
    return false;
  }
}

function isRecordShape(r: KtLeafRecord): boolean {
  const isText = (x: unknown) => typeof x === "string";
  const isNullableText = (x: unknown) => x === null || typeof x === "string";
  return (
    r.v === KT_LEAF_VERSION &&
    isText(r.app_id) &&
    (r.subject_type === "user" || r.subject_type === "group") &&
    isText(r.subject_id) &&
    (r.key_type === "public" || r.key_type === "verify") &&
    isText(r.key_id) &&
    isText(r.key_alg) &&
    isText(r.key) &&
    isNullableText(r.signature) &&
    isNullableText(r.signed_by) &&
    isSafeCount(r.published_at)
  );
}

/**
 * The canonical leaf bytes of a published key: u32 BE length ‖ ASCII `sentc-as/kt/leaf`, one byte version (1),
 * then app_id, subject_type, subject_id, key_type, key_id, key_alg, key as u32 BE length ‖ UTF-8; signature and
 * signed_by as one byte 0 (null) or 1 followed by the length-prefixed string; published_at as u64 BE.
 * @throws {SentcError} `invalid_input` for a record of another shape.
 * @example
 * ```ts
 * const leaf = encodeKtLeaf({ v: 1, app_id, subject_type: "user", subject_id, key_type: "public", key_id, key_alg, key, signature, signed_by, published_at });
 * ```
 */
export function encodeKtLeaf(record: KtLeafRecord): Uint8Array {
  if (typeof record !== "object" || record === null || !isRecordShape(record))
    throw invalidInput("not a key transparency leaf record");
  const texts = [
    record.app_id,
    record.subject_type,
    record.subject_id,
    record.key_type,
    record.key_id,
    record.key_alg,
    record.key,
  ].map((t) => utf8.encode(t));
  const signature = record.signature === null ? null : utf8.encode(record.signature);
  const signedBy = record.signed_by === null ? null : utf8.encode(record.signed_by);
  const domain = utf8.encode(KT_LEAF_DOMAIN);
  let length = 4 + domain.length + 1 + 8 + 2;
  for (const t of texts) length += 4 + t.length;
  if (signature) length += 4 + signature.length;
  if (signedBy) length += 4 + signedBy.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    view.setUint32(at, bytes.length);
    out.set(bytes, at + 4);
    at += 4 + bytes.length;
  };
  put(domain);
  out[at++] = KT_LEAF_VERSION;
  for (const t of texts) put(t);
  for (const optional of [signature, signedBy]) {
    out[at++] = optional === null ? 0 : 1;
    if (optional !== null) put(optional);
  }
  view.setBigUint64(at, BigInt(record.published_at));
  return out;
}

/**
 * Reads leaf bytes written by `encodeKtLeaf`, strictly: every byte consumed, UTF-8 valid, the values in range,
 * and the bytes re-encode to themselves.
 * @throws {SentcError} `invalid_format` for any other bytes.
 * @example
 * ```ts
 * const record = decodeKtLeaf(fromBase64(kt.leaf));
 * ```
 */
export function decodeKtLeaf(bytes: Uint8Array): KtLeafRecord {
  const fail = (why: string): never => {
    throw invalidFormat(`key transparency leaf: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) return fail("not bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) fail("truncated");
  };
  const text = (): string => {
    need(4);
    const length = view.getUint32(at);
    at += 4;
    need(length);
    let value = "";
    try {
      value = strictUtf8.decode(bytes.subarray(at, at + length));
    } catch {
      fail("a field is not UTF-8");
    }
    at += length;
    return value;
  };
  const flag = (): number => {
    need(1);
    const value = bytes[at++]!;
    if (value > 1) fail("a presence flag is not 0 or 1");
    return value;
  };
  if (text() !== KT_LEAF_DOMAIN) fail("wrong domain string");
  need(1);
  if (bytes[at++] !== KT_LEAF_VERSION) fail("unknown version");
  const record = {
    v: KT_LEAF_VERSION,
    app_id: text(),
    subject_type: text(),
    subject_id: text(),
    key_type: text(),
    key_id: text(),
    key_alg: text(),
    key: text(),
    signature: flag() === 1 ? text() : null,
    signed_by: flag() === 1 ? text() : null,
    published_at: 0,
  } as KtLeafRecord;
  need(8);
  const published = view.getBigUint64(at);
  at += 8;
  if (published > BigInt(Number.MAX_SAFE_INTEGER)) fail("published_at is out of range");
  record.published_at = Number(published);
  if (at !== bytes.length) fail("trailing bytes");
  if (!isRecordShape(record)) fail("a value is out of range");
  return record;
}
