/**
 * The one error type of sentc-as. Every failure the SDK raises is a `SentcError` with a stable `code`:
 * either one of the client codes below, or `server` for an error answered by the sentc API, in which case
 * `serverCode` and `httpStatus` carry the server's `err_code` and HTTP status.
 *
 * Every `SentcError` is also readable the way the reference SDK's errors are (spec sdk.md §7.1): `String(e)`
 * and `JSON.parse(e)` give `{"status": "client_NNN" | "server_NNN", "error_message": "…"}`, and `e.status` /
 * `e.error_message` are properties. The `client_*` numbers are the reference's (§7.2), taken from
 * `REFERENCE_CLIENT_CODES`, the one table that maps our codes to them.
 *
 * Later layers add their client codes to `ClientErrorCode` (and a row to `REFERENCE_CLIENT_CODES`); a code is
 * never renamed once released.
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
  /**
   * A key is not held locally where nothing is fetched (the `*Sync` variants, a group without HMAC key), with the
   * reference's plain-Error text "Key not found" / "Group key not found. Maybe done key rotation will help". Async
   * lookups ask the server and pass its answer on (e.g. `server_304`), as the reference does.
   */
  | "key_not_found"
  /** The SDK was used before `Sentc.init()` resolved. */
  | "not_initialized"
  /** The local key store failed (IndexedDB error, custom adapter error), or the file `saveFileStream` writes. */
  | "storage_failed"
  /**
   * A user's identity key is not the one pinned at first use, and no chain of signed rotations leads from the pinned
   * key to it; or a group's public key is neither pinned nor signed by a pinned signer of the group (the server may
   * have swapped it). `keyChange` names the user or group and both key ids.
   */
  | "key_changed"
  /**
   * A key's transparency proof failed: the log leaf is not the served key, the inclusion proof or the head's
   * signature does not verify, or a server whose log is known served a key without a proof (docs/security.md).
   */
  | "transparency_failed"
  /** Two signed heads of the key log are not one append-only history (same size, other root; or no consistency). */
  | "log_fork"
  /** `require_transparency` is on and the server answers keys without the key transparency log. */
  | "transparency_unavailable"
  /** The key log holds a key in the own user's name that this user did not make (`user.checkKeyTransparency`). */
  | "foreign_key_in_log";

/**
 * The code of a `SentcError`: one of the client codes (`ClientErrorCode`) or `server` for an error answered by the
 * sentc API (its number in `serverCode`).
 */
export type SentcErrorCode = ClientErrorCode | "server";

/** One row of `REFERENCE_CLIENT_CODES`. */
export interface ReferenceMapping {
  /** The reference's `client_*` number used when the throw site names none. */
  readonly client: number;
  /** Further reference numbers a throw site may name for this code (the reference is finer-grained there). */
  readonly also: readonly number[];
}

/**
 * The one place that maps our client codes to the reference's `client_*` numbers (spec sdk.md §7.2).
 * `client` is the default, `also` lists the numbers a throw site may name instead (`{ reference: 102 }`):
 * the reference distinguishes there what one of our codes covers. Codes the reference has no equivalent for
 * get the number of its nearest situation; the comment on each row says why (kept out of the bundle).
 */
