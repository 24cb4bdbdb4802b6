/**
 * The one error type of sentc-as. Every failure the SDK raises is a `SentcError` with a stable `code`:
 * either one of the client codes below, or `server` for an error answered by the sentc API, in which case
 * `serverCode` and `httpStatus` carry the server's `err_code` and HTTP status.
 *
 * Later layers add their client codes to `ClientErrorCode`; a code is never renamed once released.
 */
export type ClientErrorCode =
  /** A crypto function was called before `initCore()` resolved. */
  | "core_not_initialized"
  /** The WebAssembly core could not be fetched, compiled or instantiated. */
  | "core_load_failed"
  /** The runtime lacks something the SDK needs (WebAssembly SIMD, `crypto.getRandomValues`). */
  | "unsupported_environment"
  /** An argument has the wrong type, length or range. */
  | "invalid_input"
  /** Authentication failed: an AEAD tag, a signature or a MAC did not verify. */
  | "verification_failed"
  /** A key exchange produced the all-zero shared secret (a small-order public key). */
  | "weak_public_key"
  /** The core could not reserve the memory an operation needs. */
  | "out_of_memory"
  /** The algorithm is known but not implemented by this build. */
  | "unsupported_algorithm"
  /** Text is not valid in the encoding it must have (canonical base64, base64url, PEM). */
  | "invalid_encoding"
  /** A key export, head or server value is not valid sentc JSON of the expected shape. */
  | "invalid_format"
  /** Decryption failed: wrong key or tampered data (sentc client_14). */
  | "decryption_failed"
  /** Signed data was expected but carries no signature (sentc client_42). */
  | "missing_signature"
  /** The verify key given is not the one the data names (sentc client_20). */
  | "wrong_verify_key"
  /** The user's group rank does not allow the operation (sentc client_201). */
  | "permission_denied"
  /** The server reported that a key rotation could not be prepared for this member (sentc client_204). */
  | "key_rotation_failed"
  /** The request could not be sent or its answer not read (offline, DNS, CORS, connection reset). Retryable. */
  | "network_error"
  /** The request did not complete within its timeout. Retryable. */
  | "timeout"
  /** The caller aborted the request through its `AbortSignal`. */
  | "aborted"
  /** The server's answer is not sentc's envelope (not JSON, wrong shape, an HTML error page) or lacks a needed field. */
  | "invalid_server_response"
  /** The app's own refresh endpoint (`cookie`) or function (`cookie_fn`) did not deliver a new JWT. */
  | "refresh_failed"
  /** The account has multi-factor authentication on and the call needs a TOTP or recovery token (sentc client_10000). */
  | "mfa_required"
  /** No user is logged in on this device, or the stored user data is missing (the reference's plain "No actual user found"). */
  | "not_logged_in"
  /** A key the data names is neither held locally nor available from the server (the reference's plain "Key not found"). */
  | "key_not_found"
  /** The SDK was used before `Sentc.init()` resolved. */
  | "not_initialized"
  /** The local key store failed (IndexedDB error, custom adapter error). */
  | "storage_failed";

export type SentcErrorCode = ClientErrorCode | "server";

export interface SentcErrorOptions {
  cause?: unknown;
  serverCode?: number;
  httpStatus?: number;
}

/** Client codes for failures that may succeed when simply tried again. */
const RETRYABLE_CODES: ReadonlySet<SentcErrorCode> = new Set<SentcErrorCode>(["network_error", "timeout"]);

/** Gateway statuses a proxy answers while the API is unreachable or overloaded. */
const RETRYABLE_GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export class SentcError extends Error {
  override readonly name = "SentcError";
  readonly code: SentcErrorCode;
  readonly serverCode: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(code: SentcErrorCode, message: string, options: SentcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverCode = options.serverCode;
    this.httpStatus = options.httpStatus;
  }

  /**
   * True when trying the same request again may succeed: network errors, timeouts, and answers that are not
   * sentc's envelope but come with a gateway status (502/503/504, e.g. a proxy's HTML page). Server errors
   * answered in the envelope are never retryable: the request reached sentc and was refused.
   */
  get retryable(): boolean {
    if (RETRYABLE_CODES.has(this.code)) return true;
    return this.code === "invalid_server_response" && this.httpStatus !== undefined && RETRYABLE_GATEWAY_STATUSES.has(this.httpStatus);
  }
}

/** Type guard usable across realms and bundles (checks the shape, not the prototype chain). */
export function isSentcError(value: unknown): value is SentcError {
  return value instanceof SentcError || (value instanceof Error && value.name === "SentcError" && "code" in value);
}
