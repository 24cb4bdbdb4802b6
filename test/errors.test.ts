/**
 * The reference-readable error shape (spec sdk.md §7): every SentcError stringifies to
 * `{"status": "client_NNN" | "server_NNN", "error_message": "…"}` (valid JSON), exposes `status` and
 * `error_message`, and keeps its typed `code`. The mapping table covers every client code with numbers that
 * exist in the reference's §7.2 table.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { parseEnvelope } from "../src/api/envelope.js";
import { exchange } from "../src/api/http.js";
import { refreshStrategyFromOptions } from "../src/api/jwt.js";
import {
  OWN_CLIENT_CODES_FROM,
  REFERENCE_CLIENT_CODES,
  REFERENCE_MESSAGES,
  SentcError,
  isSentcError,
  referenceScope,
  withReference,
  type ClientErrorCode,
  type ReferenceMapping,
} from "../src/errors.js";
import { SHARED_VECTORS } from "./helpers/vectors.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const errorsSource = readFileSync(resolve(root, "src/errors.ts"), "utf8");

/** What reference-style code does with a caught error: `JSON.parse(e)` (which calls `String(e)`). */
function referenceParse(error: unknown): { status: string; error_message: string } {
  return JSON.parse(error as string) as { status: string; error_message: string };
}

function thrown(fn: () => unknown): SentcError {
  try {
    fn();
  } catch (error) {
    if (isSentcError(error)) return error;
    throw new Error(`not a SentcError: ${String(error)}`);
  }
  throw new Error("expected a throw");
}

const table = REFERENCE_CLIENT_CODES as Record<ClientErrorCode, ReferenceMapping>;
const codes = Object.keys(REFERENCE_CLIENT_CODES) as ClientErrorCode[];

describe("the mapping table", () => {
  it("has a row for every ClientErrorCode (type level, both directions)", () => {
    expectTypeOf<Exclude<ClientErrorCode, keyof typeof REFERENCE_CLIENT_CODES>>().toEqualTypeOf<never>();
    expectTypeOf<keyof typeof REFERENCE_CLIENT_CODES>().toEqualTypeOf<ClientErrorCode>();
    // The table also satisfies a Record over the union here, so a code added to the union fails to compile.
    const rows = REFERENCE_CLIENT_CODES satisfies Record<ClientErrorCode, ReferenceMapping>;
    expect(Object.keys(rows).length).toBe(codes.length);
  });

  it("has a row for every code declared in the ClientErrorCode union of src/errors.ts", () => {
    const source = readFileSync(resolve(root, "src/errors.ts"), "utf8");
    const union = source.slice(
      source.indexOf("export type ClientErrorCode"),
      source.indexOf("export type SentcErrorCode"),
    );
    const declared = [...union.matchAll(/\|\s*"([a-z_]+)"/g)].map((m) => m[1]!).sort();
    expect(declared.length).toBeGreaterThan(20);
    expect([...codes].sort()).toEqual(declared);
  });

  it("uses only numbers of the reference's client code table (sdk.md §7.2) or of our own range, and explains each row", () => {
    const spec = readFileSync(resolve(SHARED_VECTORS, "../spec/sdk.md"), "utf8");
    const section = spec.slice(spec.indexOf("### 7.2"), spec.indexOf("### 7.3"));
    const known = new Set([...section.matchAll(/^\| client_(\d+) \|/gm)].map((m) => Number(m[1])));
    expect(known.size).toBeGreaterThan(50);
    for (const code of codes) {
      const row = table[code];
      // Our own range starts above every reference number, so a code there can never be read as a reference one.
      expect(known.has(row.client) || row.client >= OWN_CLIENT_CODES_FROM, `${code}: client_${row.client}`).toBe(true);
      for (const n of row.also) expect(known.has(n), `${code}: also client_${n}`).toBe(true);
      expect(row.also).not.toContain(row.client);
      // Each row says why in its doc comment (kept in the source, out of the bundle).
      expect(errorsSource, `${code}: a doc comment saying why`).toMatch(
        new RegExp(`\\*/\\n  ${code}: \\{\\s*client: `),
      );
    }
  });

  it("maps the codes the reference names itself to its numbers", () => {
    const expected: Partial<Record<ClientErrorCode, number>> = {
      decryption_failed: 14,
      missing_signature: 42,
      wrong_verify_key: 20,
      verification_failed: 22,
      permission_denied: 201,
      key_rotation_failed: 204,
      network_error: 1000,
      mfa_required: 10000,
      invalid_format: 101,
      unsupported_algorithm: 1,
      timeout: 1000,
    };
    for (const [code, n] of Object.entries(expected)) expect(table[code as ClientErrorCode].client, code).toBe(n);
  });
});

