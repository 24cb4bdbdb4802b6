/**
 * Every code sample of docs/getting-started.md lives here between `// snippet: <name>` and `// end snippet`
 * and runs against our API server and the example backend (examples/own-backend). The first test checks
 * that the guide's blocks marked `<!-- snippet: <name> -->` are exactly these, so the guide cannot rot.
 *
 * The samples are browser code: `fetch("/api/…")` goes to the app's own backend. Here the global `fetch`
 * plays the browser: relative URLs go to the example backend, with a cookie jar for its origin.
 */
import { readFileSync } from "node:fs";
import { resolveObjectURL } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultAppOptions, type ServerConfig } from "../../server/config.js";
import { buildBackend } from "../../examples/own-backend/server.js";
import Sentc, { REFRESH_ENDPOINT, SentcError, type User } from "../../src/index.js";
import { makeApp, startHarness, type Harness, type TestApp } from "../server/harness.js";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");

/** Removes the common indentation of a block of lines. */
function dedent(text: string): string {
  const lines = text.replace(/^\n+|\s+$/g, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim().length > 0).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

function snippetsOfGuide(): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of read("docs/getting-started.md").matchAll(/<!-- snippet: ([\w-]+) -->\n *```\w*\n([\s\S]*?)\n *```/g)) found.set(m[1]!, dedent(m[2]!));
  return found;
}

function snippetsOfTest(): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of read("test/docs/getting-started.test.ts").matchAll(/\/\/ snippet: ([\w-]+)\n([\s\S]*?)\n\s*\/\/ end snippet/g)) found.set(m[1]!, dedent(m[2]!));
  return found;
}

let h: Harness;
let app: TestApp;
let backend: FastifyInstance;
let backendUrl: string;
let APP_TOKEN: string;
let BASE_URL: string;
const jar = new Map<string, string>();
const backendHits: string[] = [];

/** The "browser": relative URLs go to the app's backend (same origin, so its cookies are sent). */
const realFetch = globalThis.fetch;
async function browserFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input, backendUrl);
  if (url.origin !== backendUrl) return realFetch(input, init);
  backendHits.push(`${init.method ?? "GET"} ${url.pathname}`);
  const headers = new Headers(init.headers);
  if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await realFetch(url, { ...init, headers });
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const eq = pair.indexOf("=");
    if (/;\s*Max-Age=0\b/i.test(line)) jar.delete(pair.slice(0, eq));
    else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return response;
}

/** Logs in while the server's clock lags: the JWT expires in 15 s, inside the SDK's 30 s refresh margin. */
async function nearExpiry<T>(run: () => Promise<T>): Promise<T> {
  h.clock.offsetMs = -285_000;
  try {
    return await run();
  } finally {
    h.clock.offsetMs = 0;
  }
}

beforeAll(async () => {
  // One app that lets the public token register and delete users (the guide's first steps); the backend
  // samples use its secret token.
  const made = makeApp({ options: { ...defaultAppOptions(), user_register: 1, user_delete: 1 } });
  h = await startHarness({ apps: [made.config] as unknown as ServerConfig["apps"] });
  app = made.app;
  backend = await buildBackend({
    sentcBaseUrl: h.server.baseUrl,
    publicToken: app.publicToken,
    secretToken: app.secretToken,
    jwtVerifyKeys: [{ id: app.jwtKeyId, verify_key: app.verifyKey }],
    adminKey: "admin",
  });
  backendUrl = new URL(await backend.listen({ port: 0, host: "127.0.0.1" })).origin;
  APP_TOKEN = app.publicToken;
  BASE_URL = h.server.baseUrl;
  vi.stubGlobal("fetch", browserFetch);
  Sentc.reset();
});

afterAll(async () => {
  vi.unstubAllGlobals();
  Sentc.reset();
  await backend?.close();
  await h?.close();
});

