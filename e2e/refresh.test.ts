/**
 * The three JWT refresh strategies in headless Chromium, each with a JWT that has really expired: after login
 * the server's clock (test harness) and the page's clock (Date shifted by an init script) jump ahead by ten
 * minutes, twice. The server then refuses the old JWT, and the next SDK call still works because the SDK
 * renews the JWT first, by the strategy's own route:
 *   api       – PUT /api/v1/refresh on the API, refresh token from the SDK's IndexedDB store;
 *   cookie    – GET /api/refresh on the example backend, refresh token in its HttpOnly cookie (no script sees it);
 *   cookie_fn – the page's own function, here also asking the example backend.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { buildUmd, openSdkPage, shiftPageClock, startDemoStack, type DemoStack } from "./helpers/demo-stack.js";

const JUMP_MS = 10 * 60 * 1000; // JWTs live five minutes
let browser: Browser;
let stack: DemoStack;

beforeAll(async () => {
  await buildUmd();
  stack = await startDemoStack();
  browser = await launchChromium();
});

afterEach(() => {
  stack.h.clock.offsetMs = 0;
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const STRATEGIES = {
  api: { init: undefined, refreshCall: (s: DemoStack) => `PUT ${s.apiUrl}/api/v1/refresh` },
  cookie: {
    init: `{ refresh: { endpoint: window.Sentc.REFRESH_ENDPOINT.cookie, endpoint_url: "/api/refresh" } }`,
    refreshCall: (s: DemoStack) => `GET ${s.backendUrl}api/refresh`,
  },
  cookie_fn: {
    init: `{ refresh: { endpoint: window.Sentc.REFRESH_ENDPOINT.cookie_fn, endpoint_fn: async (oldJwt) => {
      window.refreshFnCalls = (window.refreshFnCalls ?? 0) + 1;
      const answer = await fetch("/api/refresh", { headers: { authorization: "Bearer " + oldJwt } });
      if (!answer.ok) throw new Error("refresh failed: " + answer.status);
      return answer.text();
    } } }`,
    refreshCall: (s: DemoStack) => `GET ${s.backendUrl}api/refresh`,
  },
} as const;

/** The `exp` claim (seconds) of a JWT. */
function expOf(jwt: string): number {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).exp;
}

/** An authenticated SDK call (lists the user's groups, creates one) that answers the JWT it was made with. */
function callWithJwt(page: Page): Promise<{ jwt: string; groups: number }> {
  return page.evaluate(async () => {
    const user = await (window as any).Sentc.default.getActualUser();
    await user.createGroup();
    const groups = (await user.getGroups()).length;
    return { jwt: await user.getJwt(), groups };
  });
}

describe.each(Object.keys(STRATEGIES) as Array<keyof typeof STRATEGIES>)("refresh strategy %s", (name) => {
  it("the JWT expires (server and page clocks jump), the next calls renew it and keep working", async () => {
    const strategy = STRATEGIES[name];
    const context = await browser.newContext();
    const page = await openSdkPage(context, stack, { clock: true, init: strategy.init });
    const calls: string[] = [];
    page.on("request", (request) => calls.push(`${request.method()} ${request.url()}`));
    const identifier = `refresh-${name}-${Date.now()}`;

    const login = await page.evaluate(
      async ({ identifier, cookie }) => {
        const Sentc = (window as any).Sentc.default;
        await (window as any).registerViaBackend(identifier, "pw ✓");
        const user = await Sentc.login(identifier, "pw ✓", true);
        const handedOver = user.user_data.refresh_token;
        if (cookie) {
          // Cookie strategies: the backend keeps the refresh token in an HttpOnly cookie.
          const session = await fetch("/api/session", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${user.user_data.jwt}` },
            body: JSON.stringify({ refresh_token: handedOver }),
          });
          if (session.status !== 204) throw new Error(`session: ${session.status} ${await session.text()}`);
        }
        return { jwt: await user.getJwt(), refreshToken: handedOver as string, documentCookie: document.cookie };
      },
      { identifier, cookie: name !== "api" },
    );

    if (name !== "api") {
      // A real HttpOnly cookie in the browser, invisible to scripts.
      const cookies = await context.cookies(`${stack.backendUrl}api/refresh`);
      const cookie = cookies.find((c) => c.name === "sentc_refresh");
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api" });
      expect(decodeURIComponent(cookie!.value)).toBe(login.refreshToken);
      expect(login.documentCookie).not.toContain("sentc_refresh");
    }

    let jwt = login.jwt;
    for (let round = 1; round <= 2; round++) {
      const shift = round * JUMP_MS;
      stack.h.clock.offsetMs = shift;
      await shiftPageClock(page, shift);
      // The old JWT is expired for the server now.
      const refused = await stack.h.call("GET", "/api/v1/group/all/0/none", { token: stack.app.publicToken, jwt });
      expect(refused.body.status).toBe(false);

      const before = calls.length;
      const after = await callWithJwt(page);
      expect(after.groups).toBe(round);
      expect(after.jwt).not.toBe(jwt);
      // The new JWT is valid by the shifted clock, and the server takes it.
      expect(expOf(after.jwt) * 1000).toBeGreaterThan(Date.now() + shift);
      expect(
        (await stack.h.call("GET", "/api/v1/group/all/0/none", { token: stack.app.publicToken, jwt: after.jwt })).body
          .status,
      ).toBe(true);
      // Renewed once, by this strategy's route, before the call that needed it.
      const renewals = calls.slice(before).filter((call) => call === strategy.refreshCall(stack));
      expect(renewals).toHaveLength(1);
      jwt = after.jwt;
    }

    if (name === "cookie_fn") expect(await page.evaluate(() => (window as any).refreshFnCalls)).toBe(2);
    if (name !== "api") {
      // The SDK never kept the refresh token anywhere the page can read.
      expect(calls.some((call) => call.includes("/api/v1/refresh"))).toBe(false);
    }
    await context.close();
  });
});
