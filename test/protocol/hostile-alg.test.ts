/**
 * Algorithm names from the wire are looked up as names, never as object members: a signed head whose `sign.alg` is
 * a member every object inherits ("constructor", "toString", "__proto__", …) is `invalid_format` (before, it was
 * taken as an algorithm with a 0-byte signature and the data was opened), and a verify key of such an alg is
 * `invalid_input`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { decryptSymmetric, encryptSymmetric } from "../../src/protocol/encrypt.js";
import { joinHead, splitHead } from "../../src/protocol/head.js";
import { generateSignKeyPair, generateSymKey } from "../../src/protocol/keypairs.js";
import type { VerifyKey } from "../../src/protocol/keys.js";
import { splitSignature, verifyOnly } from "../../src/protocol/signature.js";
import { errorCode } from "../helpers/assert.js";
import { loadReleaseCore } from "../helpers/core.js";

beforeAll(loadReleaseCore);

const INHERITED = ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty", "isPrototypeOf"];

describe("sign algs named after inherited object members", () => {
  for (const alg of INHERITED) {
    it(`"${alg}" in a signed head is invalid_format, the data is not opened`, () => {
      const key = generateSymKey("sym");
      // Unsigned data under a head that claims a signature: under the old lookup the alg's signature had 0 bytes.
      const { head, payload } = splitHead(encryptSymmetric(key, new TextEncoder().encode("secret")));
      const forged = joinHead({ id: head.id, sign: { id: "sign", alg } }, payload);
      expect(errorCode(() => decryptSymmetric(key, forged))).toBe("invalid_format");
    });

    it(`splitSignature("${alg}") is invalid_format`, () => {
      expect(errorCode(() => splitSignature(alg, new Uint8Array(100)))).toBe("invalid_format");
    });

    it(`a verify key of alg "${alg}" is invalid_input`, () => {
      const { verifyKey } = generateSignKeyPair("sign");
      const forged = { ...verifyKey, alg } as unknown as VerifyKey;
      expect(errorCode(() => verifyOnly(forged, new Uint8Array(64), new Uint8Array(1)))).toBe("invalid_input");
    });
  }
});
