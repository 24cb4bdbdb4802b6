/**
 * The key transparency auditor (docs/server.md "Key transparency log"): follows an app's log over HTTP from a saved
 * state, checks the newest signed tree head's signature under the log key, its consistency with the saved head,
 * every new leaf (well-formed, of this app), and that the leaves recompute the signed head. Returns typed findings
 * and the state to save for the next run. Needs the crypto core (`initCore`).
 */
import { isCoreReady } from "../../src/core/index.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import {
  decodeKtLeaf,
  ktAppendNodes,
  ktLeafHash,
  ktRootHash,
  ktVerifyConsistency,
  parseKtTreeHead,
  verifyKtTreeHead,
  type SignedTreeHead,
} from "../../src/protocol/transparency.js";
import { ktFrontierOf, ktNodeKey } from "../store/kt-log.js";

/** What an audit remembers: the last verified head and the right edge of its tree (to go on without re-reading). */
export interface AuditState {
  app_id: string;
  /** base64 Ed25519 log key, pinned on the first run. */
  log_key: string;
  tree_size: number;
  root_hash: string;
  timestamp: number;
  /** base64 hashes of the perfect subtrees along the tree's right edge, largest first. */
  frontier: string[];
}

/** One problem the audit found. */
export type AuditFinding =
  | { kind: "unreachable"; message: string }
  | { kind: "bad_answer"; route: string; message: string }
  | { kind: "log_key_changed"; pinned: string; served: string }
  | { kind: "bad_signature"; tree_size: number }
  | { kind: "log_shrunk"; saved_size: number; served_size: number }
  | { kind: "inconsistent"; first: number; second: number }
  | { kind: "timestamp_regressed"; saved: number; served: number }
  | { kind: "bad_leaf"; leaf_index: number; message: string }
  | { kind: "missing_entries"; start: number; end: number }
  | { kind: "root_mismatch"; tree_size: number; signed: string; computed: string }
  | { kind: "bad_state"; message: string };

export interface AuditReport {
  ok: boolean;
  app_id: string | null;
  /** The head checked this time, when one was served. */
  sth: SignedTreeHead | null;
  /** Leaves read and checked this time. */
  entries_checked: number;
  findings: AuditFinding[];
  /** The state to save: the new head when everything checked out, else the saved one (null on a first failing run). */
  state: AuditState | null;
}

export interface AuditOptions {
  /** The server's base URL, e.g. https://api.example.com (the routes are under /api/v1). */
  url: string;
  /** The app's public (or secret) token. */
  appToken: string;
  /** The state of the previous run; none: read the whole log and pin the served log key. */
  state?: AuditState | null;
  /** Leaves per entries request (the server answers at most 1000). */
  pageSize?: number;
  fetch?: typeof fetch;
}

class AuditStop extends Error {}

/**
 * Audits one app's log. Never throws for what the server answers: every problem is a finding.
 * @throws Error only when the crypto core is not loaded.
 * @example const report = await auditLog({ url: "http://127.0.0.1:3002", appToken, state: saved });
 */