describe("every code reads the reference's way", () => {
  it.each(codes)("%s: String(e), JSON.parse(e), e.status, e.error_message", (code) => {
    const error = new SentcError(code, `failure of ${code}`);
    const status = `client_${table[code].client}`;
    expect(referenceParse(error)).toEqual({ status, error_message: `failure of ${code}` });
    expect(String(error)).toBe(JSON.stringify({ status, error_message: `failure of ${code}` }));
    expect(`${error}`).toBe(String(error));
    expect(error.status).toBe(status);
    expect(error.error_message).toBe(`failure of ${code}`);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ status, error_message: `failure of ${code}` });
    // Still the typed error, with a human-readable message and stack.
    expect(error).toBeInstanceOf(SentcError);
    expect(error).toBeInstanceOf(Error);
    expect(isSentcError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.message).toBe(`failure of ${code}`);
    expect(error.stack?.split("\n")[0]).toBe(`SentcError: failure of ${code}`);
  });

  it.each(codes)("%s: each reference number the table allows can be named at the throw site", (code) => {
    for (const n of table[code].also) {
      const error = new SentcError(code, "x", { reference: n as never });
      expect(referenceParse(error).status).toBe(`client_${n}`);
      expect(error.hasExplicitReference).toBe(true);
      expect(error.code).toBe(code);
    }
  });

  it("rejects numbers the table does not list for the code (type level)", () => {
    // @ts-expect-error client_999 is not a reference number of invalid_input
    const wrong = new SentcError("invalid_input", "x", { reference: 999 });
    // @ts-expect-error a server error carries the server's code, not a client number
    const server = new SentcError("server", "x", { reference: 101, serverCode: 5 });
    expect(wrong.status).toBe("client_999");
    expect(server.status).toBe("server_5");
    const rank = new SentcError("invalid_input", "bad rank", { reference: 200 });
    expect(rank.status).toBe("client_200");
  });

  it("keeps retryable, cause, serverCode and httpStatus", () => {
    const cause = new TypeError("fetch failed");
    const network = new SentcError("network_error", "offline", { cause });
    expect(network.retryable).toBe(true);
    expect(network.cause).toBe(cause);
    expect(network.status).toBe("client_1000");
    const gateway = new SentcError("invalid_server_response", "HTML page", { httpStatus: 502 });
    expect(gateway.retryable).toBe(true);
    expect(gateway.httpStatus).toBe(502);
  });
});

describe("escaping: the JSON is valid whatever the message holds", () => {
  const messages = [
    'a "quoted" word',
    "back\\slash and C:\\path",
    "two\nlines\r\nand a\ttab",
    "control \u0000 \u0001 \u001f chars",
    "unicode: ü ß 漢字 🎉 and separators \u2028 \u2029",
    '{"status": client_101, "error_message": "nested"}',
    "",
    "x".repeat(5000),
  ];
  it.each(messages.map((m) => [JSON.stringify(m).slice(0, 40), m]))("%s", (_label, message) => {
    for (const error of [
      new SentcError("invalid_format", message),
      new SentcError("server", message, { serverCode: 310, httpStatus: 400 }),
    ]) {
      const parsed = referenceParse(error);
      expect(parsed.error_message).toBe(message);
      expect(error.error_message).toBe(message);
      expect(error.message).toBe(message);
      expect(Object.keys(parsed)).toEqual(["status", "error_message"]);
    }
  });
});

