/**
 * sentc's response envelope (spec api.md §1.4, sdk.md §7.3):
 *
 *   success: `{"status": true, "result": <T>}`      (HTTP 200)
 *   error:   `{"status": false, "err_code": <u32>, "err_msg": "<text>"}`
 *
 * Like sentc's SDKs, the body decides, not the HTTP status: a few server errors come with HTTP 200 (codes 35,
 * 302, 304) and wrong TOTP codes with 402. Unlike the reference, anything that is not exactly one of the two
 * shapes (non-JSON, an HTML error page from a proxy, a missing `result`) is a typed `invalid_server_response`
 * instead of a JSON parse error string.
 */
import { SentcError, invalidServerResponse } from "../errors.js";

const MAX_QUOTED_BODY = 120;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short, single-line excerpt of an unexpected body for the error message (never the whole page). */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_QUOTED_BODY ? `${line.slice(0, MAX_QUOTED_BODY)}…` : line;
}

function invalid(message: string, httpStatus: number, cause?: unknown): SentcError {
  return invalidServerResponse(message, { httpStatus, cause });
}

/** Decodes a body as UTF-8; invalid UTF-8 cannot be sentc's JSON. */
export function decodeBodyText(body: Uint8Array, httpStatus: number): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch (cause) {
    throw invalidServerResponse(`the server answered HTTP ${httpStatus} with a body that is not UTF-8`, {
      httpStatus,
      cause,
      reference: 1002,
    });
  }
}

/**
 * The error for an object with `status:false`: `SentcError("server")` when it carries a numeric `err_code` and
 * a string `err_msg` (both required, as in sentc's SDKs), else `invalid_server_response`.
 */
function errorFromEnvelope(value: Record<string, unknown>, httpStatus: number): SentcError {
  const code = value.err_code;
  const message = value.err_msg;
  if (typeof code !== "number" || !Number.isSafeInteger(code) || code < 0 || typeof message !== "string") {
    return invalid(
      `the server answered HTTP ${httpStatus} with an error envelope lacking a numeric err_code and a string err_msg`,
      httpStatus,
    );
  }
  return new SentcError("server", message, { serverCode: code, httpStatus });
}

/**
 * Reads an envelope from its JSON text and returns `result`, or throws:
 * - `SentcError("server", err_msg, {serverCode: err_code, httpStatus})` for a well-formed error envelope;
 * - `SentcError("invalid_server_response", …, {httpStatus})` for anything else, including `status:true` with a
 *   missing or null `result`, and `status:true` with an HTTP error status (the real server never sends that).
 */
export function parseEnvelope(text: string, httpStatus: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const shown = text.trim().length === 0 ? "an empty body" : `"${excerpt(text)}"`;
    throw invalid(`the server answered HTTP ${httpStatus} with ${shown} instead of JSON`, httpStatus, cause);
  }
  if (!isRecord(value) || typeof value.status !== "boolean") {
    throw invalid(`the server answered HTTP ${httpStatus} with JSON that is not sentc's envelope`, httpStatus);
  }
  if (value.status === false) throw errorFromEnvelope(value, httpStatus);
  if (httpStatus < 200 || httpStatus >= 300) {
    throw invalid(`the server answered HTTP ${httpStatus} with a success envelope`, httpStatus);
  }
  if (value.result === undefined || value.result === null) {
    throw invalid("the server's success envelope has no result", httpStatus);
  }
  return value.result;
}

/** `parseEnvelope` over raw body bytes. */
export function readEnvelope(body: Uint8Array, httpStatus: number): unknown {
  return parseEnvelope(decodeBodyText(body, httpStatus), httpStatus);
}

/**
 * The error for a failed binary download (sdk.md §7.1: status ≥ 400 means the body is an error envelope).
 * A well-formed error envelope gives `server`; any other body gives `invalid_server_response` with the status.
 */
export function binaryDownloadError(body: Uint8Array, httpStatus: number): SentcError {
  try {
    parseEnvelope(decodeBodyText(body, httpStatus), httpStatus);
  } catch (error) {
    if (error instanceof SentcError) return error;
    throw error;
  }
  // parseEnvelope only returns for a success envelope with a 2xx status, which a ≥ 400 answer cannot be.
  return invalid(`the server answered HTTP ${httpStatus}`, httpStatus);
}
