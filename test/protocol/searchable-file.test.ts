import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import { decryptStringSymmetric } from "../../src/protocol/encrypt.js";
import {
  decryptFilePart,
  encryptFilePart,
  prepareFileNameUpdate,
  prepareRegisterFile,
} from "../../src/protocol/file.js";
import * as keys from "../../src/protocol/keys.js";
import { parseUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import { createSearchable, createSearchableRaw, search } from "../../src/protocol/searchable.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, toHex, vectorsAvailable } from "../helpers/vectors.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

describe.runIf(vectorsAvailable("sentc"))("searchable hashes (searchable.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "searchable.json");
  const key = keys.importHmacKey(file.keys.K1.exported.hmac_key);

  it("reproduces every hash list, including sentc's limit + 1 prefixes", () => {
    expect(file.vectors).toHaveLength(8);
    for (const v of file.vectors) {
      expect(createSearchable(key, v.data, v.full, v.limit)).toEqual({
        hashes: v.hashes,
        alg: v.alg,
        key_id: v.key_id,
      });
      expect(createSearchableRaw(key, v.data, v.full, v.limit)).toEqual(v.hashes);
    }
    for (const s of file.search) expect(search(key, s.data)).toBe(s.output);
  });

  it("rejects what the real package rejects", () => {
    const errors = file.errors_real;
    expect(errors.empty_string.ok).toBe(false);
    expect(codeOf(() => createSearchable(key, "", false))).toBe("invalid_input");
    expect(errors.longer_than_200_bytes_no_limit.ok).toBe(false);
    expect(codeOf(() => createSearchable(key, "x".repeat(201), false))).toBe("invalid_input");
    expect(errors.limit_201.ok).toBe(false);
    expect(codeOf(() => createSearchable(key, "x".repeat(300), false, 201))).toBe("invalid_input");
    expect(createSearchableRaw(key, "x".repeat(201), true)).toHaveLength(
      errors.longer_than_200_bytes_full.value.length,
    );
  });
});

describe.runIf(vectorsAvailable("sentc"))("file parts (file.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "file.json");
  const contentKey = keys.importSymKey(file.keys.K1.exported.sym_key);
  const verifyKey = parseUserVerifyKeyData(file.keys.K1.exported.user_verify_key_data);

  it("decrypts the real parts in sequence (the second one signed) and returns the real next keys", () => {
    let previous = contentKey.key;
    for (const part of file.parts) {
      const { plaintext, nextKey } = decryptFilePart(previous, fromBase64(part.uploaded_body_b64), verifyKey);
      expect(toHex(plaintext)).toBe(part.plaintext_hex);
      expect(JSON.stringify({ Aes: { key: toBase64(nextKey) } })).toBe(part.returned_next_key);
      previous = nextKey;
    }
    expect(file.parts).toHaveLength(2);
  });

  it("our parts chain and decrypt; tampering and wrong keys are typed errors", () => {
    const signKey = keys.importSignKey(file.keys.K1.exported.sign_key);
    const first = encryptFilePart(contentKey.key, Uint8Array.of(1, 2, 3));
    const second = encryptFilePart(first.nextKey, Uint8Array.of(4, 5), signKey);
    const a = decryptFilePart(contentKey.key, first.part);
    const b = decryptFilePart(a.nextKey, second.part, verifyKey);
    expect([...a.plaintext, ...b.plaintext]).toEqual([1, 2, 3, 4, 5]);
    const tampered = second.part.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(codeOf(() => decryptFilePart(a.nextKey, tampered, verifyKey))).toBe("verification_failed");
    expect(codeOf(() => decryptFilePart(contentKey.key, second.part))).toBe("decryption_failed");
    expect(codeOf(() => decryptFilePart(contentKey.key, Uint8Array.of(1, 2)))).toBe("invalid_format");
  });

  it("register and rename inputs match the real shapes and the names decrypt", () => {
    const real = file.file_prepare_register_file;
    const ours = prepareRegisterFile(
      "master_key_id_1",
      contentKey,
      "encrypted_content_key_b64",
      "group_id_1",
      "Group",
      "secret.txt",
    );
    expect({ ...JSON.parse(ours), encrypted_file_name: "" }).toEqual({
      ...JSON.parse(real.server_input),
      encrypted_file_name: "",
    });
    expect(decryptStringSymmetric(contentKey, JSON.parse(ours).encrypted_file_name)).toBe("secret.txt");
    expect(decryptStringSymmetric(contentKey, real.encrypted_file_name)).toBe("secret.txt");
    expect(JSON.parse(prepareRegisterFile("m", contentKey, "e", null, "Group", null))).toMatchObject({
      belongs_to_type: "None",
      belongs_to_id: null,
      encrypted_file_name: null,
    });
    const rename = JSON.parse(file.file_prepare_file_name_update.output);
    expect(Object.keys(JSON.parse(prepareFileNameUpdate(contentKey, "x")))).toEqual(Object.keys(rename));
    expect(JSON.parse(prepareFileNameUpdate(contentKey, null))).toEqual({ encrypted_file_name: null });
  });
});
