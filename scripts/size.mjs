// Prints the gzip -9 size of what a browser downloads and fails when a budget is exceeded:
//   the crypto core (build/core.wasm)                                      ≤ 30 KB
//   the UMD build, minified, core inlined (dist/sentc.umd.js)              ≤ 73 KB (target 64 KB)
//   the ESM build + its core (dist/sentc.js, the chunks it imports, dist/core.wasm), as shipped: readable,
//   not minified (the application's bundler minifies it)                   ≤ 125 KB
// Run `npm run build:lib` first (npm run size does).
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const KB = 1024;
const at = (file) => new URL(`../${file}`, import.meta.url);
const gzip = (file) => gzipSync(readFileSync(at(file)), { level: 9 }).length;

/** dist/sentc.js and the chunks it imports statically (the ESM build shares one with dist/core.js). */
function esmClosure(entry) {
  const files = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (files.has(file) || !existsSync(at(file))) continue;
    files.add(file);
    for (const match of readFileSync(at(file), "utf8").matchAll(/(?:from\s*|import\s*)["']\.\/([^"']+\.js)["']/g))
      pending.push(`dist/${match[1]}`);
  }
  return [...files];
}

const checks = [
  { what: "crypto core (build/core.wasm)", files: ["build/core.wasm"], budget: 30 * KB },
  { what: "UMD (dist/sentc.umd.js, minified, core inlined)", files: ["dist/sentc.umd.js"], budget: 73 * KB },
  {
    what: "ESM, not minified (dist/sentc.js + chunks + dist/core.wasm)",
    files: [...esmClosure("dist/sentc.js"), "dist/core.wasm"],
    budget: 125 * KB,
  },
];
let over = 0;
for (const check of checks) {
  const missing = check.files.filter((file) => !existsSync(at(file)));
  if (missing.length > 0) {
    console.log(`${check.what}: missing ${missing.join(", ")} (run npm run build:lib)`);
    over++;
    continue;
  }
  const bytes = check.files.reduce((sum, file) => sum + gzip(file), 0);
  const ok = bytes <= check.budget;
  if (!ok) over++;
  console.log(
    `${check.what}: ${(bytes / KB).toFixed(1)} KB gzip (budget ${check.budget / KB} KB)${ok ? "" : "  OVER BUDGET"}`,
  );
}
process.exitCode = over > 0 ? 1 : 0;
