/**
 * The SDK's HTTP layer: a small wrapper over `fetch` for sentc's API (spec api.md §1, sdk.md §0 "Conventions").
 *
 * Every API request goes to `<baseUrl>/api/v1<path>` with `x-sentc-app-token`; it adds
 * `Authorization: Bearer <jwt>` when a JWT is given, `x-sentc-group-access-id` when a group is accessed through
 * a connected group, and `Content-Type: application/json` for JSON bodies. File parts travel as raw bytes.
 *
 * Failures are always a `SentcError`: `network_error` (retryable) when `fetch` rejects or the body cannot be
 * read, `timeout` (retryable) when the request outlives its timeout, `aborted` when the caller's signal fires,
 * and from the envelope `server` or `invalid_server_response` (see envelope.ts).
 */
import { nonEmptyString } from "../protocol/json.js";
import { SentcError, invalidInput } from "../errors.js";
import { createDeviceProof, DEVICE_PROOF_HEADER } from "../protocol/device-proof.js";
import type { SignKey } from "../protocol/keys.js";
import { binaryDownloadError, readEnvelope } from "./envelope.js";

/** The part of `fetch` the SDK uses; inject your own (tests, polyfills, instrumentation). */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Where the API lives and how to call it. */
export interface HttpClientOptions {
  /** The API origin, e.g. `https://api.sentc.com` (a trailing slash is dropped). */
  baseUrl: string;
  /** The app's public (or, on a backend, secret) token, sent as `x-sentc-app-token`. */
  appToken: string;
  /** Default: `globalThis.fetch`, looked up at call time. */
  fetch?: FetchFn;
  /** Default timeout in milliseconds for every request; none when omitted. */
  timeoutMs?: number;
}

/** Something that hands out a valid JWT, refreshing it first when needed (see jwt.ts `JwtManager`). */
export interface JwtProvider {
  getJwt(): Promise<string>;
  /**
   * Called at most once per request when the server rejected `rejectedJwt` as invalid or expired (HTTP 401
   * with code 30/31); resolves to the JWT to retry with.
   */
  refreshAfterRejection?(rejectedJwt: string): Promise<string>;
}

/** A JWT as a string (e.g. a fresh JWT from a re-login) or a provider. */
export type JwtInput = string | JwtProvider;

/** Per-request options. */
export interface RequestOptions {
  /** The caller's cancellation; aborting rejects with `aborted`. */
  signal?: AbortSignal;
  /** Overrides the client's default timeout for this request. */
  timeoutMs?: number;
  /** `x-sentc-group-access-id`: access the group as this member (connected) group. */
  groupAccessId?: string;
  /**
   * Signs the request with this device sign key (`x-sentc-device-signature`, src/protocol/device-proof.ts):
   * the proof this project's server asks for on device registration, `reset_pw`, identifier changes and user
   * key rotation. Servers that do not know the header ignore it.
   */
  deviceSignKey?: SignKey;
}

/** A fully read response. */
export interface RawResponse {
  status: number;
  body: Uint8Array;
}

/** The transport knobs of one exchange. */
export interface ExchangeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** sentc codes for a JWT that the middleware refused (api.md §2.5.3): 30 invalid/expired, 31 invalid (cached). */
const JWT_REJECTED_CODES: ReadonlySet<number> = new Set([30, 31]);

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    throw invalidInput("timeoutMs must be a positive number of milliseconds");
  }
}

