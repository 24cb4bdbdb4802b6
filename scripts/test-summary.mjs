// Prints one closing line for the whole `npm test` run from the Vitest JSON reports:
// "tests: N passed, N failed" (skipped and todo counted after a comma when present).
import { existsSync, readFileSync } from "node:fs";

const reports = [
  "test-results/unit.json",
  "test-results/server-pg.json",
  "test-results/browser.json",
  "test-results/package.json",
].filter((file) => existsSync(file));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (reports.length === 0) {
  console.log("tests: 0 passed, 1 failed (no test report found)");
  process.exit(1);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (failed > 0 || passed === 0) process.exit(1);
