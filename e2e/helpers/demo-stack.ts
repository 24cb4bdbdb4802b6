/**
 * What `npm start` runs, in-process for the browser tests: the project's API server (test harness: in-memory
 * store, adjustable clock) with one app on sentc's default options (register needs the secret token), and the
 * example backend (examples/own-backend) serving the demo page (examples/demo) and dist/sentc.umd.js.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import type { BrowserContext, Page } from "playwright-core";
import { addDemoRoutes } from "../../examples/demo/serve.js";
import { buildBackend } from "../../examples/own-backend/server.js";
import type { ServerConfig } from "../../server/config.js";
import { makeApp, startHarness, type Harness, type TestApp } from "../../test/server/harness.js";

export interface DemoStack {
  h: Harness;
  /** The app the page and the backend use (sentc's default options). */
  app: TestApp;
  apiUrl: string;
  /** The example backend, serving the demo page at `/`; ends with "/". */
  backendUrl: string;
  backend: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Builds dist/sentc.umd.js (the demo page loads it) from the current sources; asynchronously, as a minute of
 * blocked event loop would stall the test runner's own messages.
 */
export async function buildUmd(): Promise<void> {
  await promisify(execFile)(process.execPath, ["scripts/build-lib.mjs"]);
}

export async function startDemoStack(): Promise<DemoStack> {
  const strict = makeApp();
  const h = await startHarness({ apps: [strict.config] as unknown as ServerConfig["apps"] });
  const app = strict.app;
  const backend = await buildBackend({
    sentcBaseUrl: h.server.baseUrl,
    publicToken: app.publicToken,
    secretToken: app.secretToken,
    jwtVerifyKeys: [{ id: app.jwtKeyId, verify_key: app.verifyKey }],
    adminKey: "admin-key-of-the-browser-tests",
  });
  addDemoRoutes(backend, {
    sentcBaseUrl: h.server.baseUrl,
    publicToken: app.publicToken,
    umdPath: "dist/sentc.umd.js",
  });
  // A bare page on the backend's origin with only the SDK loaded (no init), for tests that call the SDK directly.
  backend.get("/sdk.html", async (_request, reply) => reply.type("text/html; charset=utf-8").send(SDK_PAGE));
  const address = await backend.listen({ port: 0, host: "127.0.0.1" });
  return {
    h,
    app,
    apiUrl: h.server.baseUrl,
    backendUrl: `${address}/`,
    backend,
    close: async () => {
      await backend.close();
      await h.close();
    },
  };
}

/**
 * Installs an adjustable clock in every page of a context before any script runs: `window.__shiftClock(ms)` moves
 * `Date.now()` and `new Date()` by `ms` (timers keep real time).
 */
export const SHIFTABLE_CLOCK = `(() => {
  const RealDate = Date;
  let offset = 0;
  class ShiftedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
    static now() { return RealDate.now() + offset; }
  }
  window.Date = ShiftedDate;
  window.__shiftClock = (ms) => { offset = ms; };
})();`;

/** Moves the page's clock (see SHIFTABLE_CLOCK). */
export function shiftPageClock(page: Page, ms: number): Promise<void> {
  return page.evaluate((value) => (window as unknown as { __shiftClock(ms: number): void }).__shiftClock(value), ms);
}

/** Collects uncaught page errors and failed console errors, to assert none happened. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

const SDK_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sentc-as SDK</title></head>
<body>
<script src="/sentc.umd.js"></script>
<script>
  // Registration the own-backend way: prepare here, the backend posts it with the secret token, done here.
  window.registerViaBackend = async (identifier, password) => {
    const Sentc = window.Sentc.default;
    const input = Sentc.prepareRegister(identifier, password);
    const answer = await fetch("/api/register", { method: "POST", headers: { "content-type": "application/json" }, body: input });
    return Sentc.doneRegister(await answer.text());
  };
</script>
</body></html>`;

/**
 * Opens the backend's bare SDK page (optionally with the shiftable clock), runs `Sentc.init` with the stack's
 * app and `extra` options (an expression evaluated in the page, for functions such as `endpoint_fn`), and fails
 * on uncaught page errors.
 */
export async function openSdkPage(
  context: BrowserContext,
  stack: DemoStack,
  options: { clock?: boolean; init?: string } = {},
): Promise<Page> {
  const page = await context.newPage();
  if (options.clock) await page.addInitScript(SHIFTABLE_CLOCK);
  const errors = watchErrors(page);
  await page.goto(`${stack.backendUrl}sdk.html`);
  await page.evaluate(
    async ({ baseUrl, token, init }) => {
      // biome-ignore lint/security/noGlobalEval: the test's own init options, serialized into the page
      const extra = init ? (0, eval)(`(${init})`) : {};
      await (window as any).Sentc.default.init({ app_token: token, base_url: baseUrl, ...extra });
    },
    { baseUrl: stack.apiUrl, token: stack.app.publicToken, init: options.init },
  );
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  return page;
}
