/**
 * A harness around the REAL sentc client, the npm package `sentc_wasm@0.15.0` (AGPL: used from tests and
 * benchmarks only, never bundled). It is loaded once per process.
 *
 * The package is built for browsers: every HTTP call goes through `web_sys::window()`, which wants the global
 * `self` to be an instance of a global `Window` class with a `fetch`, and `getrandom` takes `crypto` from the
 * same object. `loadRealSentc()` installs such a fake window whose `fetch` is answered by a programmable fake
 * sentc-api: a queue of handlers, one per expected request, in order.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** The real package's API, typed by its own declaration file. */
export type RealSentc = typeof import("sentc_wasm");

export const BASE_URL = "http://sentc.fake";
export const APP_TOKEN = "app_token_for_interop";
export const JWT = "jwt_for_interop";

/** One request the real client sent to the fake server. */
export interface FakeRequest {
  method: string;
  /** The URL without BASE_URL, e.g. `/api/v1/prepare_login`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  bodyBytes: Uint8Array;
}

/** Answers one request: a string (sent verbatim), bytes (sent as a binary body) or a value (sent as JSON). */
export type Handler = (request: FakeRequest) => unknown;

/** The sentc-api success envelope: `{"status":true,"result":…}`. */
export const ok = (result: unknown): string => JSON.stringify({ status: true, result });

export class FakeServer {
  private handlers: Handler[] = [];
  private requests: FakeRequest[] = [];
  private failures: unknown[] = [];

  /** Queues the handlers for the next requests, in order, and clears the log. */
  serve(...handlers: Handler[]): void {
    this.handlers = handlers.slice();
    this.requests = [];
    this.failures = [];
  }

  /**
   * Returns what the real client sent since `serve`. Throws when a handler failed (its error is what the
   * client saw as a network error) or when a queued handler was not used.
   */
  take(): FakeRequest[] {
    const requests = this.requests;
    const failures = this.failures;
    const unused = this.handlers.length;
    this.requests = [];
    this.failures = [];
    this.handlers = [];
    if (failures.length > 0)
      throw new Error(`fake server: a handler failed: ${String(failures[0])}`, { cause: failures[0] });
    if (unused > 0) throw new Error(`fake server: ${unused} handler(s) not used`);
    return requests;
  }

  /** The `fetch` of the fake window. */
  async fetch(request: Request): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    const bodyBytes = new Uint8Array(await request.arrayBuffer());
    const entry: FakeRequest = {
      method: request.method,
      path: request.url.startsWith(BASE_URL) ? request.url.slice(BASE_URL.length) : request.url,
      headers,
      body: Buffer.from(bodyBytes).toString("utf8"),
      bodyBytes,
    };
    this.requests.push(entry);
    const handler = this.handlers.shift();
    if (!handler) {
      const error = new Error(`fake server: unexpected request ${entry.method} ${entry.path}`);
      this.failures.push(error);
      throw error;
    }
    let answer: unknown;
    try {
      answer = await handler(entry);
    } catch (error) {
      this.failures.push(error);
      throw error;
    }
    if (answer instanceof Uint8Array) return new Response(new Uint8Array(answer), { status: 200 });
    return new Response(typeof answer === "string" ? answer : JSON.stringify(answer), { status: 200 });
  }
}

let loaded: { sentc: RealSentc; server: FakeServer } | undefined;

/** Installs the fake browser globals and initialises the real package (once per process). */
export function loadRealSentc(): { sentc: RealSentc; server: FakeServer } {
  if (loaded) return loaded;
  const server = new FakeServer();
  class Window {}
  const fakeWindow = new Window() as Record<string, unknown>;
  fakeWindow.self = fakeWindow;
  fakeWindow.window = fakeWindow;
  fakeWindow.crypto = globalThis.crypto;
  fakeWindow.fetch = (request: Request) => server.fetch(request);
  const globals = globalThis as Record<string, unknown>;
  globals.Window = Window;
  globals.self = fakeWindow;

  const require = createRequire(import.meta.url);
  const sentc = require("sentc_wasm") as RealSentc;
  sentc.initSync(readFileSync(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));
  loaded = { sentc, server };
  return loaded;
}

/**
 * Runs a real HTTP-driven function against the queued handlers and returns its result and the requests it
 * made. Real client errors are JSON strings (`{"status":"client_14",…}`); they are rethrown as `Error`s.
 */
export async function withServer<T>(
  server: FakeServer,
  handlers: Handler[],
  call: () => Promise<T>,
): Promise<{ result: T; requests: FakeRequest[] }> {
  server.serve(...handlers);
  let result: T;
  try {
    result = await call();
  } catch (error) {
    let detail = "";
    try {
      server.take();
    } catch (serverError) {
      detail = ` (${String(serverError)})`;
    }
    throw new Error(`real sentc call failed: ${typeof error === "string" ? error : String(error)}${detail}`, {
      cause: error,
    });
  }
  return { result, requests: server.take() };
}

/** Calls a synchronous real function; real errors (JSON strings) become `Error`s with the string as message. */
export function real<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new Error(typeof error === "string" ? error : String(error), { cause: error });
  }
}

/** The `status` code of a real client error (`client_14`, …), or "no error". */
export function realErrorCode(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    const text = typeof error === "string" ? error : error instanceof Error ? error.message : String(error);
    try {
      return String((JSON.parse(text) as { status?: unknown }).status);
    } catch {
      return text;
    }
  }
  return "no error";
}

/** A hand-made classical key set of the vectors (K1, K2): the export strings the real package takes. */
export interface VectorKeys {
  raw: Record<string, string>;
  ids: { sym: string; ecies: string; sign: string; hmac: string; ope: string };
  exported: {
    sym_key: string;
    private_key: string;
    public_key: string;
    sign_key: string;
    verify_key: string;
    hmac_key: string;
    sortable_key: string;
    user_public_key_data: string;
    user_verify_key_data: string;
  };
}

/** sentc-api's salt (auth_service.rs): SHA256(("sentc" ‖ addStr) right-padded with 'P' to 200 bytes ‖ crv). */
export function serverSalt(clientRandomValueB64: string, addStr = ""): string {
  let prefix = Buffer.from(`sentc${addStr}`, "utf8");
  if (prefix.length < 200) prefix = Buffer.concat([prefix, Buffer.alloc(200 - prefix.length, "P")]);
  return createHash("sha256").update(prefix).update(Buffer.from(clientRandomValueB64, "base64")).digest("base64");
}
