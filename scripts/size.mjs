// Prints the size of what a browser downloads for the crypto core: build/core.wasm, raw and gzip -9.
// Exits non-zero when the gzip size is over the budget (40 KB for the classical core).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const CORE_BUDGET_BYTES = 40 * 1024;

const wasm = readFileSync(new URL("../build/core.wasm", import.meta.url));
const gzip = gzipSync(wasm, { level: 9 }).length;
console.log(`build/core.wasm: ${wasm.length} bytes, ${gzip} bytes gzip (budget ${CORE_BUDGET_BYTES} bytes)`);
if (gzip > CORE_BUDGET_BYTES) process.exitCode = 1;
