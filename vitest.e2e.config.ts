import { defineConfig } from "vitest/config";

/** Browser suites: Playwright drives the Debian Chromium against pages served on 127.0.0.1. */
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/browser.json" },
  },
});
