/**
 * The shipped builds in headless Chromium: the UMD file through a plain <script> tag (its core inlined
 * LZMA-compressed and decoded in JavaScript, so it also loads without DecompressionStream), the ESM files through
 * `import` (`sentc-as` and `sentc-as/core` sharing one core), the core fetched beside them (also when the server
 * sends the wrong MIME type), and a page with a strict Content-Security-Policy that allows only 'self' and
 * 'wasm-unsafe-eval'.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const OUT = "build/e2e/builds";
let browser: Browser;
let server: StaticServer;
const MESSAGE = "sentc-as in the browser ✓";
const expected = createHash("sha256").update(MESSAGE).digest("hex");

// The UMD page registers-prepares a user named MESSAGE with the SDK (argon2, key pairs: the core at work) and
// reports the identifier from the output through window.result.
const umdProbe = `
  const S = window.Sentc.default;
  await S.init({ app_token: "probe", storage: new window.Sentc.MemoryStorage() });
  window.result = JSON.parse(S.prepareRegister(${JSON.stringify(MESSAGE)}, "a password")).device.device_identifier;`;

// The ESM pages load the core through Sentc.init() of sentc.js, then hash MESSAGE with sha256 of core.js
// (`sentc-as/core`), which must see the same, initialised core.
const esmProbe = `
  const sdk = await import("./sentc.js");
  const core = await import("./core.js");
  await sdk.default.init({ app_token: "probe", storage: new sdk.MemoryStorage() });
  const bytes = new TextEncoder().encode(${JSON.stringify(MESSAGE)});
  window.result = Array.from(core.sha256(bytes), (b) => b.toString(16).padStart(2, "0")).join("");`;

const PAGES: Record<string, { html: string; headers?: Record<string, string> }> = {
  "umd.html": {
    html: `<!doctype html><script src="./sentc.umd.js"></script><script>(async () => { try {
      ${umdProbe}
    } catch (e) { window.result = "error: " + e; } })();</script>`,
  },
  "umd-no-decompression.html": {
    html: `<!doctype html><script>delete window.DecompressionStream;</script><script src="./sentc.umd.js"></script><script>(async () => { try {
      ${umdProbe}
    } catch (e) { window.result = "error: " + e; } })();</script>`,
  },
  "esm.html": {
    html: `<!doctype html><script type="module">try {
      ${esmProbe}
    } catch (e) { window.result = "error: " + e; }</script>`,
  },
  "csp.html": {
    html: `<!doctype html><script type="module" src="./csp.js"></script>`,
    headers: { "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" },
  },
};

beforeAll(async () => {
  // Asynchronously: a minute of blocked event loop would stall the test runner's own messages.
  await promisify(execFile)(process.execPath, ["scripts/build-lib.mjs"]);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // The builds and the chunk the two ESM entries share, as the package ships them.
  for (const file of readdirSync("dist").filter((name) => /\.(js|wasm)$/.test(name)))
    copyFileSync(`dist/${file}`, `${OUT}/${file}`);
  for (const [name, page] of Object.entries(PAGES)) writeFileSync(`${OUT}/${name}`, page.html);
  writeFileSync(`${OUT}/csp.js`, `try { ${esmProbe} } catch (e) { window.result = "error: " + e; }`);
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
    expect(await resultOf("umd.html")).toBe(MESSAGE);
  });

  it("UMD: the inlined core also loads without DecompressionStream (decoded in JavaScript)", async () => {
    expect(await resultOf("umd-no-decompression.html")).toBe(MESSAGE);
  });

  it("ESM: Sentc.init() loads dist/core.wasm beside the modules (application/wasm, streaming), sentc-as/core shares it", async () => {
    expect(await resultOf("esm.html")).toBe(expected);
  });

  it("ESM: the core still loads when the server sends the wrong MIME type", async () => {
    expect(await resultOf("esm.html", "application/octet-stream")).toBe(expected);
  });

  it("a strict CSP with only 'self' and 'wasm-unsafe-eval' is enough", async () => {
    expect(await resultOf("csp.html")).toBe(expected);
  });
});