export async function auditLog(options: AuditOptions): Promise<AuditReport> {
  if (!isCoreReady()) throw new Error("load the crypto core (initCore) before an audit");
  const findings: AuditFinding[] = [];
  const saved = options.state ?? null;
  const doFetch = options.fetch ?? fetch;
  const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
  const base = options.url.replace(/\/+$/, "");
  let entriesChecked = 0;
  let appId: string | null = null;
  let sth: SignedTreeHead | null = null;

  const get = async (route: string): Promise<Record<string, unknown>> => {
    let response: Response;
    try {
      response = await doFetch(`${base}/api/v1${route}`, { headers: { "x-sentc-app-token": options.appToken } });
    } catch (error) {
      findings.push({ kind: "unreachable", message: error instanceof Error ? error.message : String(error) });
      throw new AuditStop();
    }
    let body: { status?: unknown; result?: unknown; err_msg?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // not JSON: reported below
    }
    if (response.status !== 200 || body.status !== true || typeof body.result !== "object" || body.result === null) {
      const message = typeof body.err_msg === "string" ? body.err_msg : `HTTP ${response.status}`;
      findings.push({ kind: "bad_answer", route, message });
      throw new AuditStop();
    }
    return body.result as Record<string, unknown>;
  };
  const fail = (finding: AuditFinding): never => {
    findings.push(finding);
    throw new AuditStop();
  };

  let next: AuditState | null = null;
  try {
    const keyAnswer = await get("/kt/log_key");
    if (typeof keyAnswer.app_id !== "string" || typeof keyAnswer.log_key !== "string")
      fail({ kind: "bad_answer", route: "/kt/log_key", message: "app_id or log_key missing" });
    appId = keyAnswer.app_id as string;
    const servedKey = keyAnswer.log_key as string;
    if (saved && saved.log_key !== servedKey)
      fail({ kind: "log_key_changed", pinned: saved.log_key, served: servedKey });
    if (saved && saved.app_id !== appId) fail({ kind: "bad_state", message: `the state is of app ${saved.app_id}` });
    let logKey: Uint8Array;
    try {
      logKey = fromBase64(servedKey);
    } catch {
      return fail({ kind: "bad_answer", route: "/kt/log_key", message: "log_key is not base64" });
    }

    const served = await get("/kt/sth");
    let rootHash: Uint8Array;
    try {
      ({ sth, rootHash } = parseKtTreeHead(served));
    } catch (error) {
      return fail({ kind: "bad_answer", route: "/kt/sth", message: (error as Error).message });
    }
    const head = sth as SignedTreeHead;
    if (!verifyKtTreeHead(logKey, appId, head)) fail({ kind: "bad_signature", tree_size: head.tree_size });

    // The saved head must be a prefix of the served one.
    const from = saved ? saved.tree_size : 0;
    if (saved) {
      if (head.timestamp < saved.timestamp)
        findings.push({ kind: "timestamp_regressed", saved: saved.timestamp, served: head.timestamp });
      if (head.tree_size < saved.tree_size)
        fail({ kind: "log_shrunk", saved_size: saved.tree_size, served_size: head.tree_size });
      const proofAnswer = await get(`/kt/consistency?first=${saved.tree_size}&second=${head.tree_size}`);
      let proof: Uint8Array[] = [];
      try {
        proof = (proofAnswer.proof as string[]).map(fromBase64);
      } catch {
        fail({ kind: "bad_answer", route: "/kt/consistency", message: "proof is not a list of base64 hashes" });
      }
      if (!ktVerifyConsistency(saved.tree_size, head.tree_size, fromBase64(saved.root_hash), rootHash, proof))
        fail({ kind: "inconsistent", first: saved.tree_size, second: head.tree_size });
    }

    // The right edge of the saved tree, checked against its head, then every new leaf appended to it.
    const nodes = new Map<string, Uint8Array>();
    const edge = ktFrontierOf(from);
    if ((saved?.frontier.length ?? 0) !== edge.length)
      fail({ kind: "bad_state", message: "the frontier does not fit the tree size" });
    for (const [i, [level, index]] of edge.entries()) {
      let hash: Uint8Array = new Uint8Array();
      try {
        hash = fromBase64(saved?.frontier[i] ?? "");
      } catch {
        fail({ kind: "bad_state", message: "the frontier is not base64" });
      }
      if (hash.length !== 32) fail({ kind: "bad_state", message: "a frontier hash is not 32 bytes" });
      nodes.set(ktNodeKey(level, index), hash);
    }
    const read = (level: number, index: number): Uint8Array => {
      const hash = nodes.get(ktNodeKey(level, index));
      if (!hash) throw new Error(`node ${level}:${index} missing`);
      return hash;
    };
    if (saved && toBase64(ktRootHash(from, read)) !== saved.root_hash)
      fail({ kind: "bad_state", message: "the frontier does not give the saved root hash" });

    for (let start = from; start < head.tree_size; ) {
      const end = Math.min(head.tree_size, start + pageSize);
      const page = await get(`/kt/entries?start=${start}&end=${end}`);
      const entries = Array.isArray(page.entries) ? (page.entries as Array<Record<string, unknown>>) : [];
      if (entries.length === 0) fail({ kind: "missing_entries", start, end });
      for (const entry of entries) {
        const index = start;
        if (entry.leaf_index !== index || typeof entry.leaf !== "string")
          fail({ kind: "missing_entries", start: index, end });
        let leaf: Uint8Array;
        try {
          leaf = fromBase64(entry.leaf as string);
          const record = decodeKtLeaf(leaf);
          if (record.app_id !== appId) throw new Error(`the leaf is of app ${record.app_id}`);
        } catch (error) {
          findings.push({ kind: "bad_leaf", leaf_index: index, message: (error as Error).message });
          leaf = fromBase64(typeof entry.leaf === "string" ? entry.leaf : "");
        }
        for (const node of ktAppendNodes(index, ktLeafHash(leaf), read))
          nodes.set(ktNodeKey(node.level, node.index), node.hash);
        start++;
        entriesChecked++;
        if (start >= end) break;
      }
      // Keep only the right edge: memory stays O(log n) whatever the log's size.
      const keep = new Set(ktFrontierOf(start).map(([l, i]) => ktNodeKey(l, i)));
      for (const key of [...nodes.keys()]) if (!keep.has(key)) nodes.delete(key);
    }
    const computed = toBase64(ktRootHash(head.tree_size, read));
    if (computed !== head.root_hash)
      fail({ kind: "root_mismatch", tree_size: head.tree_size, signed: head.root_hash, computed });

    if (findings.length === 0) {
      next = {
        app_id: appId,
        log_key: servedKey,
        tree_size: head.tree_size,
        root_hash: head.root_hash,
        timestamp: head.timestamp,
        frontier: ktFrontierOf(head.tree_size).map(([l, i]) => toBase64(read(l, i))),
      };
    }
  } catch (error) {
    if (!(error instanceof AuditStop)) {
      findings.push({
        kind: "bad_answer",
        route: "(any)",
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return {
    ok: findings.length === 0,
    app_id: appId,
    sth,
    entries_checked: entriesChecked,
    findings,
    state: next ?? saved,
  };
}

/**
 * Reads a saved state (the `state` of an earlier report) from JSON text.
 * @throws Error when the text is not such a state.
 * @example const state = parseAuditState(readFileSync("kt-state.json", "utf8"));
 */
export function parseAuditState(text: string): AuditState {
  const value = JSON.parse(text) as Partial<AuditState>;
  const ok =
    typeof value === "object" &&
    value !== null &&
    typeof value.app_id === "string" &&
    typeof value.log_key === "string" &&
    Number.isSafeInteger(value.tree_size) &&
    (value.tree_size ?? -1) >= 0 &&
    typeof value.root_hash === "string" &&
    Number.isSafeInteger(value.timestamp) &&
    Array.isArray(value.frontier) &&
    value.frontier.every((h) => typeof h === "string");
  if (!ok) throw new Error("not a key transparency audit state");
  return value as AuditState;
}
