/**
 * The same bad input given to the REAL sentc client and to ours gives the same reference status
 * (`client_NNN` / `server_NNN`, spec sdk.md §7). The real statuses are read from its thrown strings, including
 * the invalid-JSON `client_101` form (Appendix B 14); ours from `JSON.parse(e)` as reference code does.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SentcError, isSentcError } from "../../src/errors.js";
import { decryptStringAsymmetric, decryptStringSymmetric, encryptStringSymmetric } from "../../src/protocol/encrypt.js";
import { parseHead } from "../../src/protocol/head.js";
import { decodeJwt } from "../../src/protocol/jwt.js";
import { finishKeyRotation } from "../../src/protocol/key-rotation.js";
import * as keys from "../../src/protocol/keys.js";
import { parseUserPublicKeyData, parseUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import { createSearchable, search } from "../../src/protocol/searchable.js";
import { encryptSortableRawNumber } from "../../src/protocol/sortable.js";
import { Sentc } from "../../src/sdk/index.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { APP_TOKEN, BASE_URL, JWT, loadRealSentc, type VectorKeys } from "./real-sentc.js";

beforeAll(loadReleaseCore);

const { sentc } = loadRealSentc();
const K = vectorsAvailable("sentc")
  ? readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "symmetric.json").keys
  : undefined;

/** The status of the real client's thrown string (also its unquoted `client_101` form), or "no error". */
function realStatus(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    const text = typeof error === "string" ? error : String(error);
    const match = /^\{"status": "?([a-z]+_\d+)"?,/.exec(text);
    return match ? match[1]! : `not a sentc error string: ${text}`;
  }
  return "no error";
}

/** Our status, read the reference's way: `JSON.parse(e).status`. */
function ourStatus(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (!isSentcError(error)) return `not a SentcError: ${String(error)}`;
    const parsed = JSON.parse(error as unknown as string) as { status: string; error_message: string };
    expect(parsed.error_message).toBe(error.message);
    expect(error.status).toBe(parsed.status);
    return parsed.status;
  }
  return "no error";
}

function same(ours: () => unknown, real: () => unknown, expected: string): void {
  expect(realStatus(real)).toBe(expected);
  expect(ourStatus(ours)).toBe(expected);
}

const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const jwtWith = (claims: string) => `${b64url('{"alg":"ES384"}')}.${claims}.c2ln`;
const CLAIMS = '{"aud":"u","sub":"d","exp":1900000000,"iat":1700000000,"fresh":true}';

describe.runIf(K !== undefined)("key exports the real client cannot import", () => {
  const { K1 } = K!;
  const unpadded = (text: string) => text.replace(/"key":"([^"]*)="/, '"key":"$1"');
  const short = (text: string) => text.replace(/"key":"[^"]*"/, '"key":"AAAA"');

  it("symmetric keys: not JSON / missing field / other tag / other key kind → client_109", () => {
    const bad = [
      "nope",
      "",
      '{"Aes":{"key":"Cqt0JTwJsXgf63TQe25FW5Mmp5F7XqWP3Y/p8PsWs+U="}}',
      '{"Foo":{"key":"x","key_id":"a"}}',
      K1.exported.private_key,
    ];
    for (const text of bad)
      same(
        () => keys.importSymKey(text),
        () => sentc.encrypt_string_symmetric(text, "x"),
        "client_109",
      );
  });

  it("bad base64 in the key: the per-kind import error (112 sym/hmac/sortable, 111 private, 110 sign)", () => {
    const sym = unpadded(K1.exported.sym_key);
    same(
      () => keys.importSymKey(sym),
      () => sentc.encrypt_string_symmetric(sym, "x"),
      "client_112",
    );
    const hmac = unpadded(K1.exported.hmac_key);
    same(
      () => keys.importHmacKey(hmac),
      () => sentc.create_searchable(hmac, "abc", true),
      "client_112",
    );
    const ope = unpadded(K1.exported.sortable_key);
    same(
      () => keys.importSortableKey(ope),
      () => sentc.sortable_encrypt_raw_number(ope, 7n),
      "client_112",
    );
    const encrypted = sentc.encrypt_string_asymmetric(K1.exported.user_public_key_data, "x");
    const priv = unpadded(K1.exported.private_key);
    same(
      () => keys.importPrivateKey(priv),
      () => sentc.decrypt_string_asymmetric(priv, encrypted),
      "client_111",
    );
    const sign = unpadded(K1.exported.sign_key);
    same(
      () => keys.importSignKey(sign),
      () => sentc.encrypt_string_symmetric(K1.exported.sym_key, "x", sign),
      "client_110",
    );
  });

  it("a key of the wrong length → client_30", () => {
    const sym = short(K1.exported.sym_key);
    same(
      () => keys.importSymKey(sym),
      () => sentc.encrypt_string_symmetric(sym, "x"),
      "client_30",
    );
    const sign = short(K1.exported.sign_key);
    same(
      () => keys.importSignKey(sign),
      () => sentc.encrypt_string_symmetric(K1.exported.sym_key, "x", sign),
      "client_30",
    );
    const hmac = short(K1.exported.hmac_key);
    same(
      () => keys.importHmacKey(hmac),
      () => sentc.create_searchable(hmac, "abc", true),
      "client_30",
    );
  });

  it("public and verify key data: not JSON / missing field → client_101, bad PEM → client_115, unknown alg → client_1", () => {
    for (const text of ["nope", "{}"]) {
      same(
        () => parseUserPublicKeyData(text),
        () => sentc.encrypt_string_asymmetric(text, "x"),
        "client_101",
      );
    }
    const badPem = JSON.stringify({ public_key_pem: "x", public_key_alg: "ECIES-ed25519", public_key_id: "a" });
    same(
      () => parseUserPublicKeyData(badPem),
      () => sentc.encrypt_string_asymmetric(badPem, "x"),
      "client_115",
    );
    const otherAlg = K1.exported.user_public_key_data.replace("ECIES-ed25519", "FOO");
    same(
      () => parseUserPublicKeyData(otherAlg),
      () => sentc.encrypt_string_asymmetric(otherAlg, "x"),
      "client_1",
    );
    const signed = sentc.encrypt_string_symmetric(K1.exported.sym_key, "x", K1.exported.sign_key);
    same(
      () => parseUserVerifyKeyData("nope"),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, signed, "nope"),
      "client_101",
    );
    const badVerifyPem = JSON.stringify({
      verify_key_pem: "x",
      verify_key_alg: "ED25519",
      verify_key_id: "sign_key_id_1",
    });
    same(
      () => parseUserVerifyKeyData(badVerifyPem),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, signed, badVerifyPem),
      "client_115",
    );
  });
});

