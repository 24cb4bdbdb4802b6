/**
 * Post-quantum end to end (the hybrid keys the real sentc makes): a user registered by the REAL sentc client
 * (sentc_wasm 0.15) against OUR server logs in with OUR SDK, reads a group the real client created and the data
 * it encrypted and signed there (Kyber768 + X25519 group keys, Dilithium3 + Ed25519 signatures), and writes data
 * the real client reads back and verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc } from "../../src/index.js";
import { unique } from "../server/harness.js";
import { startGroupHarness, type GroupHarness } from "../sdk/group-helpers.js";
import { loadRealSentc, type RealSentc } from "./real-sentc.js";

let g: GroupHarness;
let real: RealSentc;

beforeAll(async () => {
  g = await startGroupHarness();
  real = loadRealSentc().sentc;
  (globalThis as { self: { fetch: typeof fetch } }).self.fetch = (request) => fetch(request);
});

afterAll(async () => {
  await g?.h.close();
});

async function realCall(method: string, path: string, jwt: string): Promise<string> {
  const response = await fetch(`${g.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      "x-sentc-app-token": g.app.publicToken,
      Authorization: `Bearer ${jwt}`,
      "Content-Type": "application/json",
    },
  });
  return response.text();
}

type RealKey = Record<string, string>;

describe("a user of the REAL sentc client, with its hybrid keys, on our server and our SDK", () => {
  it("registers with the real client, logs in with our SDK, and both read each other's group data", async () => {
    const identifier = unique("real-user");
    const password = "real password ✓";
    const userId = await real.register(g.baseUrl, g.app.publicToken, identifier, password);

    // The real client: log in, create a signed group for its own (hybrid) user key, encrypt signed data for it.
    const login = await real.login(g.baseUrl, g.app.publicToken, identifier, password);
    const jwt = login.get_jwt()!;
    const userKey = (login.get_user_keys() as RealKey[])[0]!;
    expect(Object.keys(JSON.parse(userKey.private_key!))[0]).toBe("EciesKyberHybrid");
    expect(Object.keys(JSON.parse(userKey.sign_key!))[0]).toBe("Ed25519DilithiumHybrid");
    const groupId = await real.group_create_group(
      g.baseUrl,
      g.app.publicToken,
      jwt,
      userKey.public_key!,
      undefined,
      userKey.sign_key!,
      userId,
    );
    const groupOut = real.group_extract_group_data(await realCall("GET", `/group/${groupId}`, jwt));
    const entry = (groupOut.get_keys() as RealKey[])[0]!;
    const groupKey = real
      .group_decrypt_key(userKey.private_key!, entry.key_data!, userKey.exported_verify_key!)
      .get_group_key();
    const written = real.encrypt_string_symmetric(groupKey, "written by the real client ✓", userKey.sign_key!);

    // Our SDK: the same account logs in; the device and user keys the real client made are hybrid.
    const user = await Sentc.login(identifier, password, true);
    expect(user.user_data.user_id).toBe(userId);
    expect(Object.keys(JSON.parse(user.user_data.device.private_key))[0]).toBe("EciesKyberHybrid");
    const group = await user.getGroup(groupId);
    // The group key was signed with the real Ed25519+Dilithium3 key; the data's signature is verified too.
    expect(await group.decryptString(written, true, userId)).toBe("written by the real client ✓");

    // Our SDK writes signed data in the group; the real client opens it and verifies the hybrid signature.
    const ours = await group.encryptString("written by our SDK ✓", true);
    expect(real.decrypt_string_symmetric(groupKey, ours, userKey.exported_verify_key!)).toBe("written by our SDK ✓");

    // Encryption to the user (its Kyber768 + X25519 user key, not a device key): our SDK encrypts, the real client decrypts.
    const toUser = await user.encryptString("for the real user", userId, true);
    const device = login.get_device_private_key()!;
    expect(() => real.decrypt_string_asymmetric(device, toUser, undefined)).toThrow();
    expect(real.decrypt_string_asymmetric(userKey.private_key!, toUser, userKey.exported_verify_key!)).toBe(
      "for the real user",
    );
  });
});
