/**
 * The admin API (/admin/v1): the admin token (missing, wrong, right; never in the request log), every
 * route, and that changes act on the running server at once: new tokens replace the old ones, options
 * open or close endpoints, deleted JWT keys and apps stop working. Runs on SQLite and (SENTC_TEST_STORE=
 * postgres) on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRegister } from "../../src/protocol/register.js";
import {
  apiCaller,
  expectError,
  expectOk,
  login,
  startHarness,
  unique,
  type ApiAnswer,
  type Harness,
} from "./harness.js";

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";

let h: Harness;
const logLines: string[] = [];

beforeAll(async () => {
  h = await startHarness(
    {},
    {
      server: {
        adminToken: ADMIN_TOKEN,
        logging: { level: "info", destination: { write: (line: string) => void logLines.push(line) } },
      },
    },
  );
});
afterAll(async () => {
  await h?.close();
});

/** An admin API call with the admin token (or `token`, null for none). */
function admin(method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<ApiAnswer> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  return h.call(method, `/admin/v1${path}`, { token: null, body, headers });
}

/** Registers a user with `token` (public or secret) through the API. */
function register(token: string, identifier = unique()): Promise<ApiAnswer> {
  return h.call("POST", "/api/v1/register", { token, raw: prepareRegister(identifier, "correct horse") });
}

async function createApp(
  body: unknown = { identifier: "shop" },
): Promise<{ app_id: string; public_token: string; secret_token: string; jwt_data: Record<string, string> }> {
  return expectOk(await admin("POST", "/apps", body));
}

