/**
 * The JWT of the logged-in device and how it is renewed (spec sdk.md §5, api.md §2.5, §3.2).
 *
 * sentc JWTs live 5 minutes. Before every authenticated request the SDK reads `exp` from the (unverified)
 * claims and refreshes when `exp <= now + 30 s`. Three strategies exist, chosen by the app:
 *
 * - `api` (default): `PUT /api/v1/refresh` with `{refresh_token}` and the old, possibly expired, JWT as Bearer.
 * - `cookie`: `GET <endpoint_url>` on the app's own backend with the old JWT as Bearer and
 *   `credentials: "include"` (no app token); the plain response text is the new JWT. The backend keeps the
 *   refresh token in an HttpOnly cookie and calls `PUT /refresh` itself.
 * - `cookie_fn`: an app function receives the old JWT and resolves to the new one.
 *
 * Unlike the reference SDK (sdk.md Appendix B 9, 10), concurrent callers share one refresh, a JWT refused by
 * the server is refreshed once and the request retried, and a new JWT is only accepted when it is a well-formed
 * JWT for the same user and device.
 */
import {
  REFERENCE_MESSAGES,
  SentcError,
  isSentcError,
  invalidFormat,
  invalidInput,
  invalidServerResponse,
} from "../errors.js";
import { decodeJwt } from "../protocol/jwt.js";
import { parseEnvelope } from "./envelope.js";
import { refreshJwt } from "./endpoints/auth.js";
import type { HttpClient, JwtProvider } from "./http.js";

/** Refresh this many seconds before `exp` (sdk.md §5). */
export const JWT_REFRESH_MARGIN_SECONDS = 30;

/** Milliseconds since the epoch, like `Date.now`. Injectable for tests. */
export type Clock = () => number;

/**
 * True when `jwt` must be refreshed before use: `exp <= now + margin` (in seconds), or the claims cannot be read.
 * @param now milliseconds since the epoch
 */
export function jwtNeedsRefresh(
  jwt: string,
  now: number = Date.now(),
  marginSeconds: number = JWT_REFRESH_MARGIN_SECONDS,
): boolean {
  let exp: number;
  try {
    exp = decodeJwt(jwt).exp;
  } catch {
    return true;
  }
  return exp <= now / 1000 + marginSeconds;
}

/**
 * sentc's `REFRESH_ENDPOINT` values (`cookie = 0`, `cookie_fn = 1`, `api = 2`). The reference declares them as a
 * `const enum` that does not exist at runtime (Appendix B 13); this is a real object.
 */
export const REFRESH_ENDPOINT = Object.freeze({ cookie: 0, cookie_fn: 1, api: 2 } as const);
/**
 * One of the `REFRESH_ENDPOINT` values: how the SDK renews the JWT (sdk.md §5).
 */
export type RefreshEndpoint = (typeof REFRESH_ENDPOINT)[keyof typeof REFRESH_ENDPOINT];

/** sentc's `RefreshOptions` (sdk.md §1.1). */
export interface RefreshOptions {
  endpoint: RefreshEndpoint;
  /** The app backend's URL for `cookie`. */
  endpoint_url?: string;
  /** The app's function for `cookie_fn`. */
  endpoint_fn?: (oldJwt: string) => Promise<string>;
}

/** A resolved refresh strategy. */
export type RefreshStrategy =
  | { kind: "api" }
  | { kind: "cookie"; url: string }
  | { kind: "cookie_fn"; refresh: (oldJwt: string) => Promise<string> };

/** Maps sentc's `RefreshOptions` (or none: `api`) to a strategy; a mode without its URL or function is `invalid_input`. */
export function refreshStrategyFromOptions(options?: RefreshOptions): RefreshStrategy {
  if (options === undefined || options.endpoint === REFRESH_ENDPOINT.api) return { kind: "api" };
  if (options.endpoint === REFRESH_ENDPOINT.cookie) {
    const url = options.endpoint_url;
    if (typeof url !== "string" || url.length === 0) throw invalidInput("refresh mode cookie needs endpoint_url");
    return { kind: "cookie", url };
  }
  if (options.endpoint === REFRESH_ENDPOINT.cookie_fn) {
    const refresh = options.endpoint_fn;
    if (typeof refresh !== "function") throw invalidInput("refresh mode cookie_fn needs endpoint_fn");
    return { kind: "cookie_fn", refresh };
  }
  // The reference's plain Error text for an unknown refresh endpoint (sdk.md §7.1).
  throw invalidInput(REFERENCE_MESSAGES.noRefreshOption);
}

