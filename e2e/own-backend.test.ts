/**
 * examples/own-backend in headless Chromium: the page (on the backend's origin) runs the SDK's prepare/done
 * halves, the example backend makes the calls that need the app's secret token, and checks JWTs and group
 * membership before it serves its own data. The app has sentc's default options: register and delete need the
 * secret token, so the browser alone cannot do them.
 */
import type { Browser, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { buildUmd, openSdkPage, startDemoStack, type DemoStack } from "./helpers/demo-stack.js";

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

describe("the own-backend example in the browser", () => {
  it("register and delete through the backend (secret token), its JWT and group checks, never the secret in the page", async () => {
    const context = await browser.newContext();
    const page = await openSdkPage(context, stack);
    const requests: Request[] = [];
    page.on("request", (request) => requests.push(request));
    const stamp = Date.now();

    const result = await page.evaluate(
      async ({ stamp }) => {
        const Sentc = (window as any).Sentc.default;
        const alice = { id: `alice-${stamp}`, pw: "alice's password" };
        const mallory = { id: `mallory-${stamp}`, pw: "mallory's password" };

        // The public token alone may not register (user_register = 2): sentc's error reaches the page.
        let direct: unknown;
        try {
          await Sentc.register(`direct-${stamp}`, "pw");
        } catch (error: any) {
          direct = { code: error.code, serverCode: error.serverCode };
        }

        // prepare here → POST /api/register (the backend adds the secret token) → done here.
        const prepared = Sentc.prepareRegister(alice.id, alice.pw);
        const answer = await fetch("/api/register", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: prepared,
        });
        const answerText = await answer.text();
        const aliceId = Sentc.doneRegister(answerText);
        // A taken identifier: the backend passes sentc's error envelope back unchanged, done* throws it.
        const again = await fetch("/api/register", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Sentc.prepareRegister(alice.id, alice.pw),
        });
        let taken: unknown;
        try {
          Sentc.doneRegister(await again.text());
        } catch (error: any) {
          taken = { http: again.status, code: error.code, serverCode: error.serverCode };
        }
        const malloryId = await (window as any).registerViaBackend(mallory.id, mallory.pw);

        // alice logs in (straight to the API, public token) and uses the backend with her JWT.
        const user = await Sentc.login(alice.id, alice.pw, true);
        const jwt = await user.getJwt();
        const auth = { authorization: `Bearer ${jwt}` };
        const me = await (await fetch("/api/me", { headers: auth })).json(); // online check: sentc, secret token
        const noJwt = (await fetch("/api/notes")).status;
        const groupId = await user.createGroup();
        const group = await user.getGroup(groupId);
        const note = await group.encryptString("the plan ✓");
        const posted = (
          await fetch(`/api/groups/${groupId}/notes`, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ note }),
          })
        ).status;
        const listed = await (await fetch(`/api/groups/${groupId}/notes`, { headers: auth })).json();
        const readBack = await group.decryptString(listed.notes[0]);

        // mallory is no member: the backend asks sentc (group light data with her JWT) and refuses.
        const malloryUser = await Sentc.login(mallory.id, mallory.pw, true);
        const malloryAnswer = await fetch(`/api/groups/${groupId}/notes`, {
          headers: { authorization: `Bearer ${await malloryUser.getJwt()}` },
        });
        const refused = { status: malloryAnswer.status, body: await malloryAnswer.json() };

        // Delete mallory through the backend with a fresh JWT (a new login), then done here.
        const fresh = await malloryUser.getFreshJwt(mallory.pw);
        const deleted = await fetch("/api/user", { method: "DELETE", headers: { authorization: `Bearer ${fresh}` } });
        Sentc.doneDeleteUser(await deleted.text());
        await malloryUser.logOut();
        let loginAfterDelete: unknown;
        try {
          await Sentc.login(mallory.id, mallory.pw, true);
        } catch (error: any) {
          loginAfterDelete = error.code;
        }
        return {
          direct,
          aliceId,
          answerText,
          taken,
          malloryId,
          me,
          noJwt,
          posted,
          listed,
          readBack,
          refused,
          deletedStatus: deleted.status,
          loginAfterDelete,
        };
      },
      { stamp },
    );

    expect(result.direct).toMatchObject({ code: "server" });
    expect(JSON.parse(result.answerText)).toMatchObject({ status: true, result: { user_id: result.aliceId } });
    expect(result.taken).toMatchObject({ code: "server", serverCode: 101 });
    expect(result.me).toMatchObject({ user_id: result.aliceId });
    expect(result.noJwt).toBe(401);
    expect(result.posted).toBe(201);
    expect(result.listed.rank).toBe(0);
    expect(result.listed.notes[0]).not.toContain("plan");
    expect(result.readBack).toBe("the plan ✓");
    expect(result.refused).toEqual({ status: 403, body: { error: "not a member of this group", err_code: 310 } });
    expect(result.deletedStatus).toBe(200);
    expect(result.loginAfterDelete).toBeDefined();

    // What the page sent where: the register and delete went to the backend, never to the API directly, and no
    // request from the page carried the secret token.
    const backendCalls = requests
      .filter((r) => r.url().startsWith(stack.backendUrl))
      .map((r) => `${r.method()} ${new URL(r.url()).pathname}`);
    expect(backendCalls).toEqual(expect.arrayContaining(["POST /api/register", "GET /api/me", "DELETE /api/user"]));
    const apiCalls = requests.filter((r) => r.url().startsWith(stack.apiUrl)).map((r) => new URL(r.url()).pathname);
    expect(apiCalls.filter((path) => path === "/api/v1/register")).toHaveLength(1); // only the refused direct attempt
    expect(apiCalls).not.toContain("/api/v1/user");
    for (const request of requests) {
      expect(JSON.stringify(await request.allHeaders())).not.toContain(stack.app.secretToken);
      expect(request.postData() ?? "").not.toContain(stack.app.secretToken);
    }
    await context.close();
  });
});
