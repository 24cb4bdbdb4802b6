/**
 * The demo page (examples/demo) as a person uses it, in headless Chromium: served by the example backend next to
 * the API server (as `npm start` runs them), with the app on sentc's default options. Two users register through
 * the backend, one logs in, creates a group, invites the other, encrypts a text and a file; the other logs in on
 * the same page, opens the group and decrypts both. Everything goes through the page's buttons and fields.
 * A second test runs `npm start`'s script itself (scripts/start.mjs: builds, both processes) and registers a user
 * through the page it serves.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { buildUmd, startDemoStack, type DemoStack } from "./helpers/demo-stack.js";

const SCREENSHOT = "build/e2e/demo.png";
let browser: Browser;
let stack: DemoStack;

beforeAll(async () => {
  await buildUmd();
  stack = await startDemoStack();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Waits until the page logs a line containing `text`; fails with the page's own message when it logs an error. */
async function logged(page: Page, text: string): Promise<void> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const items = Array.from(document.querySelectorAll("#log li"));
      const error = items.find((li) => li.classList.contains("error"));
      if (error) return `error: ${error.textContent}`;
      return items.some((li) => li.textContent!.includes(wanted)) ? "ok" : false;
    },
    text,
    { timeout: 30_000 },
  );
  expect(await handle.jsonValue()).toBe("ok");
}

async function fillAccount(page: Page, identifier: string, password: string): Promise<void> {
  await page.fill("#identifier", identifier);
  await page.fill("#password", password);
}

describe("the demo page", () => {
  it("two users: register through the backend, group, invite, text and file encrypted by one and decrypted by the other", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    const backendCalls: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(`${stack.backendUrl}api/`))
        backendCalls.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });

    await page.goto(stack.backendUrl);
    await page.waitForSelector("#status[data-state=ready]");
    expect(await page.textContent("#current-user")).toBe("nobody");

    // Register alice and bob: prepare in the page, the backend posts it with the secret token, done in the page.
    const alice = { identifier: `alice-${Date.now()}@example.com`, password: "alice's password ✓" };
    const bob = { identifier: `bob-${Date.now()}@example.com`, password: "bob's password ✓" };
    for (const person of [alice, bob]) {
      await fillAccount(page, person.identifier, person.password);
      await page.click("#register");
      await logged(page, `Registered ${person.identifier}`);
    }
    expect(backendCalls).toEqual(["POST /api/register", "POST /api/register"]);
    const ids = await page.$$eval("#known-users tbody tr", (rows) =>
      rows.map((row) => (row as HTMLElement).dataset.userId!),
    );
    expect(ids).toHaveLength(2);
    const [aliceId, bobId] = ids as [string, string];

    // The own-backend panes show the prepare JSON and the server's envelope, unchanged in structure.
    const prepared = JSON.parse((await page.textContent("#prepare-json")) ?? "");
    expect(Object.keys(prepared)).toEqual(["device", "group"]);
    expect(prepared.device.device_identifier).toBe(bob.identifier);
    expect(Object.keys(prepared.device.derived)).toContain("hashed_authentication_key");
    const answer = JSON.parse((await page.textContent("#done-json")) ?? "");
    expect(answer).toMatchObject({ status: true, result: { user_id: bobId } });
    // The page never saw the secret token.
    expect(await page.content()).not.toContain(stack.app.secretToken);

    // alice logs in, creates a group and invites bob.
    await fillAccount(page, alice.identifier, alice.password);
    await page.click("#login");
    await logged(page, `Logged in as ${alice.identifier}`);
    expect(await page.textContent("#current-user")).toContain(aliceId);
    await page.click("#create-group");
    await logged(page, "Created group");
    const groupId = (await page.textContent("#current-group"))!;
    expect(groupId).toMatch(/^[0-9a-f-]{36}$/);
    await page.fill("#invite-id", bobId);
    await page.click("#invite");
    await logged(page, `Invited ${bobId}`);

    // Text: encrypt for the group, decrypt again.
    const secret = "Meet at noon, bring the keys ✓";
    await page.fill("#plain", secret);
    await page.click("#encrypt");
    await logged(page, "Encrypted the text");
    const cipher = await page.inputValue("#cipher");
    expect(cipher.length).toBeGreaterThan(secret.length);
    expect(cipher).not.toContain("noon");
    await page.click("#decrypt");
    await logged(page, "Decrypted the text");
    expect(await page.textContent("#decrypted")).toBe(secret);

    // A file: encrypted and uploaded in parts, the progress bar reaches the end.
    const fileBytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251));
    await page.setInputFiles("#file-input", {
      name: "plan.bin",
      mimeType: "application/octet-stream",
      buffer: fileBytes,
    });
    await page.click("#upload");
    await logged(page, "Uploaded plan.bin");
    const fileId = await page.inputValue("#file-id");
    expect(fileId).not.toBe("");
    expect(await page.$eval("#upload-progress", (bar) => (bar as HTMLProgressElement).value)).toBe(1);

    // The screenshot (build/, not committed), with the page in the state a person sees now.
    mkdirSync("build/e2e", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // Compared loosely: a PNG of the full page width, tall enough to hold every card after the flow.
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(page.viewportSize()!.width);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1000);

    // bob logs in on the same page, picks the group from his list and decrypts the text and the file.
    await page.click("#logout");
    await logged(page, `Logged out ${alice.identifier}`);
    await fillAccount(page, bob.identifier, bob.password);
    await page.click("#login");
    await logged(page, `Logged in as ${bob.identifier}`);
    expect(
      await page.$$eval("#groups option", (options) => options.map((o) => (o as HTMLOptionElement).value)),
    ).toContain(groupId);
    await page.selectOption("#groups", groupId);
    await logged(page, `Opened group ${groupId}`);
    await page.$eval("#decrypted", (output) => (output.textContent = ""));
    await page.click("#decrypt");
    await page.waitForFunction(() => document.querySelector("#decrypted")!.textContent !== "");
    expect(await page.textContent("#decrypted")).toBe(secret);

    await page.fill("#file-id", fileId);
    await page.click("#download");
    await logged(page, "Downloaded and decrypted plan.bin");
    expect(await page.$eval("#download-progress", (bar) => (bar as HTMLProgressElement).value)).toBe(1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#file-link")]);
    expect(download.suggestedFilename()).toBe("plan.bin");
    expect(Buffer.compare(readFileSync((await download.path())!), fileBytes)).toBe(0);

    expect(await page.$$("#log li.error")).toHaveLength(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe("npm start", () => {
  it("scripts/start.mjs runs the API server and the backend with the demo page; a person registers and logs in", async () => {
    const child = spawn(process.execPath, ["scripts/start.mjs", "--port", "0", "--db", ":memory:"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        void exited.then((code) => reject(new Error(`start.mjs exited (${code}): ${stderr}`)));
      });
      const started = JSON.parse(line) as {
        base_url: string;
        public_token: string;
        secret_token: string;
        demo_url: string;
      };
      expect(Object.keys(started).sort()).toEqual(["app_id", "base_url", "demo_url", "public_token", "secret_token"]);

      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(started.demo_url);
      await page.waitForSelector("#status[data-state=ready]");
      expect(await page.textContent("#status")).toContain(started.base_url);
      const identifier = `started-${Date.now()}`;
      await fillAccount(page, identifier, "pw ✓");
      await page.click("#register");
      await logged(page, `Registered ${identifier}`);
      await fillAccount(page, identifier, "pw ✓");
      await page.click("#login");
      await logged(page, `Logged in as ${identifier}`);
      await context.close();
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 360_000); // three builds (core, server, UMD) before it starts: minutes on a busy machine
});
