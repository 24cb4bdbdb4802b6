/**
 * Abuse limits of the server: what a holder of the public token, or a member of a group, must not be able
 * to learn or spend (docs/server.md, "Abuse limits").
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newId } from "../../server/crypto.js";
import { GROUP_DELETE_BATCH } from "../../server/services/groups.js";
import type { SqlDriver, SqlSession } from "../../server/store/driver.js";
import { openPostgresDriver } from "../../server/store/postgres.js";
import { SqlStore } from "../../server/store/sql-store.js";
import { openSqliteDriver } from "../../server/store/sqlite.js";
import { StoreBusyError, type StoreOps } from "../../server/store/types.js";
import { encryptFilePart, prepareRegisterFile, type BelongsTo } from "../../src/protocol/file.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { prepareRegister, prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { PENDING_DEVICE_TTL_MS } from "../../server/services/users.js";
import { FIELD_LIMITS } from "../../server/http/input.js";
import { generateSymKeyWrappedByMasterKey } from "../../src/protocol/sym-key-wrap.js";
import { startFilesHarness } from "./files-harness.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import type { SymKey } from "../../src/protocol/keys.js";
import {
  createTestDatabase,
  expectError,
  expectOk,
  login,
  registerUser,
  startHarness,
  testStoreKind,
  unique,
  type ApiAnswer,
  type Harness,
  type LoggedIn,
} from "./harness.js";
import { addMember, createGroup, newUser, V, type TestGroup, type TestUser } from "./group-helpers.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("forced group routes check the token first", () => {
  it("the public token gets 400/203 whether the user and the membership exist or not", async () => {
    const owner = await newUser(h);
    const stranger = await newUser(h);
    const group = await createGroup(h, owner);
    const unknownUser = "0193a1b2-0000-7000-8000-000000000000";
    for (const path of [
      `${V}/group/forced/${unknownUser}/${group.groupId}/child/light`,
      `${V}/group/forced/${stranger.userId}/${group.groupId}/child/light`,
      `${V}/group/forced/${owner.userId}/${group.groupId}/child/light`,
      `${V}/group/forced/${owner.userId}/not-a-uuid/connected/light`,
    ]) {
      expectError(await h.call("POST", path), 400, 203);
    }
    expectError(
      await h.call("DELETE", `${V}/group/forced/${stranger.userId}/${group.groupId}/kick/${owner.userId}`),
      400,
      203,
    );
    expectError(await h.call("POST", `${V}/group/forced/${unknownUser}/light`), 400, 203);
    // With the secret token the checks behind it still answer as before.
    const secret = { token: h.app.secretToken };
    expectError(
      await h.call("POST", `${V}/group/forced/${unknownUser}/${group.groupId}/child/light`, secret),
      400,
      100,
    );
    expectError(
      await h.call("POST", `${V}/group/forced/${stranger.userId}/${group.groupId}/child/light`, secret),
      400,
      310,
    );
    expectOk(await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/child/light`, secret));
  });
});

describe("the monthly key rotation quota", () => {
  const startRotation = async (user: TestUser, group: TestGroup, previous: SymKey) => {
    const { serverInput, keys } = prepareKeyRotation({
      previousGroupKey: previous,
      invokerPublicKey: user.publicKey,
      starter: user.userId,
    });
    const answer = await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
      jwt: user.jwt,
      raw: serverInput,
    });
    return { answer, key: { ...keys.groupKey, keyId: answer.body.result?.key_id as string } };
  };

  it("is counted per member: a kicked member's rotations never keep the admins from rotating", async () => {
    const app = (await h.server.store.getApp(h.app.id))!;
    await h.server.store.upsertApp({
      ...app,
      groupOptions: JSON.stringify({ max_key_rotation_month: 2, min_rank_key_rotation: 4 }),
    });
    try {
      const [owner, admin, member] = [await newUser(h), await newUser(h), await newUser(h)];
      const group = await createGroup(h, owner);
      expectOk(await addMember(h, owner, group, admin, 1));
      expectOk(await addMember(h, owner, group, member, 4));
      // The rank-4 member spends its quota ...
      let previous = group.keys[0]!;
      for (let i = 0; i < 2; i++) {
        const { answer, key } = await startRotation(member, group, previous);
        expectOk(answer);
        previous = key;
      }
      expectError((await startRotation(member, group, previous)).answer, 400, 321);
      // ... and is kicked: the admins rotate it out, each within a quota of their own.
      await h.server.rotations!.whenIdle();
      expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/kick/${member.userId}`, { jwt: owner.jwt }));
      const byOwner = await startRotation(owner, group, group.keys[0]!);
      expectOk(byOwner.answer);
      expectOk((await startRotation(admin, group, group.keys[0]!)).answer);
      expectOk((await startRotation(owner, group, byOwner.key)).answer);
      expectError((await startRotation(owner, group, byOwner.key)).answer, 400, 321);
      await h.server.rotations!.whenIdle();
      expect(await h.server.store.countKeyRotationsSince(group.groupId, 0)).toBe(5);
    } finally {
      await h.server.store.upsertApp(app);
    }
  });
});

describe("files of deleted groups and users", () => {
  it("are marked deleted with the group tree or the user: metadata 400/512, parts 400/500", async () => {
    const fh = await startFilesHarness();
    try {
      type User = LoggedIn & { userId: string };
      const newFileUser = async (): Promise<User> => {
        const user = await registerUser(fh);
        return { ...(await login(fh, user.identifier, user.password)), userId: user.userId };
      };
      /** Registers and uploads a one-part file; its metadata path and part id. */
      const storeFile = async (user: User, type: BelongsTo, belongsTo: string | null, groupId?: string) => {
        const master = user.userKeys[0]!.groupKey;
        const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
        const base = groupId ? `${V}/group/${groupId}/file` : `${V}/file`;
        const registered = expectOk(
          await fh.call("POST", base, {
            jwt: user.jwt,
            raw: prepareRegisterFile(master.keyId, key, encryptedKey, belongsTo, type, null),
          }),
        );
        const { part } = encryptFilePart(key.key, randomBytes(16));
        expectOk(
          await fh.call("POST", `${V}/file/part/${registered.session_id}/0/true`, {
            jwt: user.jwt,
            raw: Buffer.from(part),
            headers: { "content-type": "application/octet-stream" },
          }),
        );
        const meta = `${base}/${registered.file_id}`;
        const partId = expectOk(await fh.call("GET", meta, { jwt: user.jwt })).part_list[0].part_id as string;
        expect((await fh.callBytes("GET", `${V}/file/part/${partId}`)).status).toBe(200);
        return { meta, partId };
      };
      const gone = async (user: User, file: { meta: string; partId: string }) => {
        expectError(await fh.call("GET", file.meta, { jwt: user.jwt }), 400, 512);
        const part = await fh.callBytes("GET", `${V}/file/part/${file.partId}`);
        expect(part.status).toBe(400);
        expect(JSON.parse(part.bytes.toString("utf8")).err_code).toBe(500);
      };

      const [alice, bob] = [await newFileUser(), await newFileUser()];
      const root = expectOk(await fh.call("POST", `${V}/group/light`, { jwt: alice.jwt })).group_id as string;
      const child = expectOk(await fh.call("POST", `${V}/group/${root}/child/light`, { jwt: alice.jwt }))
        .group_id as string;
      const other = expectOk(await fh.call("POST", `${V}/group/light`, { jwt: alice.jwt })).group_id as string;
      const rootFile = await storeFile(alice, "Group", root, root);
      const childFile = await storeFile(alice, "Group", child, child);
      const otherFile = await storeFile(alice, "Group", other, other);
      expectOk(await fh.call("DELETE", `${V}/group/${root}`, { jwt: alice.jwt }));
      for (const file of [rootFile, childFile]) {
        const part = await fh.callBytes("GET", `${V}/file/part/${file.partId}`);
        expect(part.status).toBe(400);
        expect(JSON.parse(part.bytes.toString("utf8")).err_code).toBe(500);
      }
      expect(expectOk(await fh.call("GET", otherFile.meta, { jwt: alice.jwt })).part_list).toHaveLength(1);

      const bobsOwn = await storeFile(bob, "None", null);
      const forAlice = await storeFile(bob, "User", alice.userId);
      const aliceForBob = await storeFile(alice, "User", bob.userId);
      const aliceOwn = await storeFile(alice, "None", null);
      expectOk(await fh.call("DELETE", `${V}/user/forced/delete/${bob.userId}`, { token: fh.app.secretToken }));
      await gone(alice, bobsOwn);
      await gone(alice, forAlice);
      await gone(alice, aliceForBob);
      expect(expectOk(await fh.call("GET", aliceOwn.meta, { jwt: alice.jwt })).part_list).toHaveLength(1);
    } finally {
      await fh.close();
    }
  });
});

