/**
 * Crash safety: the compiled server (a child process on a file database) is SIGKILLed in the middle of a
 * burst of registrations; after a restart every acknowledged registration is there, the app and its
 * tokens survive, and SQLite's integrity check passes.
 */
import Database from "better-sqlite3";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRegister } from "../../src/protocol/register.js";
import { loadReleaseCore } from "../helpers/core.js";
import { testStoreKind } from "./harness.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const cli = join(root, "server/dist/server/cli.js");
const dir = mkdtempSync(join(tmpdir(), "sentc-durability-"));
const dbPath = join(dir, "sentc.sqlite");
const children: ChildProcess[] = [];

interface StartLine {
  base_url: string;
  app_id: string;
  public_token: string;
  secret_token?: string;
}

function startChild(): Promise<{ child: ChildProcess; line: StartLine }> {
  const child = spawn(process.execPath, [cli, "--port", "0", "--db", dbPath], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolveStart, reject) => {
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).once("line", (text) =>
      resolveStart({ child, line: JSON.parse(text) as StartLine }),
    );
  });
}

beforeAll(async () => {
  if (testStoreKind() === "postgres") return;
  await loadReleaseCore();
  // The test runs the production build (server/dist, with the core beside it).
  execFileSync(process.execPath, [join(root, "server/build.mjs")], { cwd: root, stdio: "inherit" });
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

// SQLite's own crash safety (WAL, synchronous=FULL, its integrity check); PostgreSQL's durability is the
// database's. The PostgreSQL run (npm run test:server:pg) runs multi-instance.test.ts with child processes.
describe.skipIf(testStoreKind() === "postgres")("durability", () => {
  it("keeps every acknowledged registration across a SIGKILL", async () => {
    const first = await startChild();
    expect(first.line.secret_token).toBeDefined();
    const secret = first.line.secret_token!;
    const bodies = Array.from({ length: 160 }, (_, i) => ({
      identifier: `burst-${i}`,
      body: prepareRegister(`burst-${i}`, "pw"),
    }));
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < bodies.length) {
        const { identifier, body } = bodies[next++]!;
        try {
          const response = await fetch(`${first.line.base_url}/api/v1/register`, {
            method: "POST",
            headers: { "x-sentc-app-token": secret },
            body,
          });
          const json = (await response.json()) as { status: boolean };
          if (json.status) acknowledged.push(identifier);
        } catch {
          // the connection died with the server
        }
        if (!killed && acknowledged.length >= 60) {
          killed = true;
          first.child.kill("SIGKILL");
        }
      }
    };
    const exited = new Promise((done) => first.child.once("exit", done));
    await Promise.all(Array.from({ length: 8 }, worker));
    await exited;
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
    expect(acknowledged.length).toBeLessThan(bodies.length);

    const second = await startChild();
    expect(second.line.app_id).toBe(first.line.app_id);
    expect(second.line.public_token).toBe(first.line.public_token);
    expect(second.line.secret_token).toBeUndefined();
    for (const identifier of acknowledged) {
      const response = await fetch(`${second.line.base_url}/api/v1/exists`, {
        method: "POST",
        headers: { "x-sentc-app-token": second.line.public_token },
        body: JSON.stringify({ user_identifier: identifier }),
      });
      expect(((await response.json()) as { result: { available: boolean } }).result.available, identifier).toBe(false);
    }
    // The secret token still works after the restart (stored hashed, never printed again).
    const again = await fetch(`${second.line.base_url}/api/v1/register`, {
      method: "POST",
      headers: { "x-sentc-app-token": secret },
      body: prepareRegister("after-restart", "pw"),
    });
    expect(((await again.json()) as { status: boolean }).status).toBe(true);
    const exited2 = new Promise((done) => second.child.once("exit", done));
    second.child.kill("SIGTERM");
    await exited2;

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const count = (db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
      expect(count).toBeGreaterThanOrEqual(acknowledged.length + 1);
    } finally {
      db.close();
    }
  }, 120_000);
});
