/**
 * Compiles the server into a folder of a test's own, laid out as the server package's build (server/build.mjs):
 * `<outDir>/server/cli.js`, the crypto core at `<outDir>/core.wasm` and the dashboard files at
 * `<outDir>/server/dashboard/`. Test files that spawn the CLI use their own folder, so that files building the server
 * at the same time do not meet.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

/** Builds the server into `outDir` and returns the path of its `cli.js`. */
export function buildServerInto(outDir: string): string {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "server/tsconfig.json"), "--outDir", outDir], {
    cwd: root,
    stdio: "inherit",
  });
  copyFileSync(join(root, "build/core.wasm"), join(outDir, "core.wasm"));
  cpSync(join(root, "server/dashboard"), join(outDir, "server/dashboard"), { recursive: true });
  return join(outDir, "server/cli.js");
}
