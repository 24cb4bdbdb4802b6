// Prints the gzip -9 size of what a browser downloads and fails when a budget is exceeded:
//   the crypto core (build/core.wasm)           ≤ 40 KB
//   the ESM build + its core (dist/sentc.js + dist/core.wasm)   ≤ 80 KB
//   the UMD build, core inlined (dist/sentc.umd.js)             ≤ 80 KB
// Run `npm run build:lib` first (npm run size does).
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const KB = 1024;
const gzip = (file) => gzipSync(readFileSync(new URL(`../${file}`, import.meta.url)), { level: 9 }).length;
const checks = [
  { what: "crypto core (build/core.wasm)", files: ["build/core.wasm"], budget: 40 * KB },
  { what: "ESM (dist/sentc.js + dist/core.wasm)", files: ["dist/sentc.js", "dist/core.wasm"], budget: 80 * KB },
  { what: "UMD (dist/sentc.umd.js, core inlined)", files: ["dist/sentc.umd.js"], budget: 80 * KB },
];
let over = 0;
for (const check of checks) {
  const missing = check.files.filter((file) => !existsSync(new URL(`../${file}`, import.meta.url)));
  if (missing.length > 0) {
    console.log(`${check.what}: missing ${missing.join(", ")} (run npm run build:lib)`);
    over++;
    continue;
  }
  const bytes = check.files.reduce((sum, file) => sum + gzip(file), 0);
  const ok = bytes <= check.budget;
  if (!ok) over++;
  console.log(`${check.what}: ${(bytes / KB).toFixed(1)} KB gzip (budget ${check.budget / KB} KB)${ok ? "" : "  OVER BUDGET"}`);
}
process.exitCode = over > 0 ? 1 : 0;
