import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import * as keys from "../../src/protocol/keys.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { expectCode } from "../helpers/assert.js";

interface KeySet {
  raw: Record<string, string>;
  ids: Record<string, string>;
  exported: Record<string, string>;
}

describe.runIf(vectorsAvailable("sentc"))("key exports of the real sentc_wasm (K1, K2)", () => {
  for (const file of ["symmetric.json", "asymmetric.json"]) {
    const { keys: sets } = readVectorJson<{ keys: Record<string, KeySet> }>("sentc", file);
    for (const [name, set] of Object.entries(sets)) {
      it(`${file} ${name}: import gives the raw keys, export gives the same text`, () => {
        const cases = [
          [keys.importSymKey, keys.exportSymKey, "sym_key", "sym_key_b64", "sym", ALG.aesGcm],
          [keys.importPrivateKey, keys.exportPrivateKey, "private_key", "ecies_private_key_b64", "ecies", ALG.ecies],
          [keys.importPublicKey, keys.exportPublicKey, "public_key", "ecies_public_key_b64", "ecies", ALG.ecies],
          [keys.importSignKey, keys.exportSignKey, "sign_key", "ed25519_sign_key_seed_b64", "sign", ALG.ed25519],
          [keys.importVerifyKey, keys.exportVerifyKey, "verify_key", "ed25519_verify_key_b64", "sign", ALG.ed25519],
          [keys.importHmacKey, keys.exportHmacKey, "hmac_key", "hmac_key_b64", "hmac", ALG.hmacSha256],
          [keys.importSortableKey, keys.exportSortableKey, "sortable_key", "ope_key_b64", "ope", ALG.ope],
        ] as const;
        for (const [importer, exporter, exportName, rawName, idName, alg] of cases) {
          const text = set.exported[exportName]!;
          const key = (importer as (json: string) => keys.SingleKey<string>)(text);
          expect(key).toEqual({ alg, key: fromBase64(set.raw[rawName]!), keyId: set.ids[idName] });
          expect((exporter as (key: keys.SingleKey<string>) => string)(key)).toBe(text);
        }
      });
    }
  }
});

describe("key import strictness", () => {
  const good = keys.exportSymKey({ alg: ALG.aesGcm, key: new Uint8Array(32).fill(1), keyId: "id" });

  it("tolerates unknown fields and reordering", () => {
    const body = JSON.parse(good).Aes;
    const reordered = JSON.stringify({ Aes: { key_id: body.key_id, extra: 1, key: body.key } });
    expect(keys.importSymKey(reordered).key).toEqual(new Uint8Array(32).fill(1));
  });

  it("rejects unknown tags, wrong lengths, bad base64 and bad JSON with typed errors", () => {
    expectCode(() => keys.importSymKey('{"Des":{"key":"AAAA","key_id":"x"}}'), "invalid_format");
    expectCode(
      () => keys.importSymKey(`{"Aes":{"key":"${Buffer.alloc(31).toString("base64")}","key_id":"x"}}`),
      "invalid_format",
    );
    expectCode(() => keys.importSymKey('{"Aes":{"key":"AAAA","key_id":1}}'), "invalid_format");
    expectCode(() => keys.importSymKey('{"Aes":{"key":"AAA","key_id":"x"}}'), "invalid_encoding");
    expectCode(() => keys.importSymKey("{"), "invalid_format");
    expectCode(() => keys.importSymKey(`{"Aes":${JSON.stringify(JSON.parse(good).Aes)},"Ecies":{}}`), "invalid_format");
    expectCode(() => keys.importSymKey(42 as unknown as string), "invalid_format");
    expectCode(() => keys.exportSymKey({ alg: ALG.aesGcm, key: new Uint8Array(31), keyId: "x" }), "invalid_input");
  });

  it("parses and re-exports hybrid keys byte for byte", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1184, maxLength: 1184 }),
        fc.string(),
        (x, k, keyId) => {
          const key: keys.PublicKey = { alg: ALG.eciesKyberHybrid, x, k, keyId };
          const text = keys.exportPublicKey(key);
          expect(Object.keys(JSON.parse(text).EciesKyberHybrid)).toEqual(["x", "k", "key_id"]);
          expect(keys.importPublicKey(text)).toEqual(key);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("master key format round-trips", () => {
    const key = new Uint8Array(32).fill(9);
    expect(keys.importMasterKeyFormat(keys.exportMasterKeyFormat(key))).toEqual(key);
    expectCode(() => keys.importMasterKeyFormat('{"Argon2":"AAAA"}'), "invalid_format");
  });
});
