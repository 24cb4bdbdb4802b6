/**
 * The SDK in headless Chromium against the project's server on 127.0.0.1, in two apps: a plain HTML page with
 * <script src="sentc.umd.js"> (window.Sentc.default) and a Vite-bundled app with `import Sentc from "sentc-as"`.
 * Each: init, register, login, encrypt and decrypt, a page reload that restores the user from IndexedDB, and a
 * logout that empties it.
 */
import { existsSync, readdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSdkHarness, type SdkHarness } from "../test/sdk/helpers.js";
import { launchChromium } from "./helpers/chromium.js";
import { buildEsmApp, buildUmdPage, openSdkPage } from "./helpers/sdk-pages.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const UMD_OUT = "build/e2e/sdk-apps/umd";
const ESM_OUT = "build/e2e/sdk-apps/esm";
let browser: Browser;
const sites: Record<string, StaticServer> = {};
let api: SdkHarness;

beforeAll(async () => {
  await buildUmdPage(UMD_OUT);
  await buildEsmApp(ESM_OUT);
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

function open(context: BrowserContext, app: string): Promise<Page> {
  return openSdkPage(context, sites[app]!.url, { app_token: api.lax.publicToken, base_url: api.baseUrl });
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
      return {
        userId: user?.user_data.user_id,
        decrypted: await user.decryptString(encrypted, true, user.user_data.user_id),
      };
    }, first.encrypted);
    expect(second).toEqual({ userId: first.userId, decrypted: "hello from the page ✓" });

    // Logout removes every record the SDK stored for the user; the next load has no user. The app's key
    // transparency state (its log key and newest signed head, no user's data) stays, so a later login cannot be
    // shown a forked or older log.
    const afterLogout = await page.evaluate(async () => {
      const user = await (window as any).ready;
      await user.logOut();
      return (window as any).storedKeys();
    });
    expect(afterLogout).toEqual(["kt_state"]);
    await page.close();
    page = await open(context, app);
    expect(await page.evaluate(async () => (await (window as any).ready) === undefined)).toBe(true);
    await context.close();
  });
});