describe.runIf(K !== undefined)("decryption and verification", () => {
  const { K1, K2 } = K!;
  const sym1 = keys.importSymKey(K1.exported.sym_key);
  const sym2 = keys.importSymKey(K2.exported.sym_key);

  it("wrong key and tampered data → client_14", () => {
    const encrypted = sentc.encrypt_string_symmetric(K1.exported.sym_key, "secret");
    same(
      () => decryptStringSymmetric(sym2, encrypted),
      () => sentc.decrypt_string_symmetric(K2.exported.sym_key, encrypted),
      "client_14",
    );
    const bytes = Buffer.from(encrypted, "base64");
    bytes[bytes.length - 1]! ^= 1;
    const tampered = bytes.toString("base64");
    same(
      () => decryptStringSymmetric(sym1, tampered),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, tampered),
      "client_14",
    );
    const fromOurs = encryptStringSymmetric(sym1, "secret");
    same(
      () => decryptStringSymmetric(sym2, fromOurs),
      () => sentc.decrypt_string_symmetric(K2.exported.sym_key, fromOurs),
      "client_14",
    );
  });

  it("asymmetric data for another key pair → client_14", () => {
    const encrypted = sentc.encrypt_string_asymmetric(K1.exported.user_public_key_data, "secret");
    same(
      () => decryptStringAsymmetric(keys.importPrivateKey(K2.exported.private_key), encrypted),
      () => sentc.decrypt_string_asymmetric(K2.exported.private_key, encrypted),
      "client_14",
    );
  });

  it("text that is not base64 → client_10; no head → client_101", () => {
    same(
      () => decryptStringSymmetric(sym1, "!!!"),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, "!!!"),
      "client_10",
    );
    same(
      () => decryptStringSymmetric(sym1, "AAAA"),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, "AAAA"),
      "client_101",
    );
    same(
      () => parseHead('{"sign":null}'),
      () => sentc.deserialize_head_from_string('{"sign":null}'),
      "client_101",
    );
  });

  it("signed by another key pair → client_20", () => {
    const signed = sentc.encrypt_string_symmetric(K1.exported.sym_key, "x", K1.exported.sign_key);
    const other = K2.exported.user_verify_key_data;
    same(
      () => decryptStringSymmetric(sym1, signed, parseUserVerifyKeyData(other)),
      () => sentc.decrypt_string_symmetric(K1.exported.sym_key, signed, other),
      "client_20",
    );
  });
});

describe.runIf(K !== undefined)("searchable and sortable input", () => {
  const { K1 } = K!;
  const hmac = keys.importHmacKey(K1.exported.hmac_key);
  const ope = keys.importSortableKey(K1.exported.sortable_key);

  it("empty → client_301, longer than 200 bytes → client_300", () => {
    same(
      () => createSearchable(hmac, "", true),
      () => sentc.create_searchable(K1.exported.hmac_key, "", true),
      "client_301",
    );
    const long = "a".repeat(201);
    same(
      () => createSearchable(hmac, long, false),
      () => sentc.create_searchable(K1.exported.hmac_key, long, false),
      "client_300",
    );
    same(
      () => createSearchable(hmac, "a".repeat(250), false, 201),
      () => sentc.create_searchable(K1.exported.hmac_key, "a".repeat(250), false, 201),
      "client_300",
    );
    // The reference hashes an empty search term; ours refuses it with the reference's "empty" number.
    expect(ourStatus(() => search(hmac, ""))).toBe("client_301");
  });

  it("a number above the OPE domain → client_61", () => {
    for (const n of [65533, 70000]) {
      same(
        () => encryptSortableRawNumber(ope, n),
        () => sentc.sortable_encrypt_raw_number(K1.exported.sortable_key, BigInt(n)),
        "client_61",
      );
    }
  });
});