describe("deletes of users, devices and group trees", () => {
  /** A driver that records every statement the store sends. */
  function recording(driver: SqlDriver, log: Array<{ sql: string; args: readonly unknown[] }>): SqlDriver {
    const wrap = (session: SqlSession): SqlSession => ({
      get: (sql, args) => (log.push({ sql, args }), session.get(sql, args)),
      all: (sql, args) => (log.push({ sql, args }), session.all(sql, args)),
      run: (sql, args) => (log.push({ sql, args }), session.run(sql, args)),
      runUnlessConflict: (sql, args) => (log.push({ sql, args }), session.runUnlessConflict(sql, args)),
    });
    return {
      ...driver,
      direct: wrap(driver.direct),
      transaction: (fn) => driver.transaction((session) => fn(wrap(session))),
    };
  }

  it("find their rows through indexes (no statement scans a whole table)", async () => {
    const postgres = testStoreKind() === "postgres";
    const database = postgres ? await createTestDatabase() : null;
    const driver = database
      ? await openPostgresDriver({ url: database.url, maxConnections: 2 })
      : openSqliteDriver({ path: ":memory:" });
    try {
      const log: Array<{ sql: string; args: readonly unknown[] }> = [];
      const store = new SqlStore(recording(driver, log));
      const [userId, deviceId, groupId] = [newId(), newId(), newId()];
      await store.insertDevice({
        id: deviceId,
        userId,
        appId: "app",
        deviceIdentifier: "id",
        time: 1,
        registerTokenHash: null,
        clientRandomValue: "",
        hashedAuthKey: "",
        derivedAlg: "",
        encryptedMasterKey: "",
        masterKeyAlg: "",
        encryptedMasterKeyAlg: "",
        publicKey: "",
        encryptedPrivateKey: "",
        keypairEncryptAlg: "",
        verifyKey: "",
        encryptedSignKey: "",
        keypairSignAlg: "",
      });
      log.length = 0;
      await store.deleteMembershipsOfGroup(groupId);
      await store.markFilesDeletedOf("group", groupId, 1);
      await store.deleteGroup(groupId);
      await store.listChildGroupIds(groupId);
      await store.deleteMember(groupId, userId);
      await store.markFilesDeletedOf("user", userId, 1);
      await store.deleteDevice(deviceId);
      await store.deleteUser(userId);
      const statements = log.filter((entry) => /^\s*(DELETE|UPDATE|SELECT)/i.test(entry.sql));
      expect(statements.length).toBeGreaterThan(15);
      const scans: string[] = [];
      const leadingColumns = new Map<string, string>();
      if (postgres) {
        for (const row of await driver.direct.all(
          "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
          [],
        )) {
          leadingColumns.set(String(row.indexname), /\(\s*"?(\w+)/.exec(String(row.indexdef))?.[1] ?? "");
        }
      }
      for (const { sql, args } of statements) {
        if (postgres) {
          // With sequential scans priced out, PostgreSQL still plans one where no index fits.
          const plan = await driver.transaction(async (session) => {
            await session.run("SET LOCAL enable_seqscan = off", []);
            return session.all(`EXPLAIN ${sql}`, args);
          });
          // Without a skip scan, an index whose leading column is not in its condition is read whole too.
          const lines = plan.map((row) => String(row["QUERY PLAN"]));
          lines.forEach((line, i) => {
            if (line.includes("Seq Scan")) scans.push(`${sql} → ${line}`);
            const index = /Index (?:Only )?Scan (?:using )?(?:on )?(\w+)/.exec(line)?.[1];
            if (index === undefined) return;
            const condition = lines.slice(i + 1).find((next) => next.includes("Index Cond:")) ?? "";
            const leading = leadingColumns.get(index);
            if (leading === undefined || !new RegExp(`\\b${leading}\\b`).test(condition))
              scans.push(`${sql} → ${line} ${condition}`);
          });
        } else {
          const plan = await driver.direct.all(`EXPLAIN QUERY PLAN ${sql}`, args);
          for (const row of plan) if (/^SCAN /.test(String(row.detail))) scans.push(`${sql} → ${String(row.detail)}`);
        }
      }
      expect(scans).toEqual([]);
    } finally {
      await driver.close();
      await database?.drop();
    }
  });

  it("delete a large group tree in bounded transactions, serving other requests in between", async () => {
    const store = h.server.store;
    const owner = await newUser(h);
    const root = expectOk(await h.call("POST", `${V}/group/light`, { jwt: owner.jwt })).group_id as string;
    const other = expectOk(await h.call("POST", `${V}/group/light`, { jwt: owner.jwt })).group_id as string;
    const children = 2 * GROUP_DELETE_BATCH + 20;
    const time = Date.now();
    let parent = root;
    for (let i = 0; i < children; i++) {
      const id = newId();
      // A wide tree with a deep branch.
      const above = i % 10 === 0 ? parent : root;
      await store.insertGroup({
        id,
        appId: h.app.id,
        parent: above,
        type: 0,
        invite: true,
        isConnectedGroup: false,
        time: time + i,
      });
      await store.insertMember({
        userId: above,
        groupId: id,
        time: time + i,
        rank: 0,
        keyUploadSessionId: null,
        type: 1,
      });
      if (i % 10 === 0) parent = id;
    }
    const original = store.transaction.bind(store);
    const deletedPerTransaction: number[] = [];
    const servedBetween: ApiAnswer[] = [];
    const spy = vi.spyOn(store, "transaction").mockImplementation(async (fn) => {
      let deleted = 0;
      const result = await original((tx) => {
        deleted = 0;
        const counting = new Proxy(tx, {
          get(target, name) {
            if (name === "deleteGroup") return (id: string) => (deleted++, target.deleteGroup(id));
            const value = Reflect.get(target, name) as unknown;
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }) as StoreOps;
        return fn(counting);
      });
      if (deleted > 0) {
        deletedPerTransaction.push(deleted);
        // Between two of the delete's transactions: other requests are answered, the tree's root is still whole.
        if (deletedPerTransaction.length === 1) {
          servedBetween.push(await h.call("GET", `${V}/group/${other}/light`, { jwt: owner.jwt }));
          servedBetween.push(await h.call("GET", `${V}/group/${root}/light`, { jwt: owner.jwt }));
        }
      }
      return result;
    });
    try {
      expectOk(await h.call("DELETE", `${V}/group/${root}`, { jwt: owner.jwt }));
    } finally {
      spy.mockRestore();
    }
    expect(deletedPerTransaction.length).toBeGreaterThanOrEqual(3);
    for (const count of deletedPerTransaction) expect(count).toBeLessThanOrEqual(GROUP_DELETE_BATCH);
    expect(deletedPerTransaction.reduce((a, b) => a + b, 0)).toBe(children + 1);
    expect(servedBetween).toHaveLength(2);
    for (const answer of servedBetween) expectOk(answer);
    expectError(await h.call("GET", `${V}/group/${root}/light`, { jwt: owner.jwt }), 400, 310);
    expect(await store.listChildGroupIds(root)).toEqual([]);
    expectOk(await h.call("GET", `${V}/group/${other}/light`, { jwt: owner.jwt }));
  });
});

describe("concurrent registrations", () => {
  it("200 register_light calls, 16 at a time, never answer 500 (same identifiers: one wins, the others 400/101)", async () => {
    const device = (JSON.parse(prepareRegister(unique(), "pw")) as { device: Record<string, unknown> }).device;
    const identifiers = Array.from({ length: 160 }, () => unique("parallel"));
    // Every fifth call repeats an identifier of another call.
    const calls = Array.from({ length: 200 }, (_, i) => identifiers[i < 160 ? i : (i * 7) % 160]!);
    const answers: ApiAnswer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < calls.length) {
          const identifier = calls[next++]!;
          answers.push(
            await h.call("POST", `${V}/register_light`, {
              token: h.app.secretToken,
              body: { ...device, device_identifier: identifier },
            }),
          );
        }
      }),
    );
    expect(answers).toHaveLength(200);
    const statuses = answers.map((a) => `${a.status}/${a.body.err_code ?? "ok"}`);
    expect(statuses.filter((s) => s !== "200/ok" && s !== "400/101")).toEqual([]);
    expect(statuses.filter((s) => s === "200/ok")).toHaveLength(160);
  });
});

