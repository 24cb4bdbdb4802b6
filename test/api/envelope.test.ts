import { describe, expect, it } from "vitest";
import { binaryDownloadError, parseEnvelope, readEnvelope } from "../../src/api/envelope.js";
import { SentcError, isSentcError } from "../../src/errors.js";

function errorOf(fn: () => unknown): SentcError {
  try {
    fn();
  } catch (error) {
    if (isSentcError(error)) return error;
    throw new Error(`not a SentcError: ${String(error)}`);
  }
  throw new Error("expected a throw");
}

describe("parseEnvelope: success", () => {
  it("returns result for status:true with any non-null result", () => {
    expect(parseEnvelope('{"status":true,"result":{"a":1}}', 200)).toEqual({ a: 1 });
    expect(parseEnvelope('{"status":true,"result":"Success"}', 200)).toBe("Success");
    expect(parseEnvelope('{"status":true,"result":[]}', 200)).toEqual([]);
    // Falsy but present results are still results (the reference JS SDK wrongly rejects these).
    expect(parseEnvelope('{"status":true,"result":false}', 200)).toBe(false);
    expect(parseEnvelope('{"status":true,"result":0}', 200)).toBe(0);
    expect(parseEnvelope('{"status":true,"result":""}', 200)).toBe("");
  });

  it("rejects status:true without result or with result null", () => {
    for (const body of ['{"status":true}', '{"status":true,"result":null}']) {
      const error = errorOf(() => parseEnvelope(body, 200));
      expect(error.code).toBe("invalid_server_response");
      expect(error.httpStatus).toBe(200);
    }
  });

  it("rejects a success envelope that comes with an HTTP error status", () => {
    const error = errorOf(() => parseEnvelope('{"status":true,"result":"Success"}', 500));
    expect(error.code).toBe("invalid_server_response");
    expect(error.httpStatus).toBe(500);
  });
});

describe("parseEnvelope: server errors", () => {
  it("maps status:false to a server error with code, message and HTTP status", () => {
    const error = errorOf(() =>
      parseEnvelope('{"status":false,"err_msg":"Wrong username or password","err_code":112}', 401),
    );
    expect(error.code).toBe("server");
    expect(error.serverCode).toBe(112);
    expect(error.httpStatus).toBe(401);
    expect(error.message).toBe("Wrong username or password");
    expect(error.retryable).toBe(false);
  });

  it("lets the body decide even for HTTP 200 and 402 (codes 304, 902)", () => {
    expect(
      errorOf(() => parseEnvelope('{"status":false,"err_msg":"Group key not found","err_code":304}', 200)).serverCode,
    ).toBe(304);
    const otp = errorOf(() => parseEnvelope('{"status":false,"err_msg":"Wrong otp.","err_code":902}', 402));
    expect([otp.code, otp.serverCode, otp.httpStatus]).toEqual(["server", 902, 402]);
  });

  it("requires both a numeric err_code and a string err_msg", () => {
    for (const body of [
      '{"status":false}',
      '{"status":false,"err_code":112}',
      '{"status":false,"err_msg":"x"}',
      '{"status":false,"err_code":"112","err_msg":"x"}',
      '{"status":false,"err_code":1.5,"err_msg":"x"}',
      '{"status":false,"err_code":-1,"err_msg":"x"}',
      '{"status":false,"err_code":112,"err_msg":null}',
    ]) {
      expect(errorOf(() => parseEnvelope(body, 400)).code, body).toBe("invalid_server_response");
    }
  });
});

describe("parseEnvelope: anything else", () => {
  it.each([
    ["an empty body", ""],
    ["an HTML error page", "<html><body><h1>502 Bad Gateway</h1></body></html>"],
    ["plain text", "Internal Server Error"],
    ["a JSON array", "[1,2]"],
    ["JSON null", "null"],
    ["a JSON string", '"Success"'],
    ["a status that is not a boolean", '{"status":"true","result":1}'],
    ["no status", '{"result":1}'],
    ["truncated JSON", '{"status":true,"result":{"a"'],
  ])("%s is invalid_server_response", (_, body) => {
    const error = errorOf(() => parseEnvelope(body, 502));
    expect(error.code).toBe("invalid_server_response");
    expect(error.httpStatus).toBe(502);
  });

  it("quotes at most a short excerpt of a page", () => {
    const page = `<html>${"x".repeat(5000)}</html>`;
    const error = errorOf(() => parseEnvelope(page, 500));
    expect(error.message.length).toBeLessThan(300);
  });

  it("rejects bodies that are not UTF-8", () => {
    const error = errorOf(() => readEnvelope(Uint8Array.of(0x7b, 0xff, 0x7d), 200));
    expect(error.code).toBe("invalid_server_response");
  });
});

describe("binaryDownloadError", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("reads an error envelope from a failed download", () => {
    const error = binaryDownloadError(bytes('{"status":false,"err_msg":"No access to this file","err_code":521}'), 400);
    expect([error.code, error.serverCode, error.httpStatus]).toEqual(["server", 521, 400]);
  });

  it("gives invalid_server_response for other bodies, keeping the status", () => {
    for (const body of ["Not Found", "", '{"status":true,"result":"Success"}']) {
      const error = binaryDownloadError(bytes(body), 404);
      expect([error.code, error.httpStatus], body).toEqual(["invalid_server_response", 404]);
    }
  });
});

describe("SentcError.retryable", () => {
  it("is true for network errors, timeouts and gateway answers that are not envelopes", () => {
    expect(new SentcError("network_error", "x").retryable).toBe(true);
    expect(new SentcError("timeout", "x").retryable).toBe(true);
    expect(new SentcError("invalid_server_response", "x", { httpStatus: 503 }).retryable).toBe(true);
  });

  it("is false for everything else", () => {
    expect(new SentcError("aborted", "x").retryable).toBe(false);
    expect(new SentcError("invalid_server_response", "x", { httpStatus: 200 }).retryable).toBe(false);
    expect(new SentcError("invalid_server_response", "x").retryable).toBe(false);
    expect(new SentcError("server", "x", { serverCode: 20, httpStatus: 500 }).retryable).toBe(false);
    expect(new SentcError("decryption_failed", "x").retryable).toBe(false);
  });
});
