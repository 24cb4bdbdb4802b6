/**
 * Two server processes on one PostgreSQL database serve the same app consistently (a load balancer without
 * sticky sessions): users register on one and log in on the other, groups made on one are used on the
 * other, and a key rotation started on one is run by the workers of both without double processing —
 * it finishes exactly once. The compiled server runs as child processes (--db postgres://…, a shared
 * config file with the same app and JWT keys). Runs with SENTC_TEST_STORE=postgres (npm run test:server:pg).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishKeyRotation, prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import type { SymKey } from "../../src/protocol/keys.js";
import { loadReleaseCore } from "../helpers/core.js";
import { addMember, createGroup, V, type TestGroup, type TestUser } from "./group-helpers.js";
import {
  apiCaller,
  createTestDatabase,
  expectOk,
  login,
  makeApp,
  registerUser,
  testStoreKind,
  type Harness,
  type TestDatabase,
} from "./harness.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const cli = join(root, "server/dist/server/cli.js");
const onPostgres = testStoreKind() === "postgres";

interface Instance {
  child: ChildProcess;
  h: Harness;
  /** The server's stderr, line by line. */
  log: string[];
}

const children: ChildProcess[] = [];
let dir = "";
let db: TestDatabase | null = null;

async function startInstance(
  url: string,
  configPath: string,
  filesDir: string,
  app: ReturnType<typeof makeApp>["app"],
): Promise<Instance> {
  // --rotation-poll 0.1: each worker also picks up rotations the other process started.
  const args = [cli, "--port", "0", "--db", url, "--config", configPath, "--files", filesDir, "--rotation-poll", "0.1"];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => log.push(line));
  const line = await new Promise<{ base_url: string; app_ids: string[] }>((resolveStart, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${log.join("\n")}`)));
    createInterface({ input: child.stdout! }).once("line", (text) => resolveStart(JSON.parse(text)));
  });
  expect(line.app_ids).toEqual([app.id]);
  return { child, log, h: { app, call: apiCaller(line.base_url, app.publicToken) } as unknown as Harness };
}

async function userOn(register: Harness, loginOn: Harness): Promise<TestUser> {
  const user = await registerUser(register);
  const session = await login(loginOn, user.identifier, user.password);
  const key = session.userKeys[0]!;
  return {
    id: user.userId,
    userId: user.userId,
    deviceId: user.deviceId,
    identifier: user.identifier,
    jwt: session.jwt,
    publicKey: key.publicGroupKey,
    privateKey: key.privateGroupKey,
  };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let a: Instance;
let b: Instance;
let app: ReturnType<typeof makeApp>["app"];

describe.skipIf(!onPostgres)("two server processes on one PostgreSQL", () => {
  beforeAll(async () => {
    await loadReleaseCore();
    // The test runs the production build (server/dist, with the core beside it).
    execFileSync(process.execPath, [join(root, "server/build.mjs")], { cwd: root, stdio: "inherit" });
    dir = mkdtempSync(join(tmpdir(), "sentc-multi-"));
    db = await createTestDatabase();
    const made = makeApp();
    app = made.app;
    const configPath = join(dir, "apps.json");
    writeFileSync(
      configPath,
      JSON.stringify({ apps: [made.config], login_rate_limit: { max_failures: 0, window_seconds: 60 } }),
    );
    // Started together: the migrations and the config are applied once (advisory lock, SERIALIZABLE).
    [a, b] = await Promise.all([
      startInstance(db.url, configPath, join(dir, "files"), app),
      startInstance(db.url, configPath, join(dir, "files"), app),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await Promise.all(
      children.map((child) =>
        child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once("exit", r)) : null,
      ),
    );
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("register on one, log in and use groups on the other; a rotation finishes exactly once", async () => {
    const owner = await userOn(a.h, b.h);
    const members = [await userOn(a.h, b.h), await userOn(b.h, a.h), await userOn(a.h, b.h)];
    // A JWT from one process is valid on the other (shared keys from the config file).
    expect(
      expectOk(
        await a.h.call("GET", `${V}/user/jwt`, {
          token: app.secretToken,
          headers: { authorization: `Bearer ${owner.jwt}` },
        }),
      ).id,
    ).toBe(owner.userId);

    const group: TestGroup = await createGroup(b.h, owner);
    for (const [i, member] of members.entries())
      expectOk(await addMember(i % 2 === 0 ? a.h : b.h, owner, group, member));
    expect(
      expectOk(await a.h.call("GET", `${V}/group/${group.groupId}/member/0/none`, { jwt: owner.jwt })),
    ).toHaveLength(members.length);

    // Three rotations, started on B; both workers see them (B at once, A by polling the store).
    const rotated: SymKey[] = [];
    for (let i = 0; i < 3; i++) {
      const previous = group.keys[group.keys.length - 1]!;
      const { serverInput, keys } = prepareKeyRotation({
        previousGroupKey: previous,
        invokerPublicKey: owner.publicKey,
        starter: owner.userId,
      });
      const started = expectOk(
        await b.h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt, raw: serverInput }),
      );
      const key = { ...keys.groupKey, keyId: started.key_id as string };
      group.keys.push(key);
      rotated.push(key);
    }
    const finishedLines = () => [...a.log, ...b.log].filter((line) => line.includes("key rotation finished"));
    await waitFor("three finished rotations", () =>
      rotated.every((k) => finishedLines().some((line) => line.includes(k.keyId))),
    );
    // Give a second (wrong) finish time to show up: both workers poll every 100 ms.
    await new Promise((r) => setTimeout(r, 600));
    for (const key of rotated)
      expect(
        finishedLines().filter((line) => line.includes(key.keyId)),
        key.keyId,
      ).toHaveLength(1);

    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    try {
      const open = await client.query(
        "SELECT count(*)::int AS n FROM group_keys WHERE group_id = $1 AND encrypted_ephemeral_key IS NOT NULL",
        [group.groupId],
      );
      expect(open.rows[0].n).toBe(0);
      const rows = await client.query("SELECT count(*)::int AS n FROM group_key_rotations WHERE group_id = $1", [
        group.groupId,
      ]);
      expect(rows.rows[0].n).toBe(members.length * rotated.length);
    } finally {
      await client.end();
    }

    // Every member finishes on the process it did not log in on and ends with the same keys.
    for (const [i, member] of members.entries()) {
      const h = i % 2 === 0 ? a.h : b.h;
      const pending = expectOk(
        await h.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: member.jwt }),
      ) as Array<Record<string, unknown>>;
      expect(pending.map((p) => p.new_group_key_id)).toEqual(rotated.map((k) => k.keyId));
      for (const [j, entry] of pending.entries()) {
        const previous = group.keys.find((k) => k.keyId === entry.previous_group_key_id)!;
        const done = finishKeyRotation(entry, previous, member.publicKey, member.privateKey);
        expect(Buffer.from(done.newGroupKey.key)).toEqual(Buffer.from(rotated[j]!.key));
        expectOk(
          await (j % 2 === 0 ? b.h : a.h).call(
            "PUT",
            `${V}/group/${group.groupId}/key_rotation/${entry.new_group_key_id}`,
            { jwt: member.jwt, raw: done.serverInput },
          ),
        );
      }
      expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: member.jwt }))).toEqual(
        [],
      );
    }
  }, 120_000);
});