/** Strips query and fragment so error messages never echo more than the endpoint. */
function describe(method: string, url: string): string {
  const end = url.search(/[?#]/);
  return `${method} ${end === -1 ? url : url.slice(0, end)}`;
}

/**
 * Sends one request and reads the whole body, all inside the timeout. The timeout and the caller's signal abort
 * the underlying fetch and also win a race against it, so a `fetch` that ignores its signal cannot hang the SDK.
 */
export async function exchange(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit,
  options: ExchangeOptions = {},
): Promise<RawResponse> {
  const { signal, timeoutMs } = options;
  checkTimeout(timeoutMs);
  const what = describe(init.method ?? "GET", url);
  if (signal?.aborted)
    throw new SentcError("aborted", `${what} was aborted before it was sent`, { cause: signal.reason });

  const controller = new AbortController();
  let reason: "timeout" | "aborted" | undefined;
  let rejectStop: (error: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    rejectStop = reject;
  });
  // A rejection that loses the race must not surface as unhandled.
  stopped.catch(() => {});
  const stop = (why: "timeout" | "aborted", cause: unknown) => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort(cause);
    rejectStop(cause);
  };
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop("timeout", new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => stop("aborted", signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });

  try {
    return await Promise.race([
      (async () => {
        const response = await fetchFn(url, { ...init, signal: controller.signal });
        const body = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, body };
      })(),
      stopped,
    ]);
  } catch (cause) {
    if (reason === "timeout")
      throw new SentcError("timeout", `${what} did not complete within ${timeoutMs} ms`, { cause });
    if (reason === "aborted") throw new SentcError("aborted", `${what} was aborted`, { cause });
    throw new SentcError("network_error", `${what} failed: the request could not be sent or its answer not read`, {
      cause,
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** `encodeURIComponent` for one path segment; an empty or non-string segment is `invalid_input`. */
export function pathSegment(value: string, what: string): string {
  return encodeURIComponent(nonEmptyString(value, what));
}

/** An item of a paged list: the cursor is the time and id of the last item fetched (api.md §1.7). */
export interface PageCursor {
  /** Milliseconds since the epoch; `0` (or no cursor) fetches the first page. */
  time: number | string;
  id: string;
}

/** `/<time>/<id>` for the next page after `last` (sdk.md §0: `/<last.time ?? "0">/<last.id ?? "none">`). */
export function pagePath(last: PageCursor | null | undefined): string {
  if (last === null || last === undefined) return "/0/none";
  const time =
    typeof last.time === "number"
      ? Number.isSafeInteger(last.time) && last.time >= 0
        ? String(last.time)
        : ""
      : last.time;
  if (!/^\d+$/.test(time)) throw invalidInput("a page cursor time must be a non-negative integer");
  return `/${time}/${pathSegment(last.id, "a page cursor id")}`;
}

/**
 * The HTTP client bound to one API origin and app token.
 *
 * @example
 * const http = new HttpClient({ baseUrl: "https://api.sentc.com", appToken: "…" });
 * const result = await http.requestJson("POST", "/exists", '{"user_identifier":"alice"}');
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly appToken: string;
  readonly timeoutMs: number | undefined;
  readonly #fetch: FetchFn | undefined;

  constructor(options: HttpClientOptions) {
    if (typeof options.baseUrl !== "string" || !/^https?:\/\/[^/]/i.test(options.baseUrl)) {
      throw invalidInput("baseUrl must be an http(s) URL");
    }
    nonEmptyString(options.appToken, "appToken");
    checkTimeout(options.timeoutMs);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.appToken = options.appToken;
    this.timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch;
  }

  /** `<baseUrl>/api/v1<path>`; `path` starts with `/`. */
  apiUrl(path: string): string {
    if (!path.startsWith("/")) throw invalidInput("an API path must start with /");
    return `${this.baseUrl}/api/v1${path}`;
  }

  /** The injected fetch, else the global one at call time (so tests and polyfills installed later work). */
  get fetchFn(): FetchFn {
    if (this.#fetch !== undefined) return this.#fetch;
    const globalFetch = globalThis.fetch;
    if (typeof globalFetch !== "function")
      throw new SentcError("unsupported_environment", "no fetch: pass options.fetch", { reference: 1000 });
    return (input, init) => globalFetch(input, init);
  }

  /** One exchange with this client's fetch and default timeout (used by the refresh strategies too). */
  send(url: string, init: RequestInit, options: ExchangeOptions = {}): Promise<RawResponse> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return exchange(this.fetchFn, url, init, { signal: options.signal, timeoutMs });
  }

  #headers(jwt: string | undefined, options: RequestOptions, contentType: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { "x-sentc-app-token": this.appToken };
    if (contentType !== undefined) headers["Content-Type"] = contentType;
    if (jwt !== undefined) headers.Authorization = `Bearer ${jwt}`;
    if (options.groupAccessId !== undefined) headers["x-sentc-group-access-id"] = options.groupAccessId;
    return headers;
  }

  /**
   * Runs `attempt` with the resolved JWT; when a provider's JWT is refused by the server (401, code 30/31) it
   * asks the provider once for a replacement and tries again. Plain string JWTs are never retried.
   */
  async #withJwt<T>(jwt: JwtInput | undefined, attempt: (jwt: string | undefined) => Promise<T>): Promise<T> {
    if (jwt === undefined || typeof jwt === "string") return attempt(jwt);
    const first = await jwt.getJwt();
    try {
      return await attempt(first);
    } catch (error) {
      const refused =
        error instanceof SentcError &&
        error.code === "server" &&
        error.httpStatus === 401 &&
        error.serverCode !== undefined &&
        JWT_REJECTED_CODES.has(error.serverCode);
      if (!refused || jwt.refreshAfterRejection === undefined) throw error;
      return attempt(await jwt.refreshAfterRejection(first));
    }
  }

  /**
   * A JSON request to `/api/v1<path>`; resolves to the envelope's `result`.
   * @param body JSON text (as produced by src/protocol) or a value to stringify; omitted for no body.
   */
  requestJson(
    method: HttpMethod,
    path: string,
    body?: string | object,
    jwt?: JwtInput,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const url = this.apiUrl(path);
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return this.#withJwt(jwt, async (token) => {
      const init: RequestInit = {
        method,
        headers: this.#headers(token, options, text === undefined ? undefined : "application/json"),
      };
      if (text !== undefined) init.body = text;
      if (options.deviceSignKey !== undefined) {
        const bodyBytes = new TextEncoder().encode(text ?? "");
        const proof = createDeviceProof(
          options.deviceSignKey,
          method,
          new URL(url).pathname,
          Math.floor(Date.now() / 1000),
          bodyBytes,
        );
        (init.headers as Record<string, string>)[DEVICE_PROOF_HEADER] = proof;
      }
      const response = await this.send(url, init, options);
      return readEnvelope(response.body, response.status);
    });
  }

  /**
   * Uploads raw bytes (a file part) to a full URL (the API's `/api/v1/file/part/…` or the app's `file_part_url`);
   * resolves to the envelope's `result`. A `Blob` body is sent by reference: browsers neither copy it into the
   * request message nor hand it to an attached DevTools client (see docs/performance.md).
   */
  uploadBytes(
    method: "POST" | "PUT" | "PATCH",
    url: string,
    bytes: Uint8Array | Blob,
    jwt?: JwtInput,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const isBlob = typeof Blob !== "undefined" && bytes instanceof Blob;
    if (!isBlob && !(bytes instanceof Uint8Array)) throw invalidInput("a file part must be a Uint8Array or a Blob");
    return this.#withJwt(jwt, async (token) => {
      // fetch refuses views of a SharedArrayBuffer; copy only in that case.
      const body =
        bytes instanceof Uint8Array && !(bytes.buffer instanceof ArrayBuffer)
          ? new Uint8Array(bytes)
          : (bytes as Uint8Array<ArrayBuffer> | Blob);
      const init: RequestInit = { method, headers: this.#headers(token, options, "application/octet-stream"), body };
      const response = await this.send(url, init, options);
      return readEnvelope(response.body, response.status);
    });
  }

  /**
   * Downloads raw bytes (a file part) from a full URL. A status ≥ 400 means the body is an error envelope
   * (sdk.md §7.1); it becomes `server` (or `invalid_server_response` when the body is not an envelope).
   */
  async downloadBytes(url: string, jwt?: JwtInput, options: RequestOptions = {}): Promise<Uint8Array> {
    return this.#withJwt(jwt, async (token) => {
      const response = await this.send(
        url,
        { method: "GET", headers: this.#headers(token, options, undefined) },
        options,
      );
      if (response.status >= 400) throw binaryDownloadError(response.body, response.status);
      return response.body;
    });
  }
}
