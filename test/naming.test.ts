/**
 * One naming style for file names per folder: kebab-case (`group-keyring.ts`, `aes-gcm.test.ts`) everywhere in the
 * TypeScript and JavaScript sources, except `src/core/abi/`, whose files are named after their counterparts in
 * `assembly/abi/` (snake_case, as AssemblyScript sources are).
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FOLDERS = ["src", "server", "test", "e2e", "bench", "scripts", "examples"];
const SKIP = new Set(["node_modules", "dist"]);
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)*\.(ts|mjs|js)$/;
const SNAKE = /^[a-z0-9]+(_[a-z0-9]+)*\.ts$/;

/** The style a folder's file names must follow. */
function styleOf(folder: string): RegExp {
  return folder === "src/core/abi" ? SNAKE : KEBAB;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

describe("file names", () => {
  it("follow one style per folder", () => {
    const files = FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder))).map((file) =>
      relative(ROOT, file).split("\\").join("/"),
    );
    expect(files.length).toBeGreaterThan(200);
    const wrong = files.filter((file) => {
      const slash = file.lastIndexOf("/");
      return !styleOf(file.slice(0, slash)).test(file.slice(slash + 1));
    });
    expect(wrong).toEqual([]);
  });

  it("the check can fail", () => {
    expect(styleOf("src/sdk").test("Group.ts")).toBe(false);
    expect(styleOf("src/sdk").test("group-keyring.ts")).toBe(true);
    expect(styleOf("src/core/abi").test("aes_gcm.ts")).toBe(true);
    expect(styleOf("src/core").test("aes_gcm.ts")).toBe(false);
  });
});
