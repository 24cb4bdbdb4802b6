/**
 * Live interop with the REAL sentc client: searchable hashes, safety numbers, public key signatures,
 * stand-alone symmetric keys and chunked file parts (through the fake server), each checked both ways.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64 } from "../../src/protocol/encoding.js";
import {
  decryptFilePart,
  encryptFilePart,
  prepareFileNameUpdate,
  prepareRegisterFile,
} from "../../src/protocol/file.js";
import { decryptStringSymmetric } from "../../src/protocol/encrypt.js";
import { generateSignKeyPair } from "../../src/protocol/keypairs.js";
import * as keys from "../../src/protocol/keys.js";
import {
  parseUserPublicKeyData,
  parseUserVerifyKeyData,
  serializeUserPublicKeyData,
  serializeUserVerifyKeyData,
  signPublicKey,
  verifyUserPublicKey,
} from "../../src/protocol/public-keys.js";
import { createSafetyNumber } from "../../src/protocol/safety-number.js";
import { createSearchable, createSearchableRaw, search } from "../../src/protocol/searchable.js";
import {
  decryptSymKeyByMasterKey,
  decryptSymKeyByPrivateKey,
  generateSymKeyWrappedByMasterKey,
  generateSymKeyWrappedByPublicKey,
} from "../../src/protocol/sym-key-wrap.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import {
  APP_TOKEN,
  BASE_URL,
  JWT,
  loadRealSentc,
  ok,
  real,
  realErrorCode,
  withServer,
  type VectorKeys,
} from "./real-sentc.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

const { sentc, server } = loadRealSentc();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const json = (text: string) => JSON.parse(text) as Record<string, any>;

const K = vectorsAvailable("sentc")
  ? readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "symmetric.json").keys
  : undefined;

describe.runIf(K !== undefined)("searchable hashes (HMAC-SHA256) equal the real create_searchable / search", () => {
  const { K1 } = K!;
  const hmacKey = keys.importHmacKey(K1.exported.hmac_key);

  it("random strings: full hash, all prefixes, prefixes with a limit, and search", () => {
    // Any Unicode text; prefixes are over UTF-8 bytes, so multi-byte characters matter.
    const data = fc.string({ unit: "binary", minLength: 1, maxLength: 60 }).filter((s) => Buffer.byteLength(s) <= 200);
    fc.assert(
      fc.property(
        data,
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 70 }), { nil: undefined }),
        (value, full, limit) => {
          const theirs = real(() => sentc.create_searchable(K1.exported.hmac_key, value, full, limit));
          const ours = createSearchable(hmacKey, value, full, limit);
          expect(ours.hashes).toEqual(theirs.get_hashes());
          expect(ours.alg).toBe(theirs.get_alg());
          expect(ours.key_id).toBe(theirs.get_key_id());
          expect(createSearchableRaw(hmacKey, value, full, limit)).toEqual(
            real(() => sentc.create_searchable_raw(K1.exported.hmac_key, value, full, limit)),
          );
          expect(search(hmacKey, value)).toBe(real(() => sentc.search(K1.exported.hmac_key, value)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("both refuse what is too long (over 200 bytes without a limit) and empty input", () => {
    const long = "é".repeat(101); // 202 UTF-8 bytes, 101 UTF-16 units
    expect(realErrorCode(() => sentc.create_searchable(K1.exported.hmac_key, long, false, undefined))).not.toBe(
      "no error",
    );
    expect(codeOf(() => createSearchable(hmacKey, long, false))).toBe("invalid_input");
    expect(createSearchable(hmacKey, long, true).hashes).toEqual(
      sentc.create_searchable(K1.exported.hmac_key, long, true, undefined).get_hashes(),
    );
    expect(createSearchable(hmacKey, long, false, 10).hashes).toEqual(
      sentc.create_searchable(K1.exported.hmac_key, long, false, 10).get_hashes(),
    );
    expect(realErrorCode(() => sentc.create_searchable(K1.exported.hmac_key, "", false, undefined))).not.toBe(
      "no error",
    );
    expect(codeOf(() => createSearchable(hmacKey, "", false))).toBe("invalid_input");
  });
});

describe.runIf(K !== undefined)("safety numbers and public key signatures against the real client", () => {
  const { K1, K2 } = K!;

  it("safety numbers equal the real user_create_safety_number for random verify keys and user ids (single and pair, both orders)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.string({ unit: "binary", maxLength: 30 }),
        (id1, id2) => {
          const vk1 = { ...generateSignKeyPair("vk_a").verifyKey };
          const vk2 = { ...generateSignKeyPair("vk_b").verifyKey };
          const data1 = serializeUserVerifyKeyData(vk1);
          const data2 = serializeUserVerifyKeyData(vk2);
          expect(createSafetyNumber(vk1, id1)).toBe(
            real(() => sentc.user_create_safety_number(data1, id1, undefined, undefined)),
          );
          expect(createSafetyNumber(vk1, id1, vk2, id2)).toBe(
            real(() => sentc.user_create_safety_number(data1, id1, data2, id2)),
          );
          expect(createSafetyNumber(vk2, id2, vk1, id1)).toBe(
            real(() => sentc.user_create_safety_number(data2, id2, data1, id1)),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("our public key signature verifies in the real user_verify_user_public_key; both agree on wrong keys, tampering and no signature", () => {
    const signKey = keys.importSignKey(K2.exported.sign_key);
    const k2Verify = K2.exported.user_verify_key_data;
    const k1Verify = K1.exported.user_verify_key_data;
    const publicKey = parseUserPublicKeyData(K1.exported.user_public_key_data).publicKey;
    const signed = { publicKey, ...signPublicKey(signKey, publicKey) };
    const signedJson = serializeUserPublicKeyData(signed);
    expect(real(() => sentc.user_verify_user_public_key(k2Verify, signedJson))).toBe(true);
    expect(real(() => sentc.user_verify_user_public_key(k1Verify, signedJson))).toBe(false);
    expect(verifyUserPublicKey(parseUserVerifyKeyData(k1Verify), signed)).toBe(false);
    const tamperedSig = fromBase64(signed.signature);
    tamperedSig[5]! ^= 0x10;
    const tampered = { ...signed, signature: b64(tamperedSig) };
    expect(real(() => sentc.user_verify_user_public_key(k2Verify, serializeUserPublicKeyData(tampered)))).toBe(false);
    expect(verifyUserPublicKey(parseUserVerifyKeyData(k2Verify), tampered)).toBe(false);
    const unsigned = { publicKey, signature: null, signatureKeyId: null };
    expect(real(() => sentc.user_verify_user_public_key(k2Verify, serializeUserPublicKeyData(unsigned)))).toBe(false);
    expect(verifyUserPublicKey(parseUserVerifyKeyData(k2Verify), unsigned)).toBe(false);
  });

  it("a real Ed25519 signature over 32 key bytes (group_key_sig of the real group_prepare_create_group) verifies as a public key signature for us", () => {
    // The real client signs raw 32-byte values with sign_only for group keys; any 32 bytes are an X25519 public
    // key, so the signed group key read as a public key must verify with our verifyUserPublicKey.
    for (let i = 0; i < 5; i++) {
      const create = json(
        real(() => sentc.group_prepare_create_group(K1.exported.public_key, K1.exported.sign_key, "starter")),
      );
      const sko = JSON.stringify({
        encrypted_group_key: create.encrypted_group_key,
        group_key_alg: create.group_key_alg,
        group_key_id: "gk",
        encrypted_private_group_key: create.encrypted_private_group_key,
        public_group_key: create.public_group_key,
        keypair_encrypt_alg: create.keypair_encrypt_alg,
        key_pair_id: "kp",
        user_public_key_id: K1.ids.ecies,
        time: 0,
      });
      const groupKey = json(
        real(() => sentc.group_decrypt_key(K1.exported.private_key, sko, undefined)).get_group_key(),
      ).Aes.key as string;
      const data = {
        publicKey: keys.publicKeyFromParts("ECIES-ed25519", { key: fromBase64(groupKey) }, "pk"),
        signature: create.group_key_sig as string,
        signatureKeyId: K1.ids.sign,
      };
      expect(verifyUserPublicKey(parseUserVerifyKeyData(K1.exported.user_verify_key_data), data)).toBe(true);
      expect(
        real(() =>
          sentc.user_verify_user_public_key(K1.exported.user_verify_key_data, serializeUserPublicKeyData(data)),
        ),
      ).toBe(true);
      expect(verifyUserPublicKey(parseUserVerifyKeyData(K2.exported.user_verify_key_data), data)).toBe(false);
    }
  });
});

describe.runIf(K !== undefined)("stand-alone symmetric keys (GeneratedSymKeyHeadServerOutput) both ways", () => {
  const { K1 } = K!;
  const master = keys.importSymKey(K1.exported.sym_key);
  const privateKey = keys.importPrivateKey(K1.exported.private_key);
  const publicKey = parseUserPublicKeyData(K1.exported.user_public_key_data).publicKey;

  it("real generate_non_register_sym_key (master key) and _by_public_key → our decryptSymKeyByMasterKey / ByPrivateKey", () => {
    for (let i = 0; i < 5; i++) {
      const byMaster = real(() => sentc.generate_non_register_sym_key(K1.exported.sym_key));
      const opened = decryptSymKeyByMasterKey(master, byMaster.get_encrypted_key());
      expect(hex(opened.key)).toBe(hex(keys.importSymKey(byMaster.get_key()).key));
      expect(keys.exportSymKey(opened)).toBe(sentc.decrypt_sym_key(K1.exported.sym_key, byMaster.get_encrypted_key()));
      const byPublic = real(() => sentc.generate_non_register_sym_key_by_public_key(K1.exported.user_public_key_data));
      const openedByPrivate = decryptSymKeyByPrivateKey(privateKey, byPublic.get_encrypted_key());
      expect(hex(openedByPrivate.key)).toBe(hex(keys.importSymKey(byPublic.get_key()).key));
      expect(keys.exportSymKey(openedByPrivate)).toBe(
        sentc.decrypt_sym_key_by_private_key(K1.exported.private_key, byPublic.get_encrypted_key()),
      );
    }
  });

  it("our generateSymKeyWrappedByMasterKey / ByPublicKey → real decrypt_sym_key / decrypt_sym_key_by_private_key / done_fetch_sym_key; same head as the real one", () => {
    for (let i = 0; i < 5; i++) {
      const byMaster = generateSymKeyWrappedByMasterKey(master);
      expect(
        hex(keys.importSymKey(real(() => sentc.decrypt_sym_key(K1.exported.sym_key, byMaster.encryptedKey))).key),
      ).toBe(hex(byMaster.key.key));
      expect(
        hex(
          keys.importSymKey(real(() => sentc.done_fetch_sym_key(K1.exported.sym_key, byMaster.encryptedKey, true))).key,
        ),
      ).toBe(hex(byMaster.key.key));
      expect(
        hex(
          keys.importSymKey(
            real(() => sentc.done_fetch_sym_key(K1.exported.sym_key, ok(JSON.parse(byMaster.encryptedKey)), false)),
          ).key,
        ),
      ).toBe(hex(byMaster.key.key));
      const byPublic = generateSymKeyWrappedByPublicKey(publicKey);
      expect(
        hex(
          keys.importSymKey(
            real(() => sentc.decrypt_sym_key_by_private_key(K1.exported.private_key, byPublic.encryptedKey)),
          ).key,
        ),
      ).toBe(hex(byPublic.key.key));
      expect(
        hex(
          keys.importSymKey(
            real(() => sentc.done_fetch_sym_key_by_private_key(K1.exported.private_key, byPublic.encryptedKey, true)),
          ).key,
        ),
      ).toBe(hex(byPublic.key.key));
    }
    const theirs = sentc.generate_non_register_sym_key(K1.exported.sym_key);
    const ours = generateSymKeyWrappedByMasterKey(master);
    expect({ ...json(ours.encryptedKey), encrypted_key_string: "" }).toEqual({
      ...json(theirs.get_encrypted_key()),
      encrypted_key_string: "",
    });
    expect(keys.exportSymKey(ours.key).replace(/"key":"[^"]*"/, "")).toBe(
      theirs.get_key().replace(/"key":"[^"]*"/, ""),
    );
  });
});

describe.runIf(K !== undefined)("file parts (FileHead chain) both ways, through the fake server", () => {
  const { K1 } = K!;
  const contentKey = keys.importSymKey(K1.exported.sym_key);
  const signKey = keys.importSignKey(K1.exported.sign_key);
  const verifyKey = parseUserVerifyKeyData(K1.exported.user_verify_key_data);
  const parts = fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { minLength: 1, maxLength: 4 });

  it("real file_upload_part_start / file_upload_part (unsigned, then signed) → our decryptFilePart chain", async () => {
    await fc.assert(
      fc.asyncProperty(parts, async (plaintexts) => {
        let previous = K1.exported.sym_key;
        const uploaded: Array<{ body: Uint8Array; nextKey: string; signed: boolean }> = [];
        for (let i = 0; i < plaintexts.length; i++) {
          const signed = i % 2 === 1;
          const end = i === plaintexts.length - 1;
          const upload = i === 0 ? sentc.file_upload_part_start : sentc.file_upload_part;
          const { result, requests } = await withServer(server, [() => ok("ok")], () =>
            upload(
              BASE_URL,
              undefined,
              APP_TOKEN,
              JWT,
              "session",
              end,
              i,
              previous,
              signed ? K1.exported.sign_key : undefined,
              plaintexts[i]!,
            ),
          );
          expect(requests[0]!.path).toBe(`/api/v1/file/part/session/${i}/${end}`);
          uploaded.push({ body: requests[0]!.bodyBytes, nextKey: result, signed });
          previous = result;
        }
        let key = contentKey.key;
        for (let i = 0; i < uploaded.length; i++) {
          const { plaintext, nextKey } = decryptFilePart(
            key,
            uploaded[i]!.body,
            uploaded[i]!.signed ? verifyKey : null,
          );
          expect(hex(plaintext)).toBe(hex(plaintexts[i]!));
          expect(b64(nextKey)).toBe(json(uploaded[i]!.nextKey).Aes.key);
          key = nextKey;
        }
      }),
      { numRuns: 8 },
    );
  });

  it("our encryptFilePart chain (unsigned, then signed) → real file_download_and_decrypt_file_part_start / _part with and without the verify key", async () => {
    await fc.assert(
      fc.asyncProperty(parts, fc.boolean(), async (plaintexts, withVerifyKey) => {
        let ourKey = contentKey.key;
        let realKey = K1.exported.sym_key;
        for (let i = 0; i < plaintexts.length; i++) {
          const signed = i % 2 === 1;
          const { part, nextKey } = encryptFilePart(ourKey, plaintexts[i]!, signed ? signKey : null);
          const download =
            i === 0 ? sentc.file_download_and_decrypt_file_part_start : sentc.file_download_and_decrypt_file_part;
          const { result, requests } = await withServer(server, [() => part], () =>
            download(
              BASE_URL,
              undefined,
              APP_TOKEN,
              `part_${i}`,
              realKey,
              withVerifyKey ? K1.exported.user_verify_key_data : undefined,
            ),
          );
          expect(requests[0]!.path).toBe(`/api/v1/file/part/part_${i}`);
          expect(hex(result.get_file())).toBe(hex(plaintexts[i]!));
          expect(json(result.get_next_file_key()).Aes.key).toBe(b64(nextKey));
          realKey = result.get_next_file_key();
          ourKey = nextKey;
        }
      }),
      { numRuns: 8 },
    );
  });

  it("a signed part of ours is refused by the real client with the wrong verify key, and a real signed part by us", async () => {
    const { part } = encryptFilePart(contentKey.key, new Uint8Array([1, 2, 3]), signKey);
    const tampered = part.slice();
    tampered[part.indexOf(0) + 1]! ^= 1; // first signature byte
    await expect(
      withServer(server, [() => tampered], () =>
        sentc.file_download_and_decrypt_file_part_start(
          BASE_URL,
          undefined,
          APP_TOKEN,
          "p",
          K1.exported.sym_key,
          K1.exported.user_verify_key_data,
        ),
      ),
    ).rejects.toThrow(/client_22/);
    const { requests } = await withServer(server, [() => ok("ok")], () =>
      sentc.file_upload_part_start(
        BASE_URL,
        undefined,
        APP_TOKEN,
        JWT,
        "s",
        true,
        0,
        K1.exported.sym_key,
        K1.exported.sign_key,
        new Uint8Array([4, 5, 6]),
      ),
    );
    const theirs = requests[0]!.bodyBytes.slice();
    theirs[theirs.indexOf(0) + 1]! ^= 1;
    expect(codeOf(() => decryptFilePart(contentKey.key, theirs, verifyKey))).toBe("verification_failed");
  });

  it("file names: our prepareRegisterFile / prepareFileNameUpdate open with the real decrypt_string_symmetric, the real ones with ours", () => {
    const name = "sécret 📄.txt";
    const ours = json(
      prepareRegisterFile("master_key_id", contentKey, "encrypted_content_key", "group_1", "Group", name),
    );
    const theirs = real(() =>
      sentc.file_prepare_register_file(
        "master_key_id",
        K1.exported.sym_key,
        "encrypted_content_key",
        "group_1",
        '"Group"',
        name,
      ),
    );
    const theirsInput = json(theirs.get_server_input());
    expect({ ...ours, encrypted_file_name: "" }).toEqual({ ...theirsInput, encrypted_file_name: "" });
    expect(real(() => sentc.decrypt_string_symmetric(K1.exported.sym_key, ours.encrypted_file_name, undefined))).toBe(
      name,
    );
    expect(decryptStringSymmetric(contentKey, theirs.get_encrypted_file_name()!)).toBe(name);
    const update = json(prepareFileNameUpdate(contentKey, name));
    expect(real(() => sentc.decrypt_string_symmetric(K1.exported.sym_key, update.encrypted_file_name, undefined))).toBe(
      name,
    );
    expect(
      decryptStringSymmetric(
        contentKey,
        json(sentc.file_prepare_file_name_update(K1.exported.sym_key, name)).encrypted_file_name,
      ),
    ).toBe(name);
  });
});
