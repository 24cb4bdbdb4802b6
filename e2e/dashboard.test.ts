/**
 * The dashboard page (/dashboard, served by the server) in headless Chromium, used through its fields and
 * buttons: sign in with the admin token (a wrong one is refused), create an app and read its tokens once,
 * switch `user_register` to public in the options table and watch the SDK (UMD page) register with the
 * public token, renew the tokens and see the old one refused, add and delete a JWT key.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCaller, startHarness, type Harness } from "../test/server/harness.js";
import { launchChromium } from "./helpers/chromium.js";
import { buildUmdPage, openSdkPage } from "./helpers/sdk-pages.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const UMD_OUT = "build/e2e/dashboard/umd";
const ADMIN_TOKEN = "dashboard-admin-token-0123456789";
let browser: Browser;
let h: Harness;
let site: StaticServer;

beforeAll(async () => {
  await buildUmdPage(UMD_OUT);
  site = await serveFolder(UMD_OUT);
  h = await startHarness({}, { server: { adminToken: ADMIN_TOKEN } });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await h?.close();
});

/** Waits for the dashboard's status line to report `what` as done (fails with its error otherwise). */
async function done(page: Page, what: string): Promise<void> {
  const handle = await page.waitForFunction(
    (action) => {
      const status = document.getElementById("status")!;
      if (status.classList.contains("error")) return `error: ${status.textContent}`;
      return status.textContent === `${action}: done` ? "ok" : false;
    },
    what,
    { timeout: 30_000 },
  );
  expect(await handle.jsonValue()).toBe("ok");
}

/** Registers a new user with the SDK in a fresh browser context; the error message when it fails. */
async function registerInBrowser(appToken: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await openSdkPage(context, site.url, { app_token: appToken, base_url: h.server.baseUrl });
    return await page.evaluate(async (id) => {
      const S = (window as any).Sentc.default;
      await (window as any).ready;
      try {
        await S.register(id, "correct horse");
        return "registered";
      } catch (error) {
        return `refused: ${String((error as Error).message ?? error)}`;
      }
    }, `dash-${Date.now()}-${Math.random()}`);
  } finally {
    await context.close();
  }
}

describe("the dashboard", () => {
  it("sign in, create an app, open register to the public token, renew tokens, manage JWT keys", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("dialog", (dialog) => void dialog.accept());

    // / redirects to the dashboard.
    await page.goto(`${h.server.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/dashboard");

    await page.fill("#admin-token", "not-the-admin-token-0123456789");
    await page.click("#sign-in");
    await page.waitForSelector("#status.error");
    expect(await page.textContent("#status")).toContain("Wrong or missing admin token");
    expect(await page.isHidden("#signed-in")).toBe(true);

    await page.fill("#admin-token", ADMIN_TOKEN);
    await page.click("#sign-in");
    await done(page, "Sign in");
    expect(await page.locator(`#apps tr[data-app-id="${h.app.id}"]`).count()).toBe(1);

    // Create: the tokens are shown once.
    await page.fill("#new-identifier", "dashboard-shop");
    await page.selectOption("#new-preset", "default");
    await page.click("#create");
    await done(page, "Create app");
    const appId = (await page.textContent("#shown-app-id"))!;
    const publicToken = (await page.textContent("#shown-public"))!;
    const secretToken = (await page.textContent("#shown-secret"))!;
    expect(publicToken).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(secretToken).toHaveLength(68);
    expect(await page.locator(`#apps tr[data-app-id="${appId}"]`).textContent()).toContain("dashboard-shop");
    expect(await page.textContent("#detail-id")).toBe(appId);

    // sentc's default options: register needs the secret token.
    expect(await page.isChecked('input[name="opt-user_register"][value="2"]')).toBe(true);
    expect(await registerInBrowser(publicToken)).toMatch(/^refused/);

    // Switch register to public in the table and save: the SDK registers with the public token.
    await page.check('input[name="opt-user_register"][value="1"]');
    await page.click("#save-options");
    await done(page, "Save options");
    expect(await registerInBrowser(publicToken)).toBe("registered");

    // Renew: new tokens on the page, the old public token is refused at once, the new one works.
    await page.click("#renew");
    await done(page, "Renew tokens");
    const newPublic = (await page.textContent("#shown-public"))!;
    expect(newPublic).not.toBe(publicToken);
    const old = await apiCaller(h.server.baseUrl, publicToken)("POST", "/api/v1/exists", {
      body: { user_identifier: "x" },
    });
    expect(old.body.err_code).toBe(200);
    expect(await registerInBrowser(publicToken)).toMatch(/^refused/);
    expect(await registerInBrowser(newPublic)).toBe("registered");

    // JWT keys: one from the creation, a new pair, then the old one deleted.
    expect(await page.locator("#jwt-keys tr").count()).toBe(1);
    const firstKey = await page.locator("#jwt-keys tr").first().getAttribute("data-key-id");
    await page.click("#jwt-add");
    await done(page, "New JWT key");
    expect(await page.locator("#jwt-keys tr").count()).toBe(2);
    expect((await page.textContent("#jwt-sign-key"))!.length).toBeGreaterThan(100);
    await page.locator(`#jwt-keys tr[data-key-id="${firstKey}"] button`).click();
    await done(page, "Delete JWT key");
    expect(await page.locator("#jwt-keys tr").count()).toBe(1);
    expect(await page.locator(`#jwt-keys tr[data-key-id="${firstKey}"]`).count()).toBe(0);

    await page.screenshot({ path: "build/e2e/dashboard.png", fullPage: true });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
