/**
 * The failed-login limit (docs/server.md "Failed logins"): per client address and per identifier, in the store,
 * with known-good clients exempt from their identifier's limit, bounded by time and shared by server processes.
 * Clients are told apart by `X-Forwarded-For` (the servers here trust the proxy header).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginLimiter } from "../../server/services/rate-limit.js";
import { toBase64 } from "../../src/protocol/encoding.js";
import { doneLogin, prepareLogin, prepareVerifyLogin } from "../../src/protocol/login.js";
import { expectError, type Harness, registerUser, startHarness, unique } from "./harness.js";

const V = "/api/v1";
const LIMIT = { max_failures: 3, window_seconds: 60, client_max_failures: 6 };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ login_rate_limit: LIMIT }, { server: { trustProxy: true } });
});
afterAll(() => h.close());

function from(client: string): Record<string, string> {
  return { "x-forwarded-for": client };
}

/** The full login from `client`; the error code of the first refused step, or "ok". */
async function loginFrom(server: Harness, identifier: string, password: string, client: string) {
  const headers = from(client);
  const salt = await server.call("POST", `${V}/prepare_login`, { body: { user_identifier: identifier }, headers });
  const start = prepareLogin(identifier, password, salt.body.result);
  const done = await server.call("POST", `${V}/done_login`, { raw: start.doneLoginInput, headers });
  if (!done.body.status) return done.body.err_code;
  const result = doneLogin(start.masterKeyEncryptionKey, done.body.result);
  if (result.kind !== "direct") throw new Error("unexpected MFA");
  const verify = await server.call("POST", `${V}/verify_login`, {
    raw: prepareVerifyLogin(start.authKey, identifier, result.challenge),
    headers,
  });
  return verify.body.status ? "ok" : verify.body.err_code;
}

function wrongPassword(identifier: string) {
  return { auth_key: toBase64(new Uint8Array(32).fill(9)), device_identifier: identifier };
}

describe("failed-login limit", () => {
  it("an identifier locked by another client still lets its known-good client in", async () => {
    const victim = await registerUser(h);
    expect(await loginFrom(h, victim.identifier, victim.password, "10.0.0.1")).toBe("ok");
    const attacker = "10.0.1.66";
    for (let i = 0; i < 3; i++)
      expectError(
        await h.call("POST", `${V}/done_login`, { body: wrongPassword(victim.identifier), headers: from(attacker) }),
        401,
        112,
      );
    expectError(
      await h.call("POST", `${V}/done_login`, { body: wrongPassword(victim.identifier), headers: from(attacker) }),
      429,
      118,
    );
    // The victim's own client: a correct password works; a client the identifier never logged in from is refused.
    expect(await loginFrom(h, victim.identifier, victim.password, "10.0.0.1")).toBe("ok");
    expect(await loginFrom(h, victim.identifier, victim.password, "10.0.0.2")).toBe(118);
    // A known-good client with a wrong password still counts and is still answered 401 (no guessing oracle).
    expectError(
      await h.call("POST", `${V}/done_login`, { body: wrongPassword(victim.identifier), headers: from("10.0.0.1") }),
      401,
      112,
    );
  });

  it("limits a flooding client per address, on every identifier, and leaves other clients alone", async () => {
    const flooder = "10.0.2.77";
    for (let i = 0; i < 6; i++)
      expectError(
        await h.call("POST", `${V}/done_login`, { body: wrongPassword(unique("nobody")), headers: from(flooder) }),
        401,
        100,
      );
    const user = await registerUser(h);
    expect(await loginFrom(h, user.identifier, user.password, flooder)).toBe(118);
    expect(await loginFrom(h, user.identifier, user.password, "10.0.2.78")).toBe("ok");
    h.clock.offsetMs = 61_000;
    try {
      expect(await loginFrom(h, user.identifier, user.password, flooder)).toBe("ok");
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("failures on thousands of random identifiers neither reset a victim's counter nor grow without bound", async () => {
    const store = h.server.store;
    let now = Date.now() + 10 * 86_400_000;
    // A client limit of 0 (off) so that one client can flood; the identifier limit as above.
    const limiter = new LoginLimiter(store, { max_failures: 3, window_seconds: 60, client_max_failures: 0 }, () => now);
    const appId = h.app.id;
    const victim = unique("victim");
    for (let i = 0; i < 3; i++) await limiter.recordFailure(appId, victim, "10.0.3.1");
    await expect(limiter.check(appId, victim, "10.0.3.1")).rejects.toMatchObject({ code: 118 });
    const before = (await store.countLoginLimitRows()).failures;
    for (let i = 0; i < 2_100; i++) await limiter.recordFailure(appId, unique("flood"), "10.0.3.2");
    expect((await store.countLoginLimitRows()).failures).toBeGreaterThanOrEqual(before + 2_100);
    await expect(limiter.check(appId, victim, "10.0.3.1")).rejects.toMatchObject({ code: 118 });
    // Once the window is over the counters are deleted at the next failure: the table shrinks back.
    now += 61_000 + 60_000;
    await limiter.recordFailure(appId, victim, "10.0.3.1");
    expect((await store.countLoginLimitRows()).failures).toBeLessThan(before + 10);
    await expect(limiter.check(appId, victim, "10.0.3.1")).resolves.toBeUndefined();
  }, 120_000);

  it("forgets known-good clients after known_client_days", async () => {
    const store = h.server.store;
    let now = Date.now() + 20 * 86_400_000;
    const limiter = new LoginLimiter(store, { ...LIMIT, known_client_days: 1 }, () => now);
    const id = unique("known");
    await limiter.recordSuccess(h.app.id, id, "10.0.4.1");
    for (let i = 0; i < 3; i++) await limiter.recordFailure(h.app.id, id, "10.0.4.9");
    await expect(limiter.check(h.app.id, id, "10.0.4.1")).resolves.toBeUndefined();
    now += 86_400_000 + 1;
    for (let i = 0; i < 3; i++) await limiter.recordFailure(h.app.id, id, "10.0.4.9");
    await expect(limiter.check(h.app.id, id, "10.0.4.1")).rejects.toMatchObject({ code: 118 });
    expect(await store.isKnownLoginClient(h.app.id, id, "10.0.4.1", 0)).toBe(false);
  });
});

describe("two server instances on one database", () => {
  let dir: string;
  let first: Harness & { apps: NonNullable<Parameters<typeof startHarness>[1]>["apps"] };
  let second: Harness;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentc-limiter-"));
    const dbPath = join(dir, "shared.sqlite");
    first = await startHarness({ login_rate_limit: LIMIT }, { dbPath, server: { trustProxy: true } });
    second = await startHarness(
      { login_rate_limit: LIMIT },
      { dbPath, apps: first.apps, server: { trustProxy: true } },
    );
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("share the counters: failures on one instance lock the identifier on the other", async () => {
    const user = await registerUser(first);
    const attacker = "10.0.5.66";
    expectError(
      await first.call("POST", `${V}/done_login`, { body: wrongPassword(user.identifier), headers: from(attacker) }),
      401,
      112,
    );
    expectError(
      await second.call("POST", `${V}/done_login`, { body: wrongPassword(user.identifier), headers: from(attacker) }),
      401,
      112,
    );
    expectError(
      await first.call("POST", `${V}/done_login`, { body: wrongPassword(user.identifier), headers: from(attacker) }),
      401,
      112,
    );
    expectError(
      await second.call("POST", `${V}/done_login`, { body: wrongPassword(user.identifier), headers: from(attacker) }),
      429,
      118,
    );
    expect(await loginFrom(second, user.identifier, user.password, "10.0.5.1")).toBe(118);
  });
});