export const REFERENCE_CLIENT_CODES = {
  /**
   * No equivalent (the reference fails with a TypeError from its wasm glue). client_13 (RNG failed) is what the
   * reference reports when its crypto runtime cannot run; nothing cryptographic can run here either.
   */
  core_not_initialized: { client: 13, also: [] },
  /**
   * No equivalent (the reference rejects with the raw fetch/WebAssembly error). client_13 as for
   * core_not_initialized: the crypto runtime is unavailable.
   */
  core_load_failed: { client: 13, also: [] },
  /**
   * client_13 (RNG failed) is the reference's answer when crypto.getRandomValues is missing; a missing fetch is
   * client_1000 (can't send request).
   */
  unsupported_environment: { client: 13, also: [1000] },
  /**
   * A bad argument. The reference's wasm answers a value it cannot take with client_100; throw sites name the exact
   * number where the reference has one (client_200 bad rank, client_300/301 searchable input too long/empty,
   * client_60/61/62 OPE, client_109-115 key import).
   */
  invalid_input: {
    client: 100,
    also: [1, 2, 3, 8, 9, 10, 60, 61, 62, 101, 102, 109, 110, 111, 112, 113, 114, 115, 200, 300, 301, 1100, 1101],
  },
  /**
   * client_22 (verification failed) for data signatures; client_31 for a group or user key signature (key
   * verification failed).
   */
  verification_failed: { client: 22, also: [31, 43] },
  /**
   * No equivalent (the reference does not check for small-order keys). client_8 (can't decode public key) when
   * encrypting to it; client_14 when such a key makes decryption impossible.
   */
  weak_public_key: { client: 8, also: [14] },
  /**
   * No equivalent (the reference's wasm aborts with a RuntimeError). client_13 as for other failures of the crypto
   * runtime.
   */
  out_of_memory: { client: 13, also: [] },
  /** client_1 (algorithm not found). */
  unsupported_algorithm: { client: 1, also: [109] },
  /**
   * client_10 (can't decode encrypted data) for encrypted text; key exports name the reference's import error for
   * their base64 (client_110 sign, client_111 private, client_112 symmetric/hmac/sortable, client_113 public,
   * client_114 verify key), PEM text client_115, key rotation data client_203, the JWT client_1101.
   */
  invalid_encoding: { client: 10, also: [2, 3, 4, 5, 6, 8, 9, 101, 109, 110, 111, 112, 113, 114, 115, 203, 1101] },
  /**
   * client_101 (JSON parse failed) for text that is not JSON or lacks a field (the reference's serde answers both
   * with client_101); a key export the reference cannot read is client_109 (client_30 for a wrong key length), an
   * unknown alg client_1, a bad JWT client_1100/1101, key rotation data client_203, a login challenge that is not
   * text client_1102.
   */
  invalid_format: {
    client: 101,
    also: [1, 2, 3, 4, 5, 6, 8, 9, 10, 30, 102, 109, 110, 111, 112, 113, 114, 115, 130, 203, 1100, 1101, 1102],
  },
  /**
   * client_14 (decryption failed: wrong key or tampered data); client_10 for ciphertext too short to decode;
   * client_30 for a key that a wrong master key cannot decrypt.
   */
  decryption_failed: { client: 14, also: [10, 21, 30] },
  /** client_42 (data has no signature). */
  missing_signature: { client: 42, also: [] },
  /** client_20 (the signature was made by another key pair). */
  wrong_verify_key: { client: 20, also: [] },
  /** client_201 (no permission: the member's rank); client_202 when the member to kick has a higher rank. */
  permission_denied: { client: 201, also: [202] },
  /** client_204 (key rotation failed for this account); client_203 when the rotation data cannot be decoded. */
  key_rotation_failed: { client: 204, also: [203] },
  /** client_1000 (can't send request); client_1003 when the response bytes cannot be read. */
  network_error: { client: 1000, also: [1003] },
  /** No equivalent (the reference has no timeouts). client_1000 like a request that could not be sent. */
  timeout: { client: 1000, also: [] },
  /** No equivalent (the reference has no AbortSignal). client_1000: the request was not completed. */
  aborted: { client: 1000, also: [] },
  /**
   * client_101: the reference parses every answer with serde, so a body that is not JSON (a proxy's HTML page) or
   * lacks a field is client_101 there; client_1002 for a body that is not text, client_130 for a login answer
   * without user keys, client_1100 for a refreshed JWT that is not valid.
   */
  invalid_server_response: { client: 101, also: [102, 130, 1002, 1003, 1100, 1101] },
  /**
   * No equivalent (the reference uses whatever its refresh fetch returns). client_1000: the refresh request did not
   * deliver a JWT.
   */
  refresh_failed: { client: 1000, also: [] },
  /** client_10000 (MFA is on and the call needs a token). */
  mfa_required: { client: 10000, also: [] },
  /**
   * The reference throws a plain Error "No actual user found" (kept as the message). client_1100 (JWT invalid):
   * there is no session to use, logging in again is the remedy.
   */
  not_logged_in: { client: 1100, also: [] },
  /**
   * The reference throws a plain Error "Key not found" / "Group key not found. Maybe done key rotation will help"
   * (kept as the message); where it goes on with the missing key its wasm answers client_109 (can't import the key,
   * e.g. an empty key).
   */
  key_not_found: { client: 109, also: [14] },
  /**
   * No equivalent (the reference fails with a TypeError on its unset options). client_13 as for
   * core_not_initialized: nothing can run yet.
   */
  not_initialized: { client: 13, also: [] },
  /**
   * No equivalent (the reference lets IndexedDB's DOMException through). client_100 (can't create string from
   * object): the value could not be stored or read back.
   */
  storage_failed: { client: 100, also: [] },
  /**
   * No equivalent (the reference takes every key from the server on trust). client_20001, in sentc-as's own range
   * (`OWN_CLIENT_CODES_FROM` and up, numbers the reference never uses): no reference situation comes near it.
   */
  key_changed: { client: 20001, also: [] },
  /** No equivalent (the reference has no key log). client_20002, own range. */
  transparency_failed: { client: 20002, also: [] },
  /** No equivalent (the reference has no key log). client_20003, own range. */
  log_fork: { client: 20003, also: [] },
  /** No equivalent (the reference has no key log). client_20004, own range. */
  transparency_unavailable: { client: 20004, also: [] },
  /** No equivalent (the reference has no key log). client_20005, own range. */
  foreign_key_in_log: { client: 20005, also: [] },
} as const satisfies Record<ClientErrorCode, ReferenceMapping>;