describe("docs/getting-started.md", () => {
  it("shows exactly the samples this file runs", () => {
    const guide = snippetsOfGuide();
    const test = snippetsOfTest();
    expect(guide.size).toBeGreaterThan(5);
    expect([...guide.keys()].sort()).toEqual([...test.keys()].sort());
    for (const [name, code] of guide) expect(code, `snippet ${name}`).toBe(test.get(name));
  });

  it("names the package, the start command and a CSP the browser suite proves", () => {
    const guide = read("docs/getting-started.md");
    const pkg = JSON.parse(read("package.json")) as { name: string; exports: Record<string, unknown>; scripts: Record<string, string> };
    expect(guide).toContain(`import Sentc, { REFRESH_ENDPOINT } from "${pkg.name}";`);
    expect(pkg.exports["."]).toBeDefined();
    expect(pkg.scripts.start).toBeDefined();
    expect(guide).toContain("npm start");
    // The guide's script-src is the one e2e/builds.test.ts runs the SDK under.
    const csp = /Content-Security-Policy: (.+)/.exec(guide)![1]!;
    const scriptSrc = (policy: string) => /script-src ([^;"]+)/.exec(policy)![1]!.trim();
    const e2ePolicy = /"content-security-policy": "([^"]+)"/.exec(read("e2e/builds.test.ts"))![1]!;
    expect(scriptSrc(csp)).toBe(scriptSrc(e2ePolicy));
    expect(csp).toContain("'wasm-unsafe-eval'");
  });

  it("runs the samples: init, register, login, encrypt for a user, groups, files, own backend", async () => {
    const askForTotp = async (): Promise<string> => {
      throw new Error("the guide's users have no MFA");
    };

    // snippet: init
    const user = await Sentc.init({
      app_token: APP_TOKEN, // the app's public token
      base_url: BASE_URL, // leave out for https://api.sentc.com
    });
    // user: who was logged in on this device before (restored), or undefined
    // end snippet
    expect(user).toBeUndefined();

    // snippet: register
    const aliceId = await Sentc.register("alice@example.com", "alice's password");
    // end snippet
    expect(aliceId).toMatch(/^[0-9a-f-]{36}$/);

    // snippet: login
    const login = await Sentc.login("alice@example.com", "alice's password");
    const alice = login.kind === "user" ? login.u : await Sentc.mfaLogin(await askForTotp(), login.u);
    // end snippet

    // snippet: own-backend-register
    const input = Sentc.prepareRegister("bob@example.com", "bob's password");
    const answer = await fetch("/api/register", { method: "POST", headers: { "content-type": "application/json" }, body: input });
    const bobId = Sentc.doneRegister(await answer.text()); // throws SentcError with sentc's error code
    // end snippet
    expect(backendHits).toContain("POST /api/register");

    const bob = await Sentc.login("bob@example.com", "bob's password", true);
    expect(bob.user_data.user_id).toBe(bobId);

    // snippet: encrypt-for-user
    // alice encrypts for bob with his public key (fetched from the API and cached) and signs it
    const encrypted = await alice.encryptString("hello bob", bobId, true);
    // bob decrypts with his private key and checks alice's signature
    const plain = await bob.decryptString(encrypted, true, aliceId);
    // end snippet
    expect(plain).toBe("hello bob");

    // snippet: groups
    const groupId = await alice.createGroup();
    const group = await alice.getGroup(groupId);
    await group.inviteAuto(bobId); // bob is a member at once (invite() waits for him to accept)
    const note = await group.encryptString("for everyone in the group");

    const bobsGroup = await bob.getGroup(groupId);
    const text = await bobsGroup.decryptString(note);
    // end snippet
    expect(text).toBe("for everyone in the group");

    // snippet: files
    const file = await group.createFile(new Blob(["the quarterly report"]), false, undefined, { file_name: "report.txt" });
    // … bob, or any member. As with sentc: an object URL of the content, the meta data and the file's key
    const [url, meta] = await bobsGroup.downloadFile(file.file_id);
    // meta.file_name: "report.txt"; use url as a link's href, URL.revokeObjectURL(url) when done
    // Or the bytes (e.g. in Node):
    const { data } = await bobsGroup.downloadFileData(file.file_id);
    // end snippet
    expect(await resolveObjectURL(url)!.text()).toBe("the quarterly report");
    expect(meta.file_name).toBe("report.txt");
    expect(new TextDecoder().decode(data)).toBe("the quarterly report");

    // snippet: own-backend-data
    const notes = await fetch(`/api/groups/${groupId}/notes`, {
      headers: { authorization: `Bearer ${await alice.getJwt()}` },
    });
    // the backend checked the JWT and asked sentc whether alice is in the group: 403 if she were not
    // end snippet
    expect(notes.status).toBe(200);

    // snippet: own-backend-delete
    const jwt = await bob.getFreshJwt("bob's password"); // a new login: sentc wants a fresh JWT to delete
    const deleted = await fetch("/api/user", { method: "DELETE", headers: { authorization: `Bearer ${jwt}` } });
    Sentc.doneDeleteUser(await deleted.text());
    await bob.logOut();
    // end snippet
    await expect(Sentc.login("bob@example.com", "bob's password", true)).rejects.toBeInstanceOf(SentcError);
    await alice.logOut();
  });

  it("runs the refresh samples: cookie and cookie_fn", async () => {
    Sentc.reset(); // the samples start on a fresh page
    // snippet: refresh-cookie
    await Sentc.init({
      app_token: APP_TOKEN,
      base_url: BASE_URL,
      refresh: { endpoint: REFRESH_ENDPOINT.cookie, endpoint_url: "/api/refresh" },
    });
    // end snippet
    const user: User = await nearExpiry(() => Sentc.login("alice@example.com", "alice's password", true));

    // snippet: refresh-cookie-session
    // right after login (with the login's JWT): the backend keeps the refresh token in an HttpOnly cookie
    await fetch("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.user_data.jwt}` },
      body: JSON.stringify({ refresh_token: user.user_data.refresh_token }),
    });
    // end snippet
    expect(jar.has("sentc_refresh")).toBe(true);
    backendHits.length = 0;
    const renewed = await user.getJwt();
    expect(backendHits).toEqual(["GET /api/refresh"]);
    expect(renewed).not.toBe(user.user_data.refresh_token);
    await user.logOut();

    Sentc.reset();
    const myBackend = { refresh: (oldJwt: string) => fetch("/api/refresh", { headers: { authorization: `Bearer ${oldJwt}` } }).then((r) => r.text()) };
    // snippet: refresh-cookie-fn
    await Sentc.init({
      app_token: APP_TOKEN,
      base_url: BASE_URL,
      refresh: { endpoint: REFRESH_ENDPOINT.cookie_fn, endpoint_fn: (oldJwt) => myBackend.refresh(oldJwt) },
    });
    // end snippet
    const again: User = await nearExpiry(() => Sentc.login("alice@example.com", "alice's password", true));
    backendHits.length = 0;
    await again.getJwt();
    expect(backendHits).toEqual(["GET /api/refresh"]); // the cookie is still set from above
    await again.logOut();
  });
});