/** The tokens of a session. `refreshToken` is `""` in the cookie modes (the app's backend holds it). */
export interface SessionTokens {
  jwt: string;
  refreshToken: string;
}

export interface JwtManagerOptions {
  /** Used for `PUT /refresh` and for the cookie request (its fetch and default timeout). */
  http: HttpClient;
  /** Default `{kind: "api"}`. */
  strategy?: RefreshStrategy;
  jwt: string;
  /** Required (non-empty) for `api`; ignored by the cookie modes. */
  refreshToken?: string;
  /** Default `Date.now`. */
  clock?: Clock;
  /** Default 30 s. */
  marginSeconds?: number;
  /** Awaited after each successful refresh, e.g. to persist the new JWT; its failure rejects that refresh's callers. */
  onRefresh?: (tokens: SessionTokens) => void | Promise<void>;
}

/**
 * Holds the JWT and refresh token of one logged-in device and renews the JWT with one strategy.
 *
 * Concurrency: at most one refresh runs at a time; every caller that needs a JWT meanwhile receives the same
 * promise. A failed refresh rejects all of them, leaves the old JWT and refresh token in place, and the next
 * call starts a new attempt. sentc does not rotate refresh tokens, so a refresh never changes it.
 *
 * @example
 * const jwt = new JwtManager({ http, jwt: login.jwt, refreshToken: login.refresh_token });
 * const devices = await getDevices(http, jwt); // refreshes first when the JWT is about to expire
 */
export class JwtManager implements JwtProvider {
  readonly #http: HttpClient;
  readonly #strategy: RefreshStrategy;
  readonly #clock: Clock;
  readonly #marginSeconds: number;
  readonly #onRefresh: ((tokens: SessionTokens) => void | Promise<void>) | undefined;
  #jwt: string;
  #refreshToken: string;
  #inFlight: Promise<string> | null = null;
  /** Bumped by `setTokens`, so a refresh started for the previous session does not overwrite the new one. */
  #generation = 0;

