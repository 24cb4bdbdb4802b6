/**
 * The REAL sentc client (sentc_wasm 0.15) against OUR server over real HTTP on 127.0.0.1: a user registered
 * with our prepareRegister logs in, initialises and refreshes its JWT through the real client, and the real
 * JWT lists the devices (the real JS SDK makes that call itself, so this test does too).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRegister } from "../../src/protocol/register.js";
import { startHarness, unique, type Harness } from "../server/harness.js";
import { loadRealSentc, type RealSentc } from "./real-sentc.js";

let h: Harness;
let real: RealSentc;

beforeAll(async () => {
  h = await startHarness();
  real = loadRealSentc().sentc;
  // Route the real client's fetch to the network for this file: it talks to our server, not the fake one.
  (globalThis as { self: { fetch: typeof fetch } }).self.fetch = (request) => fetch(request);
});

afterAll(async () => {
  await h?.close();
});

async function registerWithOurData(
  identifier: string,
  password: string,
): Promise<{ userId: string; deviceId: string }> {
  const answer = await h.call("POST", "/api/v1/register", {
    token: h.app.secretToken,
    raw: prepareRegister(identifier, password),
  });
  expect(answer.body.status).toBe(true);
  return { userId: answer.body.result.user_id, deviceId: answer.body.result.device_id };
}

describe("the real sentc_wasm client against our server", () => {
  it("logs in a user registered with our prepareRegister, then init, refresh and the device list work", async () => {
    const identifier = unique("real");
    const password = "correct horse ✓";
    const { userId, deviceId } = await registerWithOurData(identifier, password);

    const out = await real.login(h.server.baseUrl, h.app.publicToken, identifier, password);
    expect(out.get_id()).toBe(userId);
    expect(out.get_device_id()).toBe(deviceId);
    const jwt = out.get_jwt()!;
    const refreshToken = out.get_refresh_token()!;
    expect(jwt.split(".")).toHaveLength(3);
    expect(out.get_user_keys()).toHaveLength(1);

    const init = await real.init_user(h.server.baseUrl, h.app.publicToken, jwt, refreshToken);
    expect(init.get_jwt().split(".")).toHaveLength(3);

    const refreshed = await real.refresh_jwt(h.server.baseUrl, h.app.publicToken, jwt, refreshToken);
    expect(JSON.parse(Buffer.from(refreshed.split(".")[1]!, "base64url").toString()).fresh).toBe(false);

    const devices = await h.call("GET", "/api/v1/user/device/0/none", { jwt: refreshed });
    expect(devices.body.status).toBe(true);
    expect(devices.body.result.map((d: { device_id: string }) => d.device_id)).toEqual([deviceId]);
  });

  it("the real client gets the server's errors: 112 for a wrong password, the reference's 100 for an unknown user", async () => {
    const identifier = unique("real");
    await registerWithOurData(identifier, "right password");
    const wrong = await real.login(h.server.baseUrl, h.app.publicToken, identifier, "wrong password").then(
      () => "logged in",
      (error: unknown) => String(error),
    );
    const unknown = await real.login(h.server.baseUrl, h.app.publicToken, unique("nobody"), "any password").then(
      () => "logged in",
      (error: unknown) => String(error),
    );
    // The server checks the auth key at done_login. This app lets the public token call /exists, so an
    // unknown user gets the reference's 100 (which the reference client's flows expect); with /exists
    // closed to the public token it would get the same 112 as a wrong password (test/server/sessions.test.ts).
    expect(JSON.parse(wrong)).toEqual({ status: "server_112", error_message: "Wrong username or password" });
    expect(JSON.parse(unknown)).toEqual({ status: "server_100", error_message: "No user found with this identifier" });
  });
});
