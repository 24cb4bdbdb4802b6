/**
 * The shipped builds in headless Chromium: the UMD file through a plain <script> tag, the ESM file through
 * `import`, the core fetched beside it (also when the server sends the wrong MIME type), and a page with a
 * strict Content-Security-Policy that allows only 'self' and 'wasm-unsafe-eval'.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const OUT = "build/e2e/builds";
let browser: Browser;
let server: StaticServer;
const MESSAGE = "sentc-as in the browser ✓";
const expected = createHash("sha256").update(MESSAGE).digest("hex");

// Each page hashes MESSAGE with the built library and reports through window.result.
const probe = (load: string) => `
  const bytes = new TextEncoder().encode(${JSON.stringify(MESSAGE)});
  ${load}
  window.result = Array.from(api.sha256(bytes), (b) => b.toString(16).padStart(2, "0")).join("");`;

const PAGES: Record<string, { html: string; headers?: Record<string, string> }> = {
  "umd.html": {
    html: `<!doctype html><script src="./sentc.umd.js"></script><script>(async () => { try {
      ${probe("const api = window.Sentc; await api.initCore();")}
    } catch (e) { window.result = "error: " + e; } })();</script>`,
  },
  "esm.html": {
    html: `<!doctype html><script type="module">try {
      ${probe('const api = await import("./sentc.js"); await api.initCore();')}
    } catch (e) { window.result = "error: " + e; }</script>`,
  },
  "csp.html": {
    html: `<!doctype html><script type="module" src="./csp.js"></script>`,
    headers: { "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" },
  },
};

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build-lib.mjs"], { stdio: "ignore" });
  mkdirSync(OUT, { recursive: true });
  for (const file of ["sentc.js", "sentc.umd.js", "core.wasm"]) copyFileSync(`dist/${file}`, `${OUT}/${file}`);
  for (const [name, page] of Object.entries(PAGES)) writeFileSync(`${OUT}/${name}`, page.html);
  writeFileSync(`${OUT}/csp.js`, `try { ${probe('const api = await import("./sentc.js"); await api.initCore();')} } catch (e) { window.result = "error: " + e; }`);
  server = await serveFolder(OUT, { headers: (path) => PAGES[path.slice(1)]?.headers ?? {} });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function resultOf(page: string, wasmMime?: string): Promise<string> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on("pageerror", (error) => errors.push(String(error)));
  if (wasmMime) {
    await tab.route("**/core.wasm", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), "content-type": wasmMime } });
    });
  }
  await tab.goto(server.url + page);
  await tab.waitForFunction(() => (window as { result?: string }).result !== undefined, undefined, { timeout: 30_000 });
  const result = await tab.evaluate(() => (window as unknown as { result: string }).result);
  await context.close();
  expect(errors).toEqual([]);
  return result;
}

describe("the shipped builds in headless Chromium", () => {
  it("UMD: a plain <script> tag exposes window.Sentc with the core inlined", async () => {
    expect(await resultOf("umd.html")).toBe(expected);
  });

  it("ESM: import() loads dist/core.wasm beside the module (application/wasm, streaming)", async () => {
    expect(await resultOf("esm.html")).toBe(expected);
  });

  it("ESM: the core still loads when the server sends the wrong MIME type", async () => {
    expect(await resultOf("esm.html", "application/octet-stream")).toBe(expected);
  });

  it("a strict CSP with only 'self' and 'wasm-unsafe-eval' is enough", async () => {
    expect(await resultOf("csp.html")).toBe(expected);
  });
});
