// Runs the server suite on the PostgreSQL store (SENTC_TEST_STORE=postgres) against SENTC_TEST_PG_URL.
// Without a URL: in CI (CI=true) that is a failure; on a developer machine the run is skipped with a loud line
// (`.ci/run` installs and starts PostgreSQL and sets the URL).
import { spawnSync } from "node:child_process";

if (!process.env.SENTC_TEST_PG_URL) {
  if (process.env.CI === "true") {
    console.error("test:server:pg: SENTC_TEST_PG_URL is not set (CI=true): PostgreSQL is required");
    process.exit(1);
  }
  console.warn("\n!!! SKIPPING the server suite on PostgreSQL: set SENTC_TEST_PG_URL (or run bash .ci/run) !!!\n");
  process.exit(0);
}
const vitest = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "test/server", "--outputFile.json=test-results/server-pg.json"],
  { stdio: "inherit", env: { ...process.env, SENTC_TEST_STORE: "postgres" } },
);
process.exit(vitest.status ?? 1);
