import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, fromPem, toBase64, toBase64Url, toPem } from "../../src/protocol/encoding.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";

type Probe = { ok: boolean };
interface Strictness {
  base64_in_key_exports: Record<string, Probe>;
  pem_in_user_public_key_data: Record<string, Probe>;
}

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch (error) {
    expect(error).toMatchObject({ name: "SentcError", code: "invalid_encoding" });
    return false;
  }
};

const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 250) & 0xff); // encodes with "+", "/" and one "="
const canonical = toBase64(key);

/** Builds the input each probe of the real package describes (encoding_strictness.json). */
const BASE64_PROBES: Record<string, string> = {
  canonical_padded: canonical,
  unpadded: canonical.replace(/=+$/, ""),
  url_safe_alphabet: canonical.replace(/\+/g, "-").replace(/\//g, "_"),
  non_zero_trailing_bits: `${canonical.slice(0, -2) + String.fromCharCode(canonical.charCodeAt(canonical.length - 2) + 1)}=`,
  with_newline: `${canonical.slice(0, 20)}\n${canonical.slice(20)}`,
};
const kyberSized = Uint8Array.from({ length: 1184 }, (_, i) => i & 0xff);
const wrapAt = (bytes: Uint8Array, width: number) =>
  `-----BEGIN PUBLIC KEY-----\n${toBase64(bytes)
    .match(new RegExp(`.{1,${width}}`, "g"))!
    .join("\n")}\n-----END PUBLIC KEY-----\n`;
const PEM_PROBES: Record<string, string> = {
  as_produced: toPem(key),
  no_trailing_newline: toPem(key).slice(0, -1),
  crlf: toPem(key).replace(/\n/g, "\r\n"),
  other_label: toPem(key, "SOMETHING ELSE"),
  mismatched_labels: toPem(key).replace("END PUBLIC KEY", "END PRIVATE KEY"),
  raw_base64_no_armor: toBase64(key),
  kyber_len_wrapped_64: wrapAt(kyberSized, 64),
  kyber_len_wrapped_76: wrapAt(kyberSized, 76),
};
/** Probes about key lengths, not encodings: checked where keys are imported. */
const NOT_ENCODING_PROBES = ["wrong_length_31_bytes"];

describe("base64 (standard, padded, strict)", () => {
  it("round-trips and matches Buffer for every length 0–300 and random data", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length) & 0xff);
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64"));
      expect(fromBase64(text)).toEqual(bytes);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
        expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      }),
    );
  });

  it("rejects whitespace, foreign characters, bad padding and impossible lengths", () => {
    for (const bad of ["A", "AA=", "A===", "AAA", "AA==AA==", "AB==", "AAA=\n", " AAAA", "AA\u00e9=", "====", "AB=A"]) {
      expect(
        accepts(() => fromBase64(bad)),
        bad,
      ).toBe(false);
    }
    for (const bad of ["A", "AB", "AA==", "AAB", "a+b/"])
      expect(
        accepts(() => fromBase64Url(bad)),
        bad,
      ).toBe(false);
    expect(accepts(() => fromBase64(undefined as unknown as string))).toBe(false);
  });
});

describe.runIf(vectorsAvailable("sentc"))("strictness as recorded from the real sentc_wasm@0.15.0", () => {
  const vectors = readVectorJson<Strictness>("sentc", "encoding_strictness.json");

  it("base64 in key exports: accepts exactly what the real package accepts", () => {
    const names = Object.keys(vectors.base64_in_key_exports).filter((n) => !NOT_ENCODING_PROBES.includes(n));
    expect(names.sort()).toEqual(Object.keys(BASE64_PROBES).sort());
    for (const name of names) {
      expect(
        accepts(() => fromBase64(BASE64_PROBES[name]!)),
        name,
      ).toBe(vectors.base64_in_key_exports[name]!.ok);
    }
  });

  it("PEM public keys: accepts exactly what the real package accepts", () => {
    const names = Object.keys(vectors.pem_in_user_public_key_data);
    expect(names.sort()).toEqual(Object.keys(PEM_PROBES).sort());
    for (const name of names) {
      expect(
        accepts(() => fromPem(PEM_PROBES[name]!)),
        name,
      ).toBe(vectors.pem_in_user_public_key_data[name]!.ok);
    }
    expect(fromPem(PEM_PROBES.crlf!).bytes).toEqual(key);
    expect(fromPem(PEM_PROBES.kyber_len_wrapped_64!).bytes).toEqual(kyberSized);
  });
});

describe("PEM", () => {
  it("writes 64-character LF lines with a trailing LF", () => {
    const pem = toPem(kyberSized);
    const lines = pem.split("\n");
    expect(lines[0]).toBe("-----BEGIN PUBLIC KEY-----");
    expect(lines.at(-1)).toBe("");
    expect(lines.at(-2)).toBe("-----END PUBLIC KEY-----");
    expect(lines.slice(1, -3).every((line) => line.length === 64)).toBe(true);
    expect(fromPem(pem)).toEqual({ label: "PUBLIC KEY", bytes: kyberSized });
  });
});