describe("server errors pass through as server_<err_code>", () => {
  it("server_112 from a real error envelope through parseEnvelope (HTTP 401 or 200: the body decides)", () => {
    for (const httpStatus of [401, 200]) {
      const body = JSON.stringify({ status: false, err_code: 112, err_msg: "Wrong password or username" });
      const error = thrown(() => parseEnvelope(body, httpStatus));
      expect(referenceParse(error)).toEqual({ status: "server_112", error_message: "Wrong password or username" });
      expect(error.status).toBe("server_112");
      expect(error.code).toBe("server");
      expect(error.serverCode).toBe(112);
      expect(error.httpStatus).toBe(httpStatus);
    }
  });

  it("server messages with quotes and newlines stay valid JSON", () => {
    const body = JSON.stringify({ status: false, err_code: 304, err_msg: 'Key "abc" not found\nat all' });
    expect(referenceParse(thrown(() => parseEnvelope(body, 200)))).toEqual({
      status: "server_304",
      error_message: 'Key "abc" not found\nat all',
    });
  });

  it("a body that is not sentc's envelope is client_101, as when the reference's serde cannot parse it", () => {
    const error = thrown(() => parseEnvelope("<html>Bad gateway</html>", 502));
    expect(error.code).toBe("invalid_server_response");
    expect(referenceParse(error).status).toBe("client_101");
  });
});

describe("requests that do not complete", () => {
  it("a fetch that fails, a timeout and an abort are client_1000 (the reference's \"can't send request\")", async () => {
    const failing = () => Promise.reject(new TypeError("Failed to fetch"));
    const never = (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    const controller = new AbortController();
    controller.abort();
    const outcomes = await Promise.allSettled([
      exchange(failing, "http://api.test/x", { method: "GET" }),
      exchange(never, "http://api.test/x", { method: "GET" }, { timeoutMs: 20 }),
      exchange(never, "http://api.test/x", { method: "GET" }, { signal: controller.signal }),
    ]);
    const errors = outcomes.map((outcome) =>
      outcome.status === "rejected" ? (outcome.reason as SentcError) : undefined,
    );
    expect(errors.map((error) => error?.code)).toEqual(["network_error", "timeout", "aborted"]);
    for (const error of errors) {
      expect(referenceParse(error).status).toBe("client_1000");
      expect(referenceParse(error).error_message).toBe(error!.message);
    }
  });
});

describe("reference texts of the plain-Error cases", () => {
  it("are the reference's exact strings", () => {
    expect(REFERENCE_MESSAGES).toEqual({
      noActualUser: "No actual user found",
      keyNotFound: "Key not found",
      groupKeyNotFound: "Group key not found. Maybe done key rotation will help",
      noRefreshOption: "No refresh option found",
    });
  });

  it('an unknown refresh endpoint is a SentcError with the reference\'s "No refresh option found"', () => {
    const error = thrown(() => refreshStrategyFromOptions({ endpoint: 7 } as never));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe("No refresh option found");
    expect(referenceParse(error)).toEqual({ status: "client_100", error_message: "No refresh option found" });
  });
});

describe("re-tagging for the operation (withReference, referenceScope)", () => {
  it("gives an untagged error the operation's number, keeping code, message, cause and stack", () => {
    const cause = new Error("inner");
    const original = new SentcError("invalid_encoding", "not canonical base64", { cause });
    const copy = withReference(original, { invalid_encoding: 112 }) as SentcError;
    expect(copy).not.toBe(original);
    expect(copy.status).toBe("client_112");
    expect(copy.code).toBe("invalid_encoding");
    expect(copy.message).toBe("not canonical base64");
    expect(copy.cause).toBe(cause);
    expect(copy.stack).toBe(original.stack);
  });

  it("leaves explicit numbers, other codes, server errors and non-SentcErrors alone", () => {
    const explicit = new SentcError("invalid_format", "short", { reference: 30 });
    expect(withReference(explicit, { invalid_format: 109 })).toBe(explicit);
    const other = new SentcError("decryption_failed", "x");
    expect(withReference(other, { invalid_format: 109 })).toBe(other);
    const server = new SentcError("server", "x", { serverCode: 100 });
    expect(withReference(server, { invalid_format: 109 })).toBe(server);
    const plain = new TypeError("x");
    expect(withReference(plain, { invalid_format: 109 })).toBe(plain);
  });

  it("referenceScope re-tags what the operation throws and returns its value otherwise", () => {
    expect(referenceScope({ invalid_format: 109 }, () => 5)).toBe(5);
    const error = thrown(() =>
      referenceScope({ invalid_format: 109 }, () => {
        throw new SentcError("invalid_format", "not JSON");
      }),
    );
    expect(referenceParse(error)).toEqual({ status: "client_109", error_message: "not JSON" });
  });
});