describe("admin token", () => {
  const routes: Array<[string, string]> = [
    ["GET", "/apps"],
    ["POST", "/apps"],
    ["GET", "/apps/APP"],
    ["PUT", "/apps/APP"],
    ["DELETE", "/apps/APP"],
    ["DELETE", "/apps/APP/reset"],
    ["PATCH", "/apps/APP/token_renew"],
    ["GET", "/apps/APP/options"],
    ["PUT", "/apps/APP/options"],
    ["PUT", "/apps/APP/group_options"],
    ["PUT", "/apps/APP/file_options"],
    ["PATCH", "/apps/APP/new_jwt_keys"],
    ["GET", "/apps/APP/jwt"],
    ["DELETE", "/apps/APP/jwt/KEY"],
  ];

  it("every route refuses a missing token, a wrong token, an app token and a token of another length (401/60), and changes nothing", async () => {
    const path = (p: string) => p.replace("APP", h.app.id).replace("KEY", h.app.jwtKeyId);
    for (const [method, route] of routes) {
      for (const token of [null, "admin-token-for-tests-012345678X", h.app.secretToken, "short", `${ADMIN_TOKEN}0`]) {
        const answer = await admin(method, path(route), { identifier: "x" }, token);
        expect(`${method} ${route} ${answer.status} ${answer.body.err_code}`).toBe(`${method} ${route} 401 60`);
      }
      const other = await h.call(method, `/admin/v1${path(route)}`, {
        token: null,
        headers: { authorization: `Basic ${ADMIN_TOKEN}` },
        body: {},
      });
      expectError(other, 401, 60);
    }
    const app = expectOk(await admin("GET", `/apps/${h.app.id}`));
    expect(app.identifier).toBe("test");
    expect((expectOk(await admin("GET", `/apps/${h.app.id}/jwt`)) as unknown[]).length).toBe(1);
  });

  it("the admin token never appears in the request log, the log has lines for admin requests", async () => {
    await admin("GET", "/apps");
    await admin("GET", "/apps", undefined, "wrong-admin-token-0123456789");
    const text = logLines.join("");
    expect(text).toContain("/admin/v1/apps");
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain("wrong-admin-token-0123456789");
  });

  it("is off without an admin token: /admin/v1 answers 404, the dashboard page is still served", async () => {
    const plain = await startHarness();
    try {
      const call = apiCaller(plain.server.baseUrl, plain.app.publicToken);
      const answer = await call("GET", "/admin/v1/apps", {
        token: null,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expectError(answer, 404, 404);
      const page = await fetch(`${plain.server.baseUrl}/dashboard`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
    } finally {
      await plain.close();
    }
  });
});

describe("apps", () => {
  it("create: sentc's AppRegisterOutput; the tokens work at once with the default options", async () => {
    const created = await createApp({ identifier: "created" });
    expect(created.public_token).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(created.secret_token).toMatch(/^[A-Za-z0-9+/]{67}=$/);
    expect(created.jwt_data).toMatchObject({ app_id: created.app_id, jwt_alg: "ES384" });
    expect(Buffer.from(created.jwt_data.jwt_verify_key!, "base64")).toHaveLength(97);
    // Default options: register needs the secret token.
    expectError(await register(created.public_token), 400, 203);
    const user = expectOk(await register(created.secret_token));
    expect(user.user_id).toBeTypeOf("string");
    const listed = expectOk(await admin("GET", `/apps/${created.app_id}`));
    expect(listed).toMatchObject({
      app_id: created.app_id,
      identifier: "created",
      public_token: created.public_token,
      disabled: false,
    });
  });

  it("create with a preset and options, group and file options; bad input is refused (422/11)", async () => {
    const lax = await createApp({
      identifier: "lax",
      options: "lax",
      group_options: { max_key_rotation_month: 3 },
      file_options: { file_storage: -1 },
    });
    const view = expectOk(await admin("GET", `/apps/${lax.app_id}`));
    expect(view.options.user_register).toBe(1);
    expect(view.group_options).toEqual({ max_key_rotation_month: 3, min_rank_key_rotation: 4 });
    expect(view.file_options).toEqual({ file_storage: -1, storage_url: null, auth_token: null });
    expect(view.public_token).toBe(lax.public_token);
    expect(JSON.stringify(view)).not.toContain(lax.secret_token);
    expectOk(await register(lax.public_token));
    for (const body of [
      { options: "open" },
      { options: { user_register: 3 } },
      { options: { no_such: 1 } },
      { identifier: 5 },
      { group_options: { max_key_rotation_month: -1 } },
      { file_options: { file_storage: 1 } },
      { options: [] },
    ]) {
      expectError(await admin("POST", "/apps", body), 422, 11);
    }
  });

  it("list, read, rename, disable and enable", async () => {
    const created = await createApp({ identifier: "before" });
    const list = expectOk(await admin("GET", "/apps")) as Array<{ app_id: string; identifier: string }>;
    expect(list.map((a) => a.app_id)).toContain(h.app.id);
    expect(list.find((a) => a.app_id === created.app_id)?.identifier).toBe("before");
    expect(expectOk(await admin("PUT", `/apps/${created.app_id}`, { identifier: "after" })).identifier).toBe("after");
    expect(expectOk(await admin("GET", `/apps/${created.app_id}`)).identifier).toBe("after");
    expect(expectOk(await admin("PUT", `/apps/${created.app_id}`, { disabled: true })).disabled).toBe(true);
    expectError(await register(created.secret_token), 401, 204);
    expectOk(await admin("PUT", `/apps/${created.app_id}`, { disabled: false }));
    expectOk(await register(created.secret_token));
    expectError(await admin("PUT", `/apps/${created.app_id}`, { disabled: "yes" }), 422, 11);
    expectError(await admin("GET", "/apps/00000000-0000-4000-8000-000000000000"), 404, 404);
    expectError(await admin("GET", "/apps/not-an-id"), 404, 404);
  });

  it("tokens renew: the old tokens are refused from the next request on, the new ones work", async () => {
    const created = await createApp({ options: "lax" });
    expectOk(await register(created.public_token));
    const renewed = expectOk(await admin("PATCH", `/apps/${created.app_id}/token_renew`));
    expect(renewed.public_token).not.toBe(created.public_token);
    expect(renewed.secret_token).not.toBe(created.secret_token);
    expectError(await register(created.public_token), 401, 200);
    expectError(await register(created.secret_token), 401, 200);
    expectOk(await register(renewed.public_token));
    expectOk(await register(renewed.secret_token));
    expect(expectOk(await admin("GET", `/apps/${created.app_id}`)).public_token).toBe(renewed.public_token);
  });

  it("options: read, change one endpoint, apply a preset; effective at once", async () => {
    const created = await createApp();
    const read = expectOk(await admin("GET", `/apps/${created.app_id}/options`));
    expect(read.options.user_register).toBe(2);
    expect(read.group_options).toEqual({ max_key_rotation_month: 100, min_rank_key_rotation: 4 });
    expectError(await register(created.public_token), 400, 203);
    const changed = expectOk(await admin("PUT", `/apps/${created.app_id}/options`, { user_register: 1 }));
    expect(changed.user_register).toBe(1);
    expect(changed.user_delete).toBe(2);
    expectOk(await register(created.public_token));
    expectOk(await admin("PUT", `/apps/${created.app_id}/options`, "closed"));
    expectError(await register(created.secret_token), 400, 203);
    expectOk(await admin("PUT", `/apps/${created.app_id}/options`, "default"));
    expectError(await register(created.public_token), 400, 203);
    expectOk(await register(created.secret_token));
    for (const body of [{ user_register: 7 }, { unknown_endpoint: 1 }, "wide-open", 5])
      expectError(await admin("PUT", `/apps/${created.app_id}/options`, body), 422, 11);
    expectError(await admin("PUT", `/apps/${created.app_id}/options`), 422, 11);
  });

  it("group and file options", async () => {
    const created = await createApp();
    expect(expectOk(await admin("PUT", `/apps/${created.app_id}/group_options`, { min_rank_key_rotation: 1 }))).toEqual(
      { max_key_rotation_month: 100, min_rank_key_rotation: 1 },
    );
    expect(
      expectOk(
        await admin("PUT", `/apps/${created.app_id}/file_options`, {
          file_storage: 1,
          storage_url: "https://files.example",
          auth_token: "abc",
        }),
      ),
    ).toEqual({
      file_storage: 1,
      storage_url: "https://files.example",
      auth_token: "abc",
    });
    expectError(await admin("PUT", `/apps/${created.app_id}/group_options`, { max_key_rotation_month: 1.5 }), 422, 11);
    expectError(await admin("PUT", `/apps/${created.app_id}/file_options`, { file_storage: 2 }), 422, 11);
    expectError(await admin("PUT", `/apps/${created.app_id}/file_options`, { storage_url: null }), 422, 11);
    const view = expectOk(await admin("GET", `/apps/${created.app_id}`));
    expect(view.group_options.min_rank_key_rotation).toBe(1);
    expect(view.file_options.storage_url).toBe("https://files.example");
  });

  it("JWT keys: add, list (public keys only), new JWTs use the new key, a deleted key's JWTs are refused, the last key stays", async () => {
    const created = await createApp({ options: "lax" });
    const app = { ...h, call: apiCaller(h.server.baseUrl, created.public_token) };
    const identifier = unique();
    expectOk(await register(created.public_token, identifier));
    const first = await login(app, identifier, "correct horse");
    const oldKid = JSON.parse(Buffer.from(first.jwt.split(".")[0]!, "base64url").toString()).kid;
    expect(oldKid).toBe(created.jwt_data.jwt_id);
    const added = expectOk(await admin("PATCH", `/apps/${created.app_id}/new_jwt_keys`));
    expect(added).toMatchObject({ app_id: created.app_id, jwt_alg: "ES384" });
    const keys = expectOk(await admin("GET", `/apps/${created.app_id}/jwt`)) as Array<Record<string, unknown>>;
    expect(keys.map((k) => k.jwt_key_id)).toEqual([created.jwt_data.jwt_id, added.jwt_id]);
    expect(JSON.stringify(keys)).not.toContain(added.jwt_sign_key);
    const second = await login(app, identifier, "correct horse");
    expect(JSON.parse(Buffer.from(second.jwt.split(".")[0]!, "base64url").toString()).kid).toBe(added.jwt_id);
    expectOk(await app.call("GET", "/api/v1/user/jwt", { jwt: first.jwt, token: created.secret_token }));
    expectOk(await admin("DELETE", `/apps/${created.app_id}/jwt/${oldKid}`));
    expectError(await app.call("GET", "/api/v1/user/jwt", { jwt: first.jwt, token: created.secret_token }), 401, 35);
    expectOk(await app.call("GET", "/api/v1/user/jwt", { jwt: second.jwt, token: created.secret_token }));
    expectError(await admin("DELETE", `/apps/${created.app_id}/jwt/${added.jwt_id}`), 400, 11);
    expectError(await admin("DELETE", `/apps/${created.app_id}/jwt/${oldKid}`), 404, 404);
    // A key of another app is not found through this app.
    expectError(await admin("DELETE", `/apps/${created.app_id}/jwt/${h.app.jwtKeyId}`), 404, 404);
  });

  it("reset deletes the users and groups, the app and its tokens stay; delete removes the app", async () => {
    const created = await createApp({ options: "lax" });
    const identifier = unique();
    const registered = expectOk(await register(created.public_token, identifier));
    const app = { ...h, call: apiCaller(h.server.baseUrl, created.public_token) };
    const user = await h.server.store.getUser(created.app_id, registered.user_id);
    expect(await h.server.store.getGroup(created.app_id, user!.userGroupId)).not.toBeNull();
    const session = await login(app, identifier, "correct horse");
    expect(
      expectOk(await app.call("POST", "/api/v1/exists", { body: { user_identifier: identifier } })).available,
    ).toBe(false);
    // A user of the main app is untouched by the reset.
    const mainUser = unique();
    expectOk(await register(h.app.secretToken, mainUser));
    expectOk(await admin("DELETE", `/apps/${created.app_id}/reset`));
    expect(
      expectOk(await app.call("POST", "/api/v1/exists", { body: { user_identifier: identifier } })).available,
    ).toBe(true);
    expect(await h.server.store.getUser(created.app_id, registered.user_id)).toBeNull();
    expect(await h.server.store.getGroup(created.app_id, user!.userGroupId)).toBeNull();
    expect(await h.server.store.getDevice(created.app_id, registered.device_id)).toBeNull();
    expectError(await app.call("GET", "/api/v1/user/jwt", { jwt: session.jwt, token: created.secret_token }), 400, 100);
    expect(expectOk(await h.call("POST", "/api/v1/exists", { body: { user_identifier: mainUser } })).available).toBe(
      false,
    );
    expectOk(await register(created.public_token, identifier));
    expectOk(await admin("DELETE", `/apps/${created.app_id}`));
    expectError(await register(created.public_token), 401, 200);
    expectError(await admin("GET", `/apps/${created.app_id}`), 404, 404);
    expectError(await admin("DELETE", `/apps/${created.app_id}`), 404, 404);
    expect(
      (expectOk(await admin("GET", "/apps")) as Array<{ app_id: string }>).some((a) => a.app_id === created.app_id),
    ).toBe(false);
  });
});
