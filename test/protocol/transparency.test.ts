import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519PublicKey } from "../../src/core/index.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import {
  decodeKtLeaf,
  encodeKtLeaf,
  ktAppendNodes,
  ktConsistencyProof,
  ktInclusionProof,
  ktLeafHash,
  ktNodeHash,
  ktNodesOfLeaves,
  ktRootHash,
  ktRootOfLeaves,
  ktSthMessage,
  ktVerifyConsistency,
  ktVerifyInclusion,
  parseKtTreeHead,
  signKtTreeHead,
  verifyKtTreeHead,
  type KtLeafRecord,
  type KtNodeReader,
} from "../../src/protocol/transparency.js";
import { errorCode } from "../helpers/assert.js";
import { loadReleaseCore } from "../helpers/core.js";

beforeAll(loadReleaseCore);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const unhex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

// The eight leaves and tree heads of the Certificate Transparency reference tests (RFC 6962 test data, also in
// transparency-dev/merkle's testdata), re-typed.
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const CT_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
];
const CT_CONSISTENCY = [
  {
    first: 2,
    second: 8,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

describe("RFC 9162 hashing against the Certificate Transparency vectors", () => {
  it("leaf and node hashes use the 0x00 / 0x01 prefixes", () => {
    expect(hex(ktLeafHash(new Uint8Array()))).toBe(CT_ROOTS[1]);
    const a = ktLeafHash(unhex(""));
    const b = ktLeafHash(unhex("00"));
    expect(hex(ktNodeHash(a, b))).toBe(CT_ROOTS[2]);
    expect(hex(ktNodeHash(b, a))).not.toBe(CT_ROOTS[2]);
  });

  it("tree heads of sizes 0..8 are the published ones", () => {
    const leaves = CT_LEAVES.map((l) => ktLeafHash(unhex(l)));
    for (let n = 0; n <= 8; n++) expect(hex(ktRootOfLeaves(leaves.slice(0, n))), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it("inclusion proofs are generated and verified as published", () => {
    const leaves = CT_LEAVES.map((l) => ktLeafHash(unhex(l)));
    const nodes = ktNodesOfLeaves(leaves);
    for (const v of CT_INCLUSION) {
      expect(ktInclusionProof(v.index, v.size, nodes).map(hex)).toEqual(v.proof);
      const root = unhex(CT_ROOTS[v.size]!);
      expect(ktVerifyInclusion(leaves[v.index]!, v.index, v.size, v.proof.map(unhex), root)).toBe(true);
    }
  });

  it("consistency proofs are generated and verified as published", () => {
    const leaves = CT_LEAVES.map((l) => ktLeafHash(unhex(l)));
    const nodes = ktNodesOfLeaves(leaves);
    for (const v of CT_CONSISTENCY) {
      expect(ktConsistencyProof(v.first, v.second, nodes).map(hex)).toEqual(v.proof);
      const ok = ktVerifyConsistency(
        v.first,
        v.second,
        unhex(CT_ROOTS[v.first]!),
        unhex(CT_ROOTS[v.second]!),
        v.proof.map(unhex),
      );
      expect(ok).toBe(true);
    }
  });
});

const N = 64;
let BIG: Uint8Array[] = [];
let BIG_NODES: KtNodeReader = () => new Uint8Array();
let BIG_ROOTS: Uint8Array[] = [];
beforeAll(async () => {
  await loadReleaseCore();
  BIG = Array.from({ length: N }, (_, i) => ktLeafHash(new Uint8Array([i, i * 7, 3])));
  BIG_NODES = ktNodesOfLeaves(BIG);
  BIG_ROOTS = Array.from({ length: N + 1 }, (_, n) => ktRootHash(n, BIG_NODES));
});

function flipped(proof: Uint8Array[], which: number, bit: number): Uint8Array[] {
  return proof.map((p, i) => {
    if (i !== which) return p;
    const copy = p.slice();
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}

describe("proofs for every tree up to 64 leaves", () => {
  it("the stored-node root equals the in-memory recursion of every size", () => {
    // The nodes an append produces are the perfect subtrees of the in-memory reader.
    const stored = new Map<string, Uint8Array>();
    const read = (level: number, index: number) => {
      const hash = stored.get(`${level}:${index}`);
      if (!hash) throw new Error(`node ${level}:${index} missing`);
      return hash;
    };
    for (let i = 0; i < N; i++) {
      for (const node of ktAppendNodes(i, BIG[i]!, read)) {
        expect(hex(node.hash)).toBe(hex(BIG_NODES(node.level, node.index)));
        stored.set(`${node.level}:${node.index}`, node.hash);
      }
      expect(hex(ktRootHash(i + 1, read))).toBe(hex(BIG_ROOTS[i + 1]!));
    }
    expect(stored.size).toBe(2 * N - 1);
  });

  it("every inclusion proof verifies; a flipped bit, another index, size or leaf fails", () => {
    let checked = 0;
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i < n; i++) {
        const proof = ktInclusionProof(i, n, BIG_NODES);
        expect(ktVerifyInclusion(BIG[i]!, i, n, proof, BIG_ROOTS[n]!), `${i}/${n}`).toBe(true);
        for (let p = 0; p < proof.length; p++) {
          expect(ktVerifyInclusion(BIG[i]!, i, n, flipped(proof, p, (i * 31 + p) % 256), BIG_ROOTS[n]!)).toBe(false);
        }
        if (n > 1) {
          expect(ktVerifyInclusion(BIG[i]!, (i + 1) % n, n, proof, BIG_ROOTS[n]!)).toBe(false);
          expect(ktVerifyInclusion(BIG[(i + 1) % n]!, i, n, proof, BIG_ROOTS[n]!)).toBe(false);
          expect(ktVerifyInclusion(BIG[i]!, i, n, proof.slice(0, -1), BIG_ROOTS[n]!)).toBe(false);
        }
        expect(ktVerifyInclusion(BIG[i]!, i, n, [...proof, BIG[0]!], BIG_ROOTS[n]!)).toBe(false);
        expect(ktVerifyInclusion(BIG[i]!, i, n, proof, flipped([BIG_ROOTS[n]!], 0, i % 256)[0]!)).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe((N * (N + 1)) / 2);
  });

  it("every consistency proof between all pairs verifies; a flipped bit or other sizes fail", () => {
    let checked = 0;
    for (let second = 0; second <= N; second++) {
      for (let first = 0; first <= second; first++) {
        const proof = ktConsistencyProof(first, second, BIG_NODES);
        const ok = ktVerifyConsistency(first, second, BIG_ROOTS[first]!, BIG_ROOTS[second]!, proof);
        expect(ok, `${first}->${second}`).toBe(true);
        checked++;
        if (first === 0 || first === second) continue;
        for (let p = 0; p < proof.length; p++) {
          const bad = flipped(proof, p, (first * 13 + second + p) % 256);
          expect(ktVerifyConsistency(first, second, BIG_ROOTS[first]!, BIG_ROOTS[second]!, bad)).toBe(false);
        }
        expect(ktVerifyConsistency(first, second, BIG_ROOTS[first - 1]!, BIG_ROOTS[second]!, proof)).toBe(false);
        expect(ktVerifyConsistency(first, second, BIG_ROOTS[first]!, BIG_ROOTS[second - 1]!, proof)).toBe(false);
        expect(ktVerifyConsistency(first, second, BIG_ROOTS[first]!, BIG_ROOTS[second]!, [])).toBe(false);
        expect(ktVerifyConsistency(first, second, BIG_ROOTS[first]!, BIG_ROOTS[second]!, proof.slice(1))).toBe(false);
      }
    }
    expect(checked).toBe(((N + 1) * (N + 2)) / 2);
  });

  it("equal and empty sizes need an empty proof and the right heads", () => {
    expect(ktVerifyConsistency(4, 4, BIG_ROOTS[4]!, BIG_ROOTS[4]!, [])).toBe(true);
    expect(ktVerifyConsistency(4, 4, BIG_ROOTS[4]!, BIG_ROOTS[5]!, [])).toBe(false);
    expect(ktVerifyConsistency(4, 4, BIG_ROOTS[4]!, BIG_ROOTS[4]!, [BIG[0]!])).toBe(false);
    expect(ktVerifyConsistency(0, 8, BIG_ROOTS[0]!, BIG_ROOTS[8]!, [])).toBe(true);
    expect(ktVerifyConsistency(0, 8, BIG_ROOTS[1]!, BIG_ROOTS[8]!, [])).toBe(false);
    expect(ktVerifyConsistency(8, 4, BIG_ROOTS[8]!, BIG_ROOTS[4]!, [])).toBe(false);
  });

  it("malformed verifier input is false, malformed generator input a typed error", () => {
    const proof = ktInclusionProof(5, 8, BIG_NODES);
    expect(ktVerifyInclusion(BIG[5]!.subarray(1), 5, 8, proof, BIG_ROOTS[8]!)).toBe(false);
    expect(ktVerifyInclusion(BIG[5]!, -1, 8, proof, BIG_ROOTS[8]!)).toBe(false);
    expect(ktVerifyInclusion(BIG[5]!, 8, 8, proof, BIG_ROOTS[8]!)).toBe(false);
    expect(ktVerifyInclusion(BIG[5]!, 5, 8, "x" as unknown as Uint8Array[], BIG_ROOTS[8]!)).toBe(false);
    expect(errorCode(() => ktInclusionProof(8, 8, BIG_NODES))).toBe("invalid_input");
    expect(errorCode(() => ktConsistencyProof(5, 3, BIG_NODES))).toBe("invalid_input");
    expect(errorCode(() => ktNodeHash(new Uint8Array(31), BIG[0]!))).toBe("invalid_input");
    expect(errorCode(() => ktRootHash(N + 1, BIG_NODES))).toBe("invalid_input");
  });
});

const RECORD: KtLeafRecord = {
  v: 1,
  app_id: "0190e8a4-0000-7000-8000-000000000001",
  subject_type: "user",
  subject_id: "0190e8a4-0000-7000-8000-000000000002",
  key_type: "public",
  key_id: "0190e8a4-0000-7000-8000-000000000003",
  key_alg: "ECIES-ed25519",
  key: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
  signature: "c2lnbmF0dXJl",
  signed_by: "0190e8a4-0000-7000-8000-000000000004",
  published_at: 1_764_668_400_123,
};

describe("leaf encoding", () => {
  it("is length-prefixed in the documented order", () => {
    const bytes = encodeKtLeaf({ ...RECORD, signature: null, signed_by: null, app_id: "a", key: "k" });
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 16]),
      Buffer.from("sentc-as/kt/leaf"),
      Buffer.from([1]),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from("a"),
      Buffer.from([0, 0, 0, 4]),
      Buffer.from("user"),
      Buffer.from([0, 0, 0, RECORD.subject_id.length]),
      Buffer.from(RECORD.subject_id),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from("public"),
      Buffer.from([0, 0, 0, RECORD.key_id.length]),
      Buffer.from(RECORD.key_id),
      Buffer.from([0, 0, 0, RECORD.key_alg.length]),
      Buffer.from(RECORD.key_alg),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from("k"),
      Buffer.from([0, 0]),
      Buffer.from("0000019ade6ee1fb", "hex"),
    ]);
    expect(hex(bytes)).toBe(expected.toString("hex"));
  });

  it("round-trips any record and decodes nothing else", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          app_id: text,
          subject_type: fc.constantFrom("user" as const, "group" as const),
          subject_id: text,
          key_type: fc.constantFrom("public" as const, "verify" as const),
          key_id: text,
          key_alg: text,
          key: text,
          signature: fc.option(text, { nil: null }),
          signed_by: fc.option(text, { nil: null }),
          published_at: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        }),
        (fields) => {
          const record: KtLeafRecord = { v: 1, ...fields };
          const bytes = encodeKtLeaf(record);
          expect(decodeKtLeaf(bytes)).toEqual(record);
          expect(errorCode(() => decodeKtLeaf(bytes.subarray(0, bytes.length - 1)))).toBe("invalid_format");
          const longer = new Uint8Array(bytes.length + 1);
          longer.set(bytes);
          expect(errorCode(() => decodeKtLeaf(longer))).toBe("invalid_format");
        },
      ),
      { numRuns: 200 },
    );
  });

  it("different records give different leaf hashes (a field boundary cannot move)", () => {
    const a = encodeKtLeaf({ ...RECORD, key_id: "ab", key_alg: "c" });
    const b = encodeKtLeaf({ ...RECORD, key_id: "a", key_alg: "bc" });
    expect(hex(ktLeafHash(a))).not.toBe(hex(ktLeafHash(b)));
    expect(hex(encodeKtLeaf({ ...RECORD, signature: null }))).not.toBe(hex(encodeKtLeaf({ ...RECORD, signature: "" })));
  });

  it("rejects records of another shape and bytes of another format", () => {
    const bad = [
      { ...RECORD, v: 2 },
      { ...RECORD, subject_type: "device" },
      { ...RECORD, key_type: "sign" },
      { ...RECORD, published_at: -1 },
      { ...RECORD, published_at: 1.5 },
      { ...RECORD, key: undefined },
    ];
    for (const record of bad) expect(errorCode(() => encodeKtLeaf(record as KtLeafRecord))).toBe("invalid_input");
    const bytes = encodeKtLeaf(RECORD);
    const version = bytes.slice();
    version[20] = 2;
    expect(errorCode(() => decodeKtLeaf(version))).toBe("invalid_format");
    const domain = bytes.slice();
    domain[4]! ^= 1;
    expect(errorCode(() => decodeKtLeaf(domain))).toBe("invalid_format");
    const subject = encodeKtLeaf({ ...RECORD, subject_type: "user" });
    const changed = subject.slice();
    // "user" → "vser": still UTF-8, not a subject type.
    changed[Buffer.from(subject).indexOf("user")]! += 1;
    expect(errorCode(() => decodeKtLeaf(changed))).toBe("invalid_format");
  });
});