type ReferenceTable = typeof REFERENCE_CLIENT_CODES;

/**
 * The first `client_*` number of sentc-as's own range: codes the reference has nothing near to get a number from
 * here on (the reference's own numbers end at 10000).
 */
export const OWN_CLIENT_CODES_FROM = 20000;

/** What a `key_changed` error names: whose key changed, the pinned key id and the key id the server offered. */
export interface KeyChange {
  /** Whether `id` is a user id or a group id. */
  readonly kind: "user" | "group";
  /** The user or group whose identity key changed. */
  readonly id: string;
  /**
   * The verify key id (user) or public key id (group) pinned for it (first seen, or set by `user.verifyUserAgain` /
   * `user.verifyGroupAgain`); empty when nothing was pinned yet.
   */
  readonly pinned_key_id: string;
  /**
   * The key id the server offered: one that no chain of signed rotations (or pinned signer) connects to the pinned
   * one, or an older key than the newest accepted for it (a user's public key id, a group's public key id).
   */
  readonly offered_key_id: string;
}

/** The reference `client_*` numbers a throw site may name for `code` (its default and its `also` list). */
export type ReferenceNumber<C extends ClientErrorCode> = C extends ClientErrorCode
  ? ReferenceTable[C]["client"] | ReferenceTable[C]["also"][number]
  : never;

/** A reference status: `client_<n>` (§7.2) or `server_<err_code>` (§7.3). */
export type ReferenceStatus = `client_${number}` | `server_${number}`;

export interface SentcErrorOptions<C extends SentcErrorCode = SentcErrorCode> {
  cause?: unknown;
  serverCode?: number;
  httpStatus?: number;
  /**
   * The reference's exact `client_*` number for this situation, when it is not the code's default in
   * `REFERENCE_CLIENT_CODES` (only the numbers listed there for the code are accepted).
   */
  reference?: [C] extends [ClientErrorCode] ? ReferenceNumber<C> : never;
  /** For `key_changed`: whose key changed and the two key ids. */
  keyChange?: KeyChange;
}

/**
 * The texts of the reference's plain `Error`s (spec sdk.md §7.1). Where ours throws a `SentcError` in the same
 * situation (`not_logged_in`, `key_not_found`, `invalid_input`), its `message` is exactly this text, so checks
 * like `e.message === "Key not found"` keep working.
 */
export const REFERENCE_MESSAGES = {
  noActualUser: "No actual user found",
  keyNotFound: "Key not found",
  groupKeyNotFound: "Group key not found. Maybe done key rotation will help",
  noRefreshOption: "No refresh option found",
} as const;

/** Client codes for failures that may succeed when simply tried again. */
const RETRYABLE_CODES: ReadonlySet<SentcErrorCode> = new Set<SentcErrorCode>(["network_error", "timeout"]);

