/**
 * SDK tests run against the project's server in-process over real HTTP (test/server/harness.ts), with two apps:
 * `lax` lets the public token register and delete users; `strict` has sentc's defaults (secret token needed).
 */
import { type ServerConfig, defaultAppOptions } from "../../server/config.js";
import { Sentc, SentcError, type SentcOptions, type SentcInternalOptions, type User } from "../../src/index.js";
import { makeApp, startHarness, unique, type Harness, type TestApp } from "../server/harness.js";

export interface SdkHarness {
  h: Harness;
  baseUrl: string;
  lax: TestApp;
  strict: TestApp;
}

export async function startSdkHarness(): Promise<SdkHarness> {
  const lax = makeApp({ options: { ...defaultAppOptions(), user_register: 1, user_delete: 1 } });
  const strict = makeApp();
  const h = await startHarness({ apps: [lax.config, strict.config] as unknown as ServerConfig["apps"] });
  return { h, baseUrl: h.server.baseUrl, lax: lax.app, strict: strict.app };
}

/** Like a page load: forgets the SDK's in-memory state and runs `init` again (stored data stays). */
export async function reinit(
  s: SdkHarness,
  options: Partial<SentcOptions> & SentcInternalOptions = {},
  app: TestApp = s.lax,
): Promise<User | undefined> {
  Sentc.reset();
  return Sentc.init({ base_url: s.baseUrl, app_token: app.publicToken, ...options });
}

/** Registers (lax app, public token) and logs in; the returned user is the SDK's current user. */
export async function newUser(
  password = `pw-${unique()}`,
): Promise<{ user: User; identifier: string; password: string; userId: string }> {
  const identifier = unique();
  const userId = await Sentc.register(identifier, password);
  const user = await Sentc.login(identifier, password, true);
  return { user, identifier, password, userId };
}

/** Awaits `promise` and returns the SentcError it rejects with (fails the test when it resolves or throws another error). */
export async function sentcError(promise: Promise<unknown> | (() => unknown)): Promise<SentcError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof SentcError) return error;
    throw new Error(`expected a SentcError, got ${String(error)}`);
  }
  throw new Error("expected a SentcError, but it succeeded");
}

/** A fetch that records "METHOD path" of every request. */
export function recordingFetch(log: string[]) {
  return (input: string, init: RequestInit) => {
    log.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
    return fetch(input, init);
  };
}
