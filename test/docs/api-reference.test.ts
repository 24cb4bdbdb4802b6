/**
 * docs/api is generated from the types (`npm run docs:api`: TypeDoc + typedoc-plugin-markdown, typedoc.json).
 * This test regenerates it into a temporary folder and fails when the committed copy differs.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const COMMITTED = join(ROOT, "docs/api");
const out = mkdtempSync(join(tmpdir(), "sentc-api-docs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.set(relative(dir, path).split("\\").join("/"), readFileSync(path, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

describe("docs/api", () => {
  it("is up to date with the types (else run `npm run docs:api`)", async () => {
    const typedoc = join(ROOT, "node_modules/typedoc/bin/typedoc");
    await promisify(execFile)(
      process.execPath,
      [typedoc, "--options", join(ROOT, "typedoc.json"), "--out", out, "--logLevel", "Error"],
      { cwd: ROOT },
    );
    const fresh = files(out);
    const committed = files(COMMITTED);
    expect(fresh.size).toBeGreaterThan(0);
    const missing = [...fresh.keys()].filter((f) => !committed.has(f));
    const extra = [...committed.keys()].filter((f) => !fresh.has(f));
    const changed = [...fresh.keys()].filter((f) => committed.has(f) && committed.get(f) !== fresh.get(f));
    expect({ missing, extra, changed }, "docs/api is stale: run `npm run docs:api` and commit docs/api").toEqual({
      missing: [],
      extra: [],
      changed: [],
    });
  });

  it("holds no machine paths", () => {
    for (const [file, text] of files(COMMITTED)) {
      expect(/(?:\/home\/|\/work\/|\/tmp\/|\/Users\/|[A-Z]:\\)/.test(text), file).toBe(false);
    }
  });
});