describe.runIf(K !== undefined)("key rotation data", () => {
  const { K1 } = K!;
  const rotation = (fields: Record<string, unknown>) =>
    JSON.stringify({
      error: null,
      encrypted_ephemeral_key_by_group_key_and_public_key: "AAAA",
      encrypted_group_key_by_ephemeral: "AAAA",
      ephemeral_alg: "AES-GCM-256",
      encrypted_eph_key_key_id: "ecies_key_id_1",
      previous_group_key_id: "sym_key_id_1",
      time: 1,
      new_group_key_id: "new",
      ...fields,
    });

  /** The real `group_finish_key_rotation` fails before its request for all of these inputs. */
  async function realRotationStatus(output: string): Promise<string> {
    try {
      await sentc.group_finish_key_rotation(
        BASE_URL,
        APP_TOKEN,
        JWT,
        "group",
        output,
        K1.exported.sym_key,
        K1.exported.public_key,
        K1.exported.private_key,
      );
    } catch (error) {
      return realStatus(() => {
        throw error;
      });
    }
    return "no error";
  }

  it("unreadable → client_203, the server's error → client_204, undecryptable → client_14", async () => {
    const ours = (output: string) =>
      ourStatus(() =>
        finishKeyRotation(
          output,
          keys.importSymKey(K1.exported.sym_key),
          keys.importPublicKey(K1.exported.public_key),
          keys.importPrivateKey(K1.exported.private_key),
        ),
      );
    const cases: [string, string][] = [
      ["nope", "client_203"],
      ["{}", "client_203"],
      [rotation({ encrypted_ephemeral_key_by_group_key_and_public_key: "!!" }), "client_203"],
      [rotation({ error: "no key for this device" }), "client_204"],
      [
        rotation({ encrypted_ephemeral_key_by_group_key_and_public_key: Buffer.alloc(200, 7).toString("base64") }),
        "client_14",
      ],
    ];
    for (const [output, expected] of cases) {
      expect(await realRotationStatus(output)).toBe(expected);
      expect(ours(output)).toBe(expected);
    }
  });
});

describe("JWTs", () => {
  it("not three parts → client_1100; claims not base64url JSON or lacking a field → client_1101", () => {
    for (const jwt of ["abc", "", "a.b"])
      same(
        () => decodeJwt(jwt),
        () => sentc.decode_jwt(jwt),
        "client_1100",
      );
    const padded = jwtWith(Buffer.from(`${CLAIMS}  `).toString("base64"));
    expect(padded).toContain("=");
    same(
      () => decodeJwt(padded),
      () => sentc.decode_jwt(padded),
      "client_1101",
    );
    const missing = jwtWith(b64url('{"aud":"u","sub":"d","exp":1}'));
    same(
      () => decodeJwt(missing),
      () => sentc.decode_jwt(missing),
      "client_1101",
    );
    expect(decodeJwt(jwtWith(b64url(CLAIMS))).aud).toBe("u");
  });
});

describe("ranks", () => {
  it("a rank outside 1-4 → client_200 (the reference's group_prepare_update_rank)", () => {
    expect(realStatus(() => sentc.group_prepare_update_rank("user", 5, 0))).toBe("client_200");
    expect(realStatus(() => sentc.group_prepare_update_rank("user", 3, 3))).toBe("client_201");
    // Ours checks the same in Group.updateRank (test/sdk/errors.test.ts) and in prepareKeysForNewMember:
    expect(new SentcError("invalid_input", "rank", { reference: 200 }).status).toBe("client_200");
  });
});

describe("server answers parsed by the own-backend helpers", () => {
  it("an error envelope → server_<err_code>; a body that is not JSON or lacks fields → client_101", () => {
    const refused = JSON.stringify({ status: false, err_code: 101, err_msg: "User exists" });
    same(
      () => Sentc.doneRegister(refused),
      () => sentc.done_register(refused),
      "server_101",
    );
    same(
      () => Sentc.doneRegister("<html>bad gateway</html>"),
      () => sentc.done_register("<html>bad gateway</html>"),
      "client_101",
    );
    const notFound = JSON.stringify({ status: false, err_code: 100, err_msg: "User not found" });
    same(
      () => Sentc.doneCheckUserIdentifierAvailable(notFound),
      () => sentc.done_check_user_identifier_available(notFound),
      "server_100",
    );
  });
});