/** Gateway statuses a proxy answers while the API is unreachable or overloaded. */
const RETRYABLE_GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** The reference status of a code: `server_<serverCode>`, the named reference number, or the table's default. */
function referenceStatus(
  code: SentcErrorCode,
  reference: number | undefined,
  serverCode: number | undefined,
): ReferenceStatus {
  if (code === "server") return `server_${serverCode ?? 0}`;
  const row: ReferenceMapping | undefined = (REFERENCE_CLIENT_CODES as Record<string, ReferenceMapping>)[code];
  return `client_${reference ?? row?.client ?? 100}`;
}

/**
 * A failure of the SDK. `code` is typed and stable; `status` and `error_message` (and `String(e)`,
 * `JSON.parse(e)`) give the reference SDK's shape, `{"status": "client_14", "error_message": "…"}`.
 *
 * @example
 * ```ts
 * try {
 *   await group.decryptString(text);
 * } catch (e) {
 *   if (isSentcError(e) && e.code === "decryption_failed") showWrongKey();
 *   const err = JSON.parse(String(e)); // reference style: err.status === "client_14"
 * }
 * ```
 */
export class SentcError<C extends SentcErrorCode = SentcErrorCode> extends Error {
  override readonly name = "SentcError";
  readonly code: SentcErrorCode;
  readonly serverCode: number | undefined;
  readonly httpStatus: number | undefined;
  /** For `key_changed`: the user or group, the pinned key id and the offered key id; else `undefined`. */
  readonly keyChange: KeyChange | undefined;
  /** The reference number the throw site named, if any (else the table's default applies). */
  readonly #reference: number | undefined;

  /**
   * @param code our typed code.
   * @param message a human-readable message (for `server`, the server's `err_msg`); it is also `error_message`.
   * @param options `cause`, `serverCode`/`httpStatus` of a server answer, `reference` (an exact reference number).
   */
  constructor(code: C, message: string, options: SentcErrorOptions<C> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverCode = options.serverCode;
    this.httpStatus = options.httpStatus;
    this.keyChange = options.keyChange;
    this.#reference = options.reference;
  }

