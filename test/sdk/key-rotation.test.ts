/**
 * The shared key-rotation loop of users and groups (src/sdk/key-rotation.ts) with a scripted party: malformed
 * entries, rotations that wait for a key this party lacks, one shared run at a time; and the module structure
 * that keeps `Group` free of `User`.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/api/endpoints/result.js";
import {
  finishPendingKeyRotations,
  KEY_ROTATION_ROUNDS,
  SharedRun,
  type KeyRotationParty,
} from "../../src/sdk/key-rotation.js";
import { readImportGraph } from "../helpers/layers.js";

/** A party whose calls are recorded; no previous key is ever available, so nothing reaches the crypto. */
function party(pending: JsonObject[], needsEphKeyId = true): KeyRotationParty & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pendingRoute: "GET /test/rotation",
    needsEphKeyId,
    fetchPending: async () => {
      calls.push("fetchPending");
      return pending;
    },
    previousKey: async (keyId) => {
      calls.push(`previousKey ${keyId}`);
      return undefined;
    },
    privateKey: async () => {
      throw new Error("privateKey must not be asked for without a previous key");
    },
    publicKey: () => {
      throw new Error("publicKey must not be asked for without a previous key");
    },
    finishOne: async () => {
      throw new Error("finishOne must not be called without a previous key");
    },
    fetchNewKey: async () => {
      throw new Error("fetchNewKey must not be called without a previous key");
    },
  };
}

describe("finishPendingKeyRotations", () => {
  it("nothing pending: one fetch, nothing changed", async () => {
    const p = party([]);
    await expect(finishPendingKeyRotations(p)).resolves.toEqual({ pending: 0, changed: false });
    expect(p.calls).toEqual(["fetchPending"]);
  });

  it("rotations whose previous key is missing stay pending, and a round without progress ends the loop", async () => {
    const entries = [
      { previous_group_key_id: "k1", new_group_key_id: "k2", encrypted_eph_key_key_id: "u1" },
      { previous_group_key_id: "k2", new_group_key_id: "k3", encrypted_eph_key_key_id: "u1" },
    ];
    const p = party(entries);
    await expect(finishPendingKeyRotations(p)).resolves.toEqual({ pending: 2, changed: false });
    expect(p.calls).toEqual(["fetchPending", "previousKey k1", "previousKey k2"]);
    expect(KEY_ROTATION_ROUNDS).toBeGreaterThan(1);
  });

  it("an entry without its key ids is invalid_server_response naming the party's route", async () => {
    await expect(
      finishPendingKeyRotations(party([{ new_group_key_id: "k2", encrypted_eph_key_key_id: "u1" }])),
    ).rejects.toMatchObject({
      code: "invalid_server_response",
      message: expect.stringContaining("GET /test/rotation"),
    });
    // The ephemeral key id is required only where the party says so (groups), not for user key rotations.
    await expect(
      finishPendingKeyRotations(party([{ previous_group_key_id: "k1", new_group_key_id: "k2" }])),
    ).rejects.toMatchObject({ code: "invalid_server_response" });
    await expect(
      finishPendingKeyRotations(party([{ previous_group_key_id: "k1", new_group_key_id: "k2" }], false)),
    ).resolves.toEqual({ pending: 1, changed: false });
  });
});

describe("SharedRun", () => {
  it("concurrent calls share the run under way; a later call starts a new one", async () => {
    const run = new SharedRun();
    let started = 0;
    let release!: () => void;
    const start = () => {
      started++;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const first = run.run(start);
    const second = run.run(start);
    expect(second).toBe(first);
    expect(started).toBe(1);
    release();
    await first;
    const third = run.run(async () => {
      started++;
    });
    expect(third).not.toBe(first);
    await third;
    expect(started).toBe(2);
  });

  it("a failed run rejects every caller that shared it and does not stick", async () => {
    const run = new SharedRun();
    const failing = async () => {
      throw new Error("boom");
    };
    const a = run.run(failing);
    const b = run.run(failing);
    await expect(a).rejects.toThrow("boom");
    await expect(b).rejects.toThrow("boom");
    await expect(run.run(async () => undefined)).resolves.toBeUndefined();
  });
});

describe("module structure", () => {
  it("group.ts and the group keyring do not import user.ts (the group reaches its user through GroupOwnerUser)", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const { imports } = readImportGraph(root, ["src"]);
    const fromGroup = imports.filter(
      (edge) => edge.from === "src/sdk/group.ts" || edge.from === "src/sdk/group-keyring.ts",
    );
    expect(fromGroup.length).toBeGreaterThan(5);
    expect(fromGroup.filter((edge) => edge.to === "src/sdk/user.ts")).toEqual([]);
    // User, on the other hand, loads its groups.
    expect(imports.some((edge) => edge.from === "src/sdk/user.ts" && edge.to === "src/sdk/group.ts")).toBe(true);
  });
});
