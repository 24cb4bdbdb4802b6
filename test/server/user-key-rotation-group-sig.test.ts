/**
 * A user key rotation carries no `public_group_key_sig` (docs/protocol.md: user groups do not get them; their public
 * key is signed by the user's own new sign key, `public_key_sig`). The fields are refused there (400/120) instead of
 * being stored unchecked and then answered with the user's public key as if they were a checked group signature.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signGroupPublicKey } from "../../src/protocol/key-pin.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { generateSignKeyPair } from "../../src/protocol/keypairs.js";
import { expectError, expectOk, login, registerUser, startHarness, type Harness, type LoggedIn } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const V = "/api/v1";

async function account(): Promise<{ userId: string; session: LoggedIn }> {
  const user = await registerUser(h);
  return { userId: user.userId, session: await login(h, user.identifier, user.password) };
}

function rotate(session: LoggedIn, body: Record<string, unknown>) {
  return h.call("POST", `${V}/user/user_keys/rotation`, {
    jwt: session.jwt,
    deviceSignKey: session.deviceKeys.signKey,
    body,
  });
}

describe("public_group_key_sig at a user key rotation", () => {
  it("is refused with 400/120 and nothing is stored; the same rotation without it is stored without it", async () => {
    const { userId, session } = await account();
    const previous = session.userKeys[0]!;
    const rotation = prepareKeyRotation({
      previousGroupKey: previous.groupKey,
      invokerPublicKey: session.deviceKeys.publicKey,
      starter: userId,
      userGroup: true,
      crossSignKey: previous.signKey,
    });
    const body = JSON.parse(rotation.serverInput);
    expect(body).not.toHaveProperty("public_group_key_sig");
    const stranger = generateSignKeyPair();
    const extras: Record<string, Record<string, unknown>> = {
      // Even a signature that verifies: the user's previous sign key over the new public key.
      "a valid signature by the user": {
        public_group_key_sig: signGroupPublicKey(previous.signKey, rotation.keys.publicKey),
        public_group_key_sig_user_id: userId,
        public_group_key_sig_key_id: previous.groupKey.keyId,
      },
      "another user's id": {
        public_group_key_sig: signGroupPublicKey(stranger.signKey, rotation.keys.publicKey),
        public_group_key_sig_user_id: crypto.randomUUID(),
        public_group_key_sig_key_id: crypto.randomUUID(),
      },
      "garbage in all three": {
        public_group_key_sig: "not a signature",
        public_group_key_sig_user_id: "someone",
        public_group_key_sig_key_id: "some key",
      },
      "only the signature": { public_group_key_sig: "not a signature" },
      "only the user id": { public_group_key_sig_user_id: userId },
      "only the key id": { public_group_key_sig_key_id: previous.groupKey.keyId },
    };
    const before = expectOk(await h.call("GET", `${V}/user/${userId}/public_key`));
    expect(before.public_key_id).toBe(previous.groupKey.keyId);
    for (const [what, extra] of Object.entries(extras)) {
      const answer = await rotate(session, { ...body, ...extra });
      try {
        expectError(answer, 400, 120);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`);
      }
    }
    expect(expectOk(await h.call("GET", `${V}/user/${userId}/public_key`))).toEqual(before);
    const keys = expectOk(await h.call("GET", `${V}/user/user_keys/keys/0/none`, { jwt: session.jwt }));
    expect(keys.map((k: { group_key_id: string }) => k.group_key_id)).toEqual([previous.groupKey.keyId]);

    // Without the fields (what every client sends) the rotation goes through, and neither lookup answers them.
    const started = expectOk(await rotate(session, body));
    for (const path of [`${V}/user/${userId}/public_key`, `${V}/group/${started.group_id}/public_key`]) {
      const answer = expectOk(await h.call("GET", path));
      expect(answer.public_key_id, path).toBe(started.key_id);
      expect(answer, path).not.toHaveProperty("public_group_key_sig");
      expect(answer, path).not.toHaveProperty("public_group_key_sig_user_id");
      expect(answer, path).not.toHaveProperty("public_group_key_sig_key_id");
    }
  });
});
