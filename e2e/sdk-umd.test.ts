/**
 * The SDK from a plain HTML page with <script src="sentc.umd.js"> in headless Chromium, against the project's
 * server on 127.0.0.1: init, register, login, encrypt and decrypt, a page reload that restores the user from
 * IndexedDB, and a logout that empties it.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSdkHarness, type SdkHarness } from "../test/sdk/helpers.js";
import { launchChromium } from "./helpers/chromium.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const OUT = "build/e2e/sdk-umd";
let browser: Browser;
let site: StaticServer;
let api: SdkHarness;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sentc-as UMD</title></head>
<body>
<script src="./sentc.umd.js"></script>
<script>
  const Sentc = window.Sentc.default;
  const options = () => JSON.parse(new URLSearchParams(location.search).get("options"));
  /** Counts the records the SDK keeps in IndexedDB (database "sentclose", store "keys"). */
  window.storedRecords = () => new Promise((resolve, reject) => {
    const open = indexedDB.open("sentclose");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("keys")) { db.close(); resolve(0); return; }
      const count = db.transaction("keys", "readonly").objectStore("keys").count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
      count.onerror = () => reject(count.error);
    };
  });
  window.ready = Sentc.init(options());
</script>
</body></html>`;

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build-lib.mjs"], { stdio: "ignore" });
  mkdirSync(OUT, { recursive: true });
  copyFileSync("dist/sentc.umd.js", `${OUT}/sentc.umd.js`);
  writeFileSync(`${OUT}/index.html`, PAGE);
  api = await startSdkHarness();
  site = await serveFolder(OUT);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await api?.h.close();
});

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const options = { app_token: api.lax.publicToken, base_url: api.baseUrl };
  await page.goto(`${site.url}index.html?options=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => (window as { ready?: unknown }).ready !== undefined);
  expect(errors).toEqual([]);
  return page;
}

describe("the UMD build in a page, with the project's server", () => {
  it("register, login, encrypt, reload (restored from IndexedDB), logout (IndexedDB emptied)", async () => {
    const context = await browser.newContext();
    const identifier = `umd-${Date.now()}`;
    let page = await open(context);

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
    page = await open(context);
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
    page = await open(context);
    expect(await page.evaluate(async () => (await (window as any).ready) === undefined)).toBe(true);
    await context.close();
  });
});