describe("signed tree heads", () => {
  const seed = new Uint8Array(32).fill(7);
  let logKey: Uint8Array = new Uint8Array();
  let root: Uint8Array = new Uint8Array();
  beforeAll(() => {
    logKey = ed25519PublicKey(seed);
    root = BIG_ROOTS[13]!;
  });

  it("signs the documented bytes", () => {
    const message = ktSthMessage("app", 13, 1_764_668_400_123, root);
    expect(hex(message)).toBe(
      `${Buffer.from("sentc-as/kt/sth/v1").toString("hex")}00` +
        `00000003${Buffer.from("app").toString("hex")}` +
        `000000000000000d0000019ade6ee1fb${hex(root)}`,
    );
    const sth = signKtTreeHead(seed, "app", 13, 1_764_668_400_123, root);
    expect(sth).toMatchObject({ tree_size: 13, timestamp: 1_764_668_400_123, root_hash: toBase64(root) });
    expect(fromBase64(sth.signature)).toHaveLength(64);
    expect(verifyKtTreeHead(logKey, "app", sth)).toBe(true);
  });

  it("a changed field, app, key or signature does not verify", () => {
    const sth = signKtTreeHead(seed, "app", 13, 1000, root);
    expect(verifyKtTreeHead(logKey, "app2", sth)).toBe(false);
    expect(verifyKtTreeHead(logKey, "app", { ...sth, tree_size: 14 })).toBe(false);
    expect(verifyKtTreeHead(logKey, "app", { ...sth, timestamp: 1001 })).toBe(false);
    expect(verifyKtTreeHead(logKey, "app", { ...sth, root_hash: toBase64(BIG_ROOTS[12]!) })).toBe(false);
    const signature = fromBase64(sth.signature);
    signature[10]! ^= 4;
    expect(verifyKtTreeHead(logKey, "app", { ...sth, signature: toBase64(signature) })).toBe(false);
    expect(verifyKtTreeHead(ed25519PublicKey(new Uint8Array(32).fill(8)), "app", sth)).toBe(false);
    expect(verifyKtTreeHead(logKey, "app", { ...sth, tree_size: "13" })).toBe(false);
    expect(verifyKtTreeHead(logKey, "app", null)).toBe(false);
  });

  it("parses only well-formed heads", () => {
    const sth = signKtTreeHead(seed, "app", 13, 1000, root);
    expect(parseKtTreeHead(sth).rootHash).toEqual(root);
    expect(errorCode(() => parseKtTreeHead({ ...sth, root_hash: toBase64(root.subarray(1)) }))).toBe("invalid_format");
    expect(errorCode(() => parseKtTreeHead({ ...sth, signature: "AA" }))).toBe("invalid_format");
    expect(errorCode(() => parseKtTreeHead({ ...sth, timestamp: -5 }))).toBe("invalid_format");
    expect(errorCode(() => parseKtTreeHead([]))).toBe("invalid_format");
  });
});
