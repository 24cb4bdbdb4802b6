/**
 * The SDK in headless Chromium against the project's server on 127.0.0.1, in two apps: a plain HTML page with
 * <script src="sentc.umd.js"> (window.Sentc.default) and a Vite-bundled app with `import Sentc from "sentc-as"`.
 * Each: init, register, login, encrypt and decrypt, a page reload that restores the user from IndexedDB, and a
 * logout that empties it.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "vite";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSdkHarness, type SdkHarness } from "../test/sdk/helpers.js";
import { launchChromium } from "./helpers/chromium.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const UMD_OUT = "build/e2e/sdk-apps/umd";
const ESM_OUT = "build/e2e/sdk-apps/esm";
let browser: Browser;
const sites: Record<string, StaticServer> = {};
let api: SdkHarness;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sentc-as UMD</title></head>
<body>
<script src="./sentc.umd.js"></script>
<script type="module">
  import { exposeSdk } from "./page-api.js";
  exposeSdk(window.Sentc.default);
</script>
</body></html>`;

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build-lib.mjs"], { stdio: "ignore" });
  // The UMD page, with the page helpers compiled to plain JS by a tiny Vite library build.
  mkdirSync(UMD_OUT, { recursive: true });
  copyFileSync("dist/sentc.umd.js", `${UMD_OUT}/sentc.umd.js`);
  writeFileSync(`${UMD_OUT}/index.html`, PAGE);
  await build({
    configFile: false,
    logLevel: "warn",
    build: { outDir: UMD_OUT, emptyOutDir: false, lib: { entry: "e2e/apps/page-api.ts", formats: ["es"], fileName: () => "page-api.js" } },
  });
  // The Vite app, resolving "sentc-as" to the package's ESM build as an installed package would.
  await build({
    configFile: false,
    logLevel: "warn",
    root: "e2e/apps/esm-app",
    resolve: { alias: { "sentc-as": resolve("dist/sentc.js") } },
    build: { outDir: resolve(ESM_OUT), emptyOutDir: true },
  });
  api = await startSdkHarness();
  sites.umd = await serveFolder(UMD_OUT);
  sites.esm = await serveFolder(ESM_OUT);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const site of Object.values(sites)) await site.close();
  await api?.h.close();
});

async function open(context: BrowserContext, app: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const options = { app_token: api.lax.publicToken, base_url: api.baseUrl };
  await page.goto(`${sites[app]!.url}index.html?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => (window as { ready?: unknown }).ready !== undefined);
  expect(errors).toEqual([]);
  return page;
}

describe.each(["umd", "esm"])("the SDK in the %s app, with the project's server", (app) => {
  it("the Vite app emitted the core as an asset", () => {
    if (app === "esm") expect(readdirSync(`${ESM_OUT}/assets`).some((file) => file.endsWith(".wasm"))).toBe(true);
    else expect(existsSync(`${UMD_OUT}/sentc.umd.js`)).toBe(true);
  });

  it("register, login, encrypt, reload (restored from IndexedDB), logout (IndexedDB emptied)", async () => {
    const context = await browser.newContext();
    const identifier = `${app}-${Date.now()}`;
    let page = await open(context, app);

    const first = await page.evaluate(async (id) => {
      const S = (window as any).Sentc.default;
      const restored = await (window as any).ready;
      await S.register(id, "correct horse ✓");
      const login = await S.login(id, "correct horse ✓");
      const user = login.u;
      const encrypted = await user.encryptString("hello from the page ✓", user.user_data.user_id, true);
      const decrypted = await user.decryptString(encrypted, true, user.user_data.user_id);
      return {
        restoredBefore: restored === undefined,
        kind: login.kind,
        userId: user.user_data.user_id,
        encrypted,
        decrypted,
        keyAlg: Object.keys(JSON.parse(user.user_data.device.private_key))[0],
        records: await (window as any).storedRecords(),
      };
    }, identifier);
    expect(first.restoredBefore).toBe(true);
    expect(first.kind).toBe("user");
    expect(first.decrypted).toBe("hello from the page ✓");
    expect(first.keyAlg).toBe("EciesKyberHybrid");
    expect(first.records).toBeGreaterThan(0);

    // A reload: init restores the user from IndexedDB and it still decrypts what it encrypted before.
    await page.close();
    page = await open(context, app);
    const second = await page.evaluate(async (encrypted) => {
      const user = await (window as any).ready;
      return { userId: user?.user_data.user_id, decrypted: await user.decryptString(encrypted, true, user.user_data.user_id) };
    }, first.encrypted);
    expect(second).toEqual({ userId: first.userId, decrypted: "hello from the page ✓" });

    // Logout removes every record the SDK stored; the next load has no user.
    const afterLogout = await page.evaluate(async () => {
      const user = await (window as any).ready;
      await user.logOut();
      return (window as any).storedRecords();
    });
    expect(afterLogout).toBe(0);
    await page.close();
    page = await open(context, app);
    expect(await page.evaluate(async () => (await (window as any).ready) === undefined)).toBe(true);
    await context.close();
  });
});