  constructor(options: JwtManagerOptions) {
    this.#http = options.http;
    this.#strategy = options.strategy ?? { kind: "api" };
    this.#clock = options.clock ?? Date.now;
    this.#marginSeconds = options.marginSeconds ?? JWT_REFRESH_MARGIN_SECONDS;
    this.#onRefresh = options.onRefresh;
    if (!Number.isFinite(this.#marginSeconds) || this.#marginSeconds < 0)
      throw invalidInput("marginSeconds must be ≥ 0");
    decodeJwt(options.jwt);
    this.#jwt = options.jwt;
    this.#refreshToken = this.#checkRefreshToken(options.refreshToken ?? "");
  }

  #checkRefreshToken(refreshToken: string): string {
    if (typeof refreshToken !== "string") throw invalidInput("the refresh token must be a string");
    if (this.#strategy.kind === "api" && refreshToken.length === 0)
      throw invalidInput("refresh mode api needs the refresh token");
    return refreshToken;
  }

  get jwt(): string {
    return this.#jwt;
  }

  get refreshToken(): string {
    return this.#refreshToken;
  }

  get strategy(): RefreshStrategy["kind"] {
    return this.#strategy.kind;
  }

  /** True while a refresh is running. */
  get refreshing(): boolean {
    return this.#inFlight !== null;
  }

  /** True when the current JWT expires within the margin (by the injected clock). */
  needsRefresh(): boolean {
    return jwtNeedsRefresh(this.#jwt, this.#clock(), this.#marginSeconds);
  }

  /** A JWT valid for at least the margin: the current one, or a refreshed one (joining a running refresh). */
  getJwt(): Promise<string> {
    if (this.#inFlight !== null) return this.#inFlight;
    if (!this.needsRefresh()) return Promise.resolve(this.#jwt);
    return this.refresh();
  }

  /** Refreshes now, whatever the expiry; joins the running refresh if there is one. */
  refresh(): Promise<string> {
    if (this.#inFlight !== null) return this.#inFlight;
    const attempt = this.#run();
    this.#inFlight = attempt;
    const settle = () => {
      if (this.#inFlight === attempt) this.#inFlight = null;
    };
    // Registered before any caller can await `attempt`, so a caller that retries after a failure starts anew.
    attempt.then(settle, settle);
    return attempt;
  }

  /**
   * For the HTTP layer after the server refused `rejectedJwt` (401, code 30/31): refreshes unless another
   * caller already replaced that JWT, so a burst of refused requests causes one refresh.
   */
  refreshAfterRejection(rejectedJwt: string): Promise<string> {
    if (this.#inFlight !== null) return this.#inFlight;
    if (this.#jwt !== rejectedJwt) return Promise.resolve(this.#jwt);
    return this.refresh();
  }

  /** Replaces the session's tokens (login, `POST /init`); the JWT must be well-formed. Keeps the refresh token when omitted. */
  setTokens(tokens: { jwt: string; refreshToken?: string }): void {
    decodeJwt(tokens.jwt);
    const refreshToken =
      tokens.refreshToken === undefined ? this.#refreshToken : this.#checkRefreshToken(tokens.refreshToken);
    this.#jwt = tokens.jwt;
    this.#refreshToken = refreshToken;
    this.#generation += 1;
  }

  async #run(): Promise<string> {
    const generation = this.#generation;
    const oldJwt = this.#jwt;
    const newJwt = await this.#fetchNewJwt(oldJwt);
    checkRefreshedJwt(oldJwt, newJwt);
    if (generation !== this.#generation) return this.#jwt;
    this.#jwt = newJwt;
    await this.#onRefresh?.({ jwt: newJwt, refreshToken: this.#refreshToken });
    return newJwt;
  }

  async #fetchNewJwt(oldJwt: string): Promise<string> {
    const strategy = this.#strategy;
    switch (strategy.kind) {
      case "api":
        return (await refreshJwt(this.#http, oldJwt, this.#refreshToken)).jwt;
      case "cookie":
        return this.#cookieRefresh(strategy.url, oldJwt);
      case "cookie_fn":
        return functionRefresh(strategy.refresh, oldJwt);
    }
  }

  async #cookieRefresh(url: string, oldJwt: string): Promise<string> {
    // No app token: this goes to the app's backend, which answers the bare JWT.
    const response = await this.#http.send(url, {
      method: "GET",
      credentials: "include",
      headers: { Authorization: `Bearer ${oldJwt}` },
    });
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(response.body);
    } catch (cause) {
      throw invalidServerResponse("the refresh endpoint answered a body that is not UTF-8", {
        httpStatus: response.status,
        cause,
      });
    }
    if (response.status < 200 || response.status >= 300) {
      // A backend that passes sentc's error envelope through (e.g. 114 "Refresh token not found") keeps its code.
      try {
        parseEnvelope(text, response.status);
      } catch (error) {
        if (isSentcError(error) && error.code === "server") throw error;
      }
      throw new SentcError("refresh_failed", `the refresh endpoint answered HTTP ${response.status}`, {
        httpStatus: response.status,
      });
    }
    return text.trim();
  }
}

async function functionRefresh(refresh: (oldJwt: string) => Promise<string>, oldJwt: string): Promise<string> {
  let value: unknown;
  try {
    value = await refresh(oldJwt);
  } catch (cause) {
    if (isSentcError(cause)) throw cause;
    throw new SentcError("refresh_failed", "the app's refresh function failed", { cause });
  }
  if (typeof value !== "string")
    throw new SentcError("refresh_failed", "the app's refresh function did not resolve to a string");
  return value;
}

/** Three non-empty base64url parts; `decodeJwt` only reads the middle one. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Checks a JWT the server (or the app's refresh endpoint) answered for a session: it must be a well-formed sentc JWT
 * for the same user (`aud`) and device (`sub`) as the old one. Used for every refresh and for `POST /init`.
 * @throws {SentcError} `invalid_server_response` (reference `client_1100`) for a malformed JWT or one of another user
 * or device.
 * @example
 * checkRefreshedJwt(user.user_data.jwt, init.jwt); // before the new JWT is kept
 */
export function checkRefreshedJwt(oldJwt: string, newJwt: string): void {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    if (!JWT_SHAPE.test(newJwt)) throw invalidFormat("jwt: expected three base64url parts", { reference: 1100 });
    claims = decodeJwt(newJwt);
  } catch (cause) {
    throw invalidServerResponse("the refreshed JWT is not a well-formed sentc JWT", {
      cause,
      reference: 1100,
    });
  }
  const old = decodeJwt(oldJwt);
  if (claims.aud !== old.aud || claims.sub !== old.sub) {
    throw invalidServerResponse("the refreshed JWT belongs to another user or device", {
      reference: 1100,
    });
  }
}
