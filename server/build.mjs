// Builds the server package (`npm run build` here, `npm run build:server` at the repository root, and before
// `npm pack`): compiles the server together with the two SDK layers it imports, src/core and src/protocol
// (plus src/errors.ts, which they use), into dist/, and copies the crypto core beside them:
//   dist/server/cli.js   the `sentc-server` bin
//   dist/src/…           compiled copies of src/core, src/protocol, src/errors.ts
//   dist/core.wasm       the core (build/core.wasm of the repository: `npm run build:core` there first)
//   dist/server/dashboard/  the dashboard page's static files
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";

const here = import.meta.dirname;
const dist = join(here, "dist");
const core = resolve(here, "../build/core.wasm");
if (!existsSync(core)) {
  console.error("server build: ../build/core.wasm is missing: run `npm run build:core` in the repository root");
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
copyFileSync(core, join(dist, "core.wasm"));
// The dashboard page's static files, beside the compiled admin/ folder that serves them.
cpSync(join(here, "dashboard"), join(dist, "server", "dashboard"), { recursive: true });

// The server may use src/core and src/protocol only (the layer rule): anything else compiled in is an error.
const allowed = [/^server\//, /^src\/core\//, /^src\/protocol\//, /^src\/errors\.js$/, /^core\.wasm$/];
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
const outside = walk(dist)
  .map((file) => relative(dist, file).split("\\").join("/"))
  .filter((file) => !allowed.some((rule) => rule.test(file)));
if (outside.length > 0) {
  console.error(`server build: the server imports modules outside src/core and src/protocol: ${outside.join(", ")}`);
  process.exit(1);
}
