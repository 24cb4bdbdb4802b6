import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { expect } from "vitest";

const UMD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sentc-as UMD</title></head>
<body>
<script src="./sentc.umd.js"></script>
<script type="module">
  import { exposeSdk } from "./page-api.js";
  exposeSdk(window.Sentc.default);
</script>
</body></html>`;

/** Builds the library and a plain HTML page that loads dist/sentc.umd.js with a <script> tag. */
export async function buildUmdPage(outDir: string): Promise<void> {
  // Asynchronously: a minute of blocked event loop would stall the test runner's own messages.
  await promisify(execFile)(process.execPath, ["scripts/build-lib.mjs"]);
  mkdirSync(outDir, { recursive: true });
  copyFileSync("dist/sentc.umd.js", `${outDir}/sentc.umd.js`);
  writeFileSync(`${outDir}/index.html`, UMD_PAGE);
  // The page helpers (e2e/apps/page-api.ts), compiled to plain JS by a tiny Vite library build.
  await build({
    configFile: false,
    logLevel: "warn",
    build: {
      outDir,
      emptyOutDir: false,
      lib: { entry: "e2e/apps/page-api.ts", formats: ["es"], fileName: () => "page-api.js" },
    },
  });
}

/** Builds the Vite app in e2e/apps/esm-app, resolving "sentc-as" to dist/sentc.js as an installed package would. */
export async function buildEsmApp(outDir: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: "warn",
    root: "e2e/apps/esm-app",
    resolve: { alias: { "sentc-as": resolve("dist/sentc.js") } },
    build: { outDir: resolve(outDir), emptyOutDir: true },
  });
}

/** Opens a page of a built app with the SDK options in its URL and waits until `Sentc.init` has been called. */
export async function openSdkPage(
  context: BrowserContext,
  siteUrl: string,
  options: Record<string, unknown>,
): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${siteUrl}index.html?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => (window as { ready?: unknown }).ready !== undefined);
  expect(errors).toEqual([]);
  return page;
}
