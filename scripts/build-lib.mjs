// Builds what the package ships (see vite.config.ts for the two bundles):
//   dist/sentc.js, dist/sentc.umd.js, dist/core.wasm and dist/types/ (declarations of the ESM entry).
// dist/server/ (the compiled API server) is left alone.
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const at = (path) => resolve(root, path);
const run = (script, args) => execFileSync(process.execPath, [at(script), ...args], { cwd: root, stdio: "inherit" });

for (const output of ["dist/sentc.js", "dist/sentc.js.map", "dist/sentc.umd.js", "dist/sentc.umd.js.map", "dist/core.wasm", "dist/types"]) {
  rmSync(at(output), { recursive: true, force: true });
}
run("node_modules/vite/bin/vite.js", ["build", "--mode", "esm", "--logLevel", "warn"]);
run("node_modules/vite/bin/vite.js", ["build", "--mode", "umd", "--logLevel", "warn"]);
copyFileSync(at("build/core.wasm"), at("dist/core.wasm"));
run("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
console.log("dist/sentc.js, dist/sentc.umd.js, dist/core.wasm, dist/types/");