describe("a database that stays busy", () => {
  it("answers a retryable 503 envelope (err_code 503, retry-after) instead of 500", async () => {
    const spy = vi.spyOn(h.server.store, "transaction").mockRejectedValueOnce(new StoreBusyError("conflicted"));
    try {
      const answer = await h.call("POST", `${V}/register_light`, {
        token: h.app.secretToken,
        raw: JSON.stringify(JSON.parse(prepareRegister(unique(), "pw")).device),
      });
      expectError(answer, 503, 503);
      expect(answer.headers.get("retry-after")).toBe("1");
    } finally {
      spy.mockRestore();
    }
    if (testStoreKind() === "postgres") {
      // The PostgreSQL driver gives up after its retries with StoreBusyError.
      const database = await createTestDatabase();
      const driver = await openPostgresDriver({ url: database.url, maxConnections: 2 });
      try {
        let attempts = 0;
        const conflict = Object.assign(new Error("could not serialize access"), { code: "40001" });
        await expect(driver.transaction(async () => (attempts++, Promise.reject(conflict)))).rejects.toBeInstanceOf(
          StoreBusyError,
        );
        expect(attempts).toBeGreaterThan(1);
      } finally {
        await driver.close();
        await database.drop();
      }
    }
  });
});

describe("pending device registrations", () => {
  it("never block a real registration of the identifier", async () => {
    const identifier = unique("squatted");
    expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(identifier, "pw") }),
    );
    const registered = await registerUser(h, identifier, "pw");
    await login(h, registered.identifier, "pw");
    // A real device is not given up for a new pending one.
    expectError(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(identifier, "pw") }),
      400,
      101,
    );
  });

  it("expire: the identifier is free again and the old token is refused (400/100)", async () => {
    const identifier = unique("pending");
    const first = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(identifier, "pw") }),
    );
    expectError(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(identifier, "pw") }),
      400,
      101,
    );
    h.clock.offsetMs = PENDING_DEVICE_TTL_MS + 60_000;
    try {
      const owner = await registerUser(h);
      const session = await login(h, owner.identifier, owner.password);
      const done = prepareRegisterDevice(
        first,
        session.userKeys.map((k) => k.groupKey),
        session.userKeys.length,
      );
      expectError(
        await h.call("PUT", `${V}/user/done_register_device`, {
          jwt: session.jwt,
          raw: done.serverInput,
          deviceSignKey: session.deviceKeys.signKey,
        }),
        400,
        100,
      );
      const second = expectOk(
        await h.call("POST", `${V}/user/prepare_register_device`, {
          raw: prepareRegisterDeviceStart(identifier, "pw2"),
        }),
      );
      const added = prepareRegisterDevice(
        second,
        session.userKeys.map((k) => k.groupKey),
        session.userKeys.length,
      );
      expectOk(
        await h.call("PUT", `${V}/user/done_register_device`, {
          jwt: session.jwt,
          raw: added.serverInput,
          deviceSignKey: session.deviceKeys.signKey,
        }),
      );
      await login(h, identifier, "pw2");
    } finally {
      h.clock.offsetMs = 0;
    }
  });
});