  /**
   * The reference SDK's status: `client_<n>` (spec sdk.md §7.2) or `server_<err_code>` (§7.3).
   * @example
   * const status = error.status; // e.g. "client_14" or "server_304"
   */
  get status(): ReferenceStatus {
    return referenceStatus(this.code, this.#reference, this.serverCode);
  }

  /**
   * The reference SDK's `error_message`: the same text as `message` (the server's `err_msg` for `server`).
   * @example
   * const text = error.error_message;
   */
  get error_message(): string {
    return this.message;
  }

  /**
   * True when the throw site named the exact reference number (context re-tagging then leaves it alone).
   * @example
   * if (!error.hasExplicitReference) console.log(`default reference number: ${error.status}`);
   */
  get hasExplicitReference(): boolean {
    return this.#reference !== undefined;
  }

  /**
   * True when trying the same request again may succeed: network errors, timeouts, and answers that are not
   * sentc's envelope but come with a gateway status (502/503/504, e.g. a proxy's HTML page). Server errors
   * answered in the envelope are never retryable: the request reached sentc and was refused.
   * @example
   * if (isSentcError(e) && e.retryable) await retryLater();
   */
  get retryable(): boolean {
    if (RETRYABLE_CODES.has(this.code)) return true;
    return (
      this.code === "invalid_server_response" &&
      this.httpStatus !== undefined &&
      RETRYABLE_GATEWAY_STATUSES.has(this.httpStatus)
    );
  }

  /**
   * The reference's error string, valid JSON: `{"status":"client_14","error_message":"…"}`. This is what
   * `String(e)` and `JSON.parse(e)` see; `message` stays the plain text (shown by stack traces and loggers).
   * Never throws.
   *
   * @example
   * ```ts
   * const { status, error_message } = JSON.parse(String(e)); // or JSON.parse(e) in plain JavaScript
   * ```
   */
  override toString(): string {
    return JSON.stringify(this.toJSON());
  }

  /**
   * `{status, error_message}`, so `JSON.stringify(e)` gives the reference shape too. Never throws.
   *
   * @example
   * ```ts
   * logger.error(JSON.stringify({ failed: "upload", error: e })); // … "error":{"status":"client_1000",…}
   * ```
   */
  toJSON(): { status: ReferenceStatus; error_message: string } {
    return { status: this.status, error_message: this.error_message };
  }
}

/**
 * `new SentcError("invalid_input", message, options)`, the most frequent error, in fewer bytes of the bundle.
 * Never throws (it returns the error).
 * @internal
 * @example
 * if (typeof id !== "string") throw invalidInput("the id must be a string");
 */
export function invalidInput(
  message: string,
  options?: SentcErrorOptions<"invalid_input">,
): SentcError<"invalid_input"> {
  return new SentcError("invalid_input", message, options);
}

/**
 * `new SentcError("invalid_format", message, options)` in fewer bytes of the bundle. Never throws.
 * @internal
 * @example
 * if (!isRecord(value)) throw invalidFormat("the key export must be a JSON object");
 */
export function invalidFormat(
  message: string,
  options?: SentcErrorOptions<"invalid_format">,
): SentcError<"invalid_format"> {
  return new SentcError("invalid_format", message, options);
}

/**
 * `new SentcError("invalid_server_response", message, options)` in fewer bytes of the bundle. Never throws.
 * @internal
 * @example
 * if (typeof result.rank !== "number") throw invalidServerResponse('"rank" must be a number');
 */
export function invalidServerResponse(
  message: string,
  options?: SentcErrorOptions<"invalid_server_response">,
): SentcError<"invalid_server_response"> {
  return new SentcError("invalid_server_response", message, options);
}

/**
 * Type guard usable across realms and bundles (checks the shape, not the prototype chain). Never throws.
 *
 * @example
 * ```ts
 * catch (e) { if (isSentcError(e) && e.code === "server" && e.serverCode === 112) askForThePasswordAgain(); }
 * ```
 */
export function isSentcError(value: unknown): value is SentcError {
  return value instanceof SentcError || (value instanceof Error && value.name === "SentcError" && "code" in value);
}

/** Reference numbers by code, for `withReference`: `{ invalid_format: 112, invalid_encoding: 112 }`. */
export type ReferenceOverrides = { readonly [C in ClientErrorCode]?: ReferenceNumber<C> };

/**
 * Re-tags an error for the operation it happened in: a `SentcError` whose code is in `overrides` and whose
 * throw site named no reference number gets that number (a copy with the same code, message, cause and stack).
 * Anything else is returned unchanged. Lets e.g. a symmetric key import report the reference's `client_112`
 * for the base64 or JSON errors of the shared parsers it calls.
 *
 * @example
 * ```ts
 * try { return importSymKey(text); } catch (e) { throw withReference(e, { invalid_encoding: 112 }); }
 * ```
 */
export function withReference(error: unknown, overrides: ReferenceOverrides): unknown {
  if (!(error instanceof SentcError) || error.hasExplicitReference || error.code === "server") return error;
  const reference: number | undefined = (overrides as Record<string, number | undefined>)[error.code];
  if (reference === undefined) return error;
  const options: SentcErrorOptions<ClientErrorCode> = { reference: reference as never };
  if (error.cause !== undefined) options.cause = error.cause;
  if (error.serverCode !== undefined) options.serverCode = error.serverCode;
  if (error.httpStatus !== undefined) options.httpStatus = error.httpStatus;
  if (error.keyChange !== undefined) options.keyChange = error.keyChange;
  const copy = new SentcError(error.code as ClientErrorCode, error.message, options);
  if (error.stack !== undefined)
    Object.defineProperty(copy, "stack", { value: error.stack, writable: true, configurable: true });
  return copy;
}

/**
 * Runs `run` and re-tags what it throws with `withReference` (synchronous operations); returns its value.
 *
 * @example
 * ```ts
 * const key = referenceScope({ invalid_format: 109, invalid_encoding: 112 }, () => parseKey(text));
 * ```
 */
export function referenceScope<T>(overrides: ReferenceOverrides, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw withReference(error, overrides);
  }
}
