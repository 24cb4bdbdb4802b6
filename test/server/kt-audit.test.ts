/**
 * The key transparency auditor against a live server (on the test store): a clean log checks out and the audit
 * goes on from its saved state; a log tampered with in the database (a leaf rewritten, history rewritten, a head's
 * signature or the log key replaced) is reported with the matching finding; the `sentc-server audit` command prints
 * the report and keeps the state file.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, parseAuditState, type AuditReport } from "../../server/audit/auditor.js";
import type { SqlDriver } from "../../server/store/driver.js";
import { buildServerInto } from "../helpers/server-build.js";
import { V } from "./group-helpers.js";
import { expectOk, registerUser, startHarness, type Harness } from "./harness.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const dir = mkdtempSync(join(tmpdir(), "sentc-kt-audit-"));

/** Statements on the harness's database, as someone with database access would run them. */
function sql(h: Harness, text: string, ...args: unknown[]): Promise<number> {
  return (h.server.store as unknown as { driver: SqlDriver }).driver.direct.run(text, args);
}

async function freshHarness(users: number): Promise<Harness> {
  const h = await startHarness();
  for (let i = 0; i < users; i++) await registerUser(h);
  return h;
}

const audit = (h: Harness, state: AuditReport["state"] = null, pageSize?: number) =>
  auditLog({ url: h.server.baseUrl, appToken: h.app.publicToken, state, pageSize });

const kinds = (report: AuditReport) => report.findings.map((f) => f.kind);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("auditLog", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await freshHarness(3);
  });
  afterAll(() => h.close());

  it("a clean log checks out; the next audit reads only the new leaves from the saved state", async () => {
    const first = await audit(h, null, 4);
    expect(first.findings).toEqual([]);
    expect(first.ok).toBe(true);
    expect(first.entries_checked).toBe(6);
    expect(first.state).toMatchObject({ app_id: h.app.id, tree_size: 6 });
    await registerUser(h);
    await registerUser(h);
    const second = await audit(h, first.state, 3);
    expect(second.findings).toEqual([]);
    expect(second.entries_checked).toBe(4);
    expect(second.state?.tree_size).toBe(10);
    // From scratch the same head comes out.
    expect((await audit(h)).state?.root_hash).toBe(second.state?.root_hash);
  });

  it("a saved state that does not fit is refused, and a pinned log key that changed is reported", async () => {
    const { state } = await audit(h);
    expect(kinds(await audit(h, { ...state!, frontier: state!.frontier.slice(1) }))).toEqual(["bad_state"]);
    const otherKey = Buffer.alloc(32, 9).toString("base64");
    expect(kinds(await audit(h, { ...state!, log_key: otherKey }))).toEqual(["log_key_changed"]);
  });

  it("an unreachable server is a finding, not an exception", async () => {
    const report = await auditLog({ url: "http://127.0.0.1:1", appToken: h.app.publicToken });
    expect(kinds(report)).toEqual(["unreachable"]);
    expect(report.ok).toBe(false);
  });
});

describe("a log tampered with in the database", () => {
  it("a rewritten leaf no longer recomputes the signed head", async () => {
    const h = await freshHarness(3);
    try {
      expect((await audit(h)).ok).toBe(true);
      const other = expectOk(await h.call("GET", `${V}/kt/entries?start=1&end=2`)).entries[0].leaf as string;
      expect(await sql(h, "UPDATE kt_leaves SET leaf = ? WHERE app_id = ? AND idx = 0", other, h.app.id)).toBe(1);
      const report = await audit(h);
      expect(kinds(report)).toEqual(["root_mismatch"]);
      expect(report.state).toBeNull();
    } finally {
      await h.close();
    }
  });

  it("rewritten history (a stored subtree replaced) is inconsistent with the saved head", async () => {
    const h = await freshHarness(2);
    try {
      const saved = await audit(h);
      expect(saved.state?.tree_size).toBe(4);
      // The perfect subtree of leaves 0..3, as a server would swap it to hide a key it served before.
      const fake = Buffer.alloc(32, 1).toString("base64");
      expect(
        await sql(h, "UPDATE kt_nodes SET hash = ? WHERE app_id = ? AND level = 2 AND idx = 0", fake, h.app.id),
      ).toBe(1);
      await registerUser(h);
      const report = await audit(h, saved.state);
      expect(kinds(report)).toEqual(["inconsistent"]);
      expect(report.state).toEqual(saved.state);
      // A fresh auditor (no state) sees that the leaves do not give the signed head.
      expect(kinds(await audit(h))).toEqual(["root_mismatch"]);
    } finally {
      await h.close();
    }
  });

  it("a truncated log and a forged head signature are reported", async () => {
    const h = await freshHarness(3);
    try {
      const saved = await audit(h);
      // Roll the log back to 4 leaves (the newest signed head goes with it).
      await sql(h, "DELETE FROM kt_leaves WHERE app_id = ? AND idx >= 4", h.app.id);
      await sql(h, "DELETE FROM kt_heads WHERE app_id = ? AND tree_size > 4", h.app.id);
      await sql(h, "UPDATE kt_trees SET tree_size = 4 WHERE app_id = ?", h.app.id);
      expect(kinds(await audit(h, saved.state))).toEqual(["log_shrunk"]);

      const head = expectOk(await h.call("GET", `${V}/kt/sth`));
      const signature = Buffer.from(head.signature, "base64");
      signature[3]! ^= 1;
      await sql(
        h,
        "UPDATE kt_heads SET signature = ? WHERE app_id = ? AND tree_size = ?",
        signature.toString("base64"),
        h.app.id,
        head.tree_size,
      );
      expect(kinds(await audit(h))).toEqual(["bad_signature"]);
    } finally {
      await h.close();
    }
  });
});

describe("sentc-server audit", () => {
  let cli = "";
  let h: Harness;
  beforeAll(async () => {
    cli = buildServerInto(join(root, "dist/kt-audit-test"));
    h = await freshHarness(2);
  }, 180_000);
  afterAll(() => h.close());

  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [cli, "audit", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("close", (code) => done({ code, stdout, stderr }));
    });

  it("prints the JSON report, keeps the state file, exits 1 on findings and 2 on a wrong command line", async () => {
    const stateFile = join(dir, "state.json");
    const args = ["--url", h.server.baseUrl, "--app-token", h.app.publicToken, "--state", stateFile];
    const clean = await run(args);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, entries_checked: 4, findings: [] });
    expect(parseAuditState(readFileSync(stateFile, "utf8")).tree_size).toBe(4);

    await registerUser(h);
    const again = await run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, entries_checked: 2 });
    expect(parseAuditState(readFileSync(stateFile, "utf8")).tree_size).toBe(6);

    await sql(
      h,
      "UPDATE kt_nodes SET hash = ? WHERE app_id = ? AND level = 2 AND idx = 0",
      Buffer.alloc(32).toString("base64"),
      h.app.id,
    );
    await registerUser(h);
    const tampered = await run(args);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout).findings).toEqual([{ kind: "inconsistent", first: 6, second: 8 }]);
    // The state file keeps the last verified head.
    expect(parseAuditState(readFileSync(stateFile, "utf8")).tree_size).toBe(6);

    const wrong = await run(["--url", h.server.baseUrl]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--app-token");
    expect(existsSync(stateFile)).toBe(true);
  }, 60_000);
});