describe("field size limits", () => {
  it("refuse over-long fields with 422/11 and accept the real sizes", async () => {
    const start = JSON.parse(prepareRegisterDeviceStart(unique("limits"), "pw")) as {
      master_key: Record<string, unknown>;
      derived: Record<string, unknown>;
      device_identifier: string;
    };
    const prepare = (body: unknown) => h.call("POST", `${V}/user/prepare_register_device`, { body });
    const over = (limit: number) => "A".repeat(limit + 1);
    expectError(
      await prepare({ ...start, derived: { ...start.derived, public_key: over(FIELD_LIMITS.key) } }),
      422,
      11,
    );
    expectError(
      await prepare({ ...start, derived: { ...start.derived, encrypted_sign_key: "A".repeat(240_000) } }),
      422,
      11,
    );
    expectError(
      await prepare({ ...start, derived: { ...start.derived, keypair_encrypt_alg: over(FIELD_LIMITS.alg) } }),
      422,
      11,
    );
    expectError(
      await prepare({ ...start, derived: { ...start.derived, client_random_value: over(FIELD_LIMITS.secret) } }),
      422,
      11,
    );
    expectError(
      await prepare({ ...start, master_key: { ...start.master_key, encrypted_master_key: over(FIELD_LIMITS.key) } }),
      422,
      11,
    );
    expectError(await prepare({ ...start, device_identifier: over(FIELD_LIMITS.identifier) }), 422, 11);
    expectError(
      await h.call("POST", `${V}/exists`, { body: { user_identifier: over(FIELD_LIMITS.identifier) } }),
      422,
      11,
    );
    // Exactly at the limits is fine (the server does not parse key material).
    const atLimit = {
      ...start,
      device_identifier: `${unique()}${"x".repeat(FIELD_LIMITS.identifier - 40)}`,
      derived: { ...start.derived, verify_key: "A".repeat(FIELD_LIMITS.key) },
    };
    expectOk(await prepare(atLimit));
    // sentc's largest real values (hybrid keys of the test vectors) are far below the key limit.
    expect(FIELD_LIMITS.key).toBeGreaterThanOrEqual(3 * 5416);
    expectOk(await prepare(start));
  });
});
