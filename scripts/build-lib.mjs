// Builds what the package ships (see vite.config.ts for the bundles):
//   dist/sentc.js + dist/core.js (+ their shared chunk), dist/sentc.umd.js, dist/core.wasm, and the declarations
//   of the two ESM entries: dist/types/index.d.ts (`sentc-as`) and dist/types/core.d.ts (`sentc-as/core`).
// The declarations are emitted by tsc into build/types (declarations marked @internal stripped, tsconfig.build.json)
// and then bundled by rollup-plugin-dts, which keeps only what the entries export or reference: the modules'
// internal helpers (e.g. src/sdk/internal.ts, *-internal.ts) do not ship.
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = resolve(import.meta.dirname, "..");
const at = (path) => resolve(root, path);
const run = (script, args) => execFileSync(process.execPath, [at(script), ...args], { cwd: root, stdio: "inherit" });

// Everything earlier builds left in dist/ (an older layout also put the compiled server there).
rmSync(at("dist"), { recursive: true, force: true });
run("node_modules/vite/bin/vite.js", ["build", "--mode", "esm", "--logLevel", "warn"]);
run("node_modules/vite/bin/vite.js", ["build", "--mode", "umd", "--logLevel", "warn"]);
copyFileSync(at("build/core.wasm"), at("dist/core.wasm"));

rmSync(at("build/types"), { recursive: true, force: true });
run("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
const bundle = await rollup({
  input: { index: at("build/types/index.d.ts"), core: at("build/types/core/index.d.ts") },
  plugins: [dts()],
  onwarn(warning) {
    throw new Error(`build-lib: bundling the declarations: ${warning.message}`);
  },
});
await bundle.write({ dir: at("dist/types"), format: "es", chunkFileNames: "shared-[hash].d.ts" });
await bundle.close();

const declarations = readdirSync(at("dist/types"));
const text = declarations.map((file) => readFileSync(join(at("dist/types"), file), "utf8")).join("\n");
for (const leak of ["@internal", "readServerOutput", "SdkContext"]) {
  if (text.includes(leak)) throw new Error(`build-lib: the declarations still contain ${leak}`);
}
console.log(`dist/sentc.js, dist/core.js, dist/sentc.umd.js, dist/core.wasm, dist/types/ (${declarations.join(", ")})`);
