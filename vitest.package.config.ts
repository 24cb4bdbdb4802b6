import { defineConfig } from "vitest/config";

/** The packaging test (`npm run test:package`): packs both packages, installs them offline, uses them. */
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/package.json" },
  },
});
