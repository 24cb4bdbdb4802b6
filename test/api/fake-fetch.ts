/** A scripted stand-in for `fetch` that records every request (tests of src/api only). */
import type { FetchFn } from "../../src/api/http.js";

export const BASE = "https://api.example.test";
export const APP_TOKEN = "app-token-123";

export interface RecordedRequest {
  url: string;
  /** The URL without `BASE` (full URL for other origins). */
  path: string;
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  credentials: RequestCredentials | undefined;
  signal: AbortSignal | undefined;
}

export type Handler = (request: RecordedRequest) => Response | Promise<Response>;

/**
 * `respond` is either one handler for every request, or a list used in order (one per request; running out
 * fails the test loudly).
 */
export function fakeFetch(respond: Handler | Handler[]): { fetch: FetchFn; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const queue = Array.isArray(respond) ? [...respond] : undefined;
  const fetch: FetchFn = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : new Uint8Array(init.body as Uint8Array);
    const request: RecordedRequest = {
      url: input,
      path: input.startsWith(BASE) ? input.slice(BASE.length) : input,
      method: init.method ?? "GET",
      headers,
      body,
      credentials: init.credentials,
      signal: init.signal ?? undefined,
    };
    requests.push(request);
    const handler = queue ? queue.shift() : (respond as Handler);
    if (handler === undefined)
      throw new Error(`fake fetch: no scripted response for ${request.method} ${request.path}`);
    return handler(request);
  };
  return { fetch, requests };
}

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
}

export const ok =
  (result: unknown): Handler =>
  () =>
    json({ status: true, result });
export const serverError =
  (code: number, message: string, status = 400): Handler =>
  () =>
    json({ status: false, err_msg: message, err_code: code }, status);
export const text =
  (body: string, status = 200, contentType = "text/plain"): Handler =>
  () =>
    new Response(body, { status, headers: { "Content-Type": contentType } });

/** A fetch that never answers but rejects like the platform's when its signal aborts. */
export const hangUntilAborted: Handler = (request) =>
  new Promise<Response>((_, reject) => {
    request.signal?.addEventListener(
      "abort",
      () => reject(request.signal?.reason ?? new DOMException("aborted", "AbortError")),
      { once: true },
    );
  });

/** A fetch that never answers and ignores its signal (a broken polyfill). */
export const hangForever: Handler = () => new Promise<Response>(() => {});

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

export interface TestClaims {
  aud?: string;
  sub?: string;
  exp: number;
  iat?: number;
  fresh?: boolean;
}

/** An unsigned JWT with sentc's claims (the client never checks signatures). */
export function makeJwt(claims: TestClaims): string {
  const full = {
    aud: claims.aud ?? "user-1",
    sub: claims.sub ?? "device-1",
    exp: claims.exp,
    iat: claims.iat ?? claims.exp - 300,
    fresh: claims.fresh ?? false,
  };
  return `${base64url('{"typ":"JWT","alg":"ES384","kid":"k1"}')}.${base64url(JSON.stringify(full))}.c2ln`;
}

/** Runs `promise` to completion and returns the error it rejected with (fails if it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
