import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../server/http/routes.js";
import { readSpecRoutes, specRoutesAvailable, type SpecRoute } from "../helpers/routes.js";
import { startHarness, type Harness } from "./harness.js";

/** Areas of api.md §8 that this server implements. */
const IMPLEMENTED_AREAS = ["user", "other", "refresh", "jwt", "user_forced", "group", "group_forced"];

/** Not implemented here (sym keys, files): built separately. */
const PENDING = [
  "POST /keys/sym_key",
  "DELETE /keys/sym_key/:key_id",
  "GET /keys/sym_key/master_key/:master_key_id/:last_fetched_time/:last_key_id",
  "GET /keys/sym_key/:key_id",
  "POST /file",
  "PUT /file/:file_id",
  "DELETE /file/:file_id",
  "GET /file/:file_id",
  "GET /file/:file_id/part_fetch/:last_sequence",
  "GET /file/part/:part_id",
  "DELETE /file/part/:part_id",
  "POST /file/part/:session_id/:seq/:end",
  "PATCH /file/part/:session_id/:seq/:end/:user_id",
  "POST /group/:group_id/file",
  "GET /group/:group_id/file/:file_id",
  "DELETE /group/:group_id/file/:file_id",];

const key = (method: string, path: string) => `${method} ${path}`;
const ours = new Map(ROUTES.map((r) => [key(r.method, r.path), r]));

describe.runIf(specRoutesAvailable())("route coverage against routes.json", () => {
  const spec: SpecRoute[] = specRoutesAvailable() ? readSpecRoutes() : [];
  const implemented = spec.filter((r) => IMPLEMENTED_AREAS.includes(r.area));
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("the spec lists 127 routes: 111 implemented here and 16 pending", () => {
    expect(spec).toHaveLength(127);
    expect(implemented).toHaveLength(111);
    expect(implemented.filter((r) => r.area === "group")).toHaveLength(55);
    expect(implemented.filter((r) => r.area === "group_forced")).toHaveLength(13);
    expect(PENDING).toHaveLength(16);
    const specKeys = spec.map((r) => key(r.method, r.path.replace(/^\/api\/v1/, "")));
    const pendingFromSpec = spec.filter((r) => !IMPLEMENTED_AREAS.includes(r.area)).map((r) => key(r.method, r.path.replace(/^\/api\/v1/, "")));
    expect([...pendingFromSpec].sort()).toEqual([...PENDING].sort());
    expect(new Set(specKeys).size).toBe(127);
  });

  it("registers every implemented route with the spec's option, JWT mode and group check, and nothing else but the SDK aliases", () => {
    expect(ROUTES.filter((r) => !r.alias)).toHaveLength(implemented.length);
    // The two group-invite paths the sentc SDKs call (api.md §7.1).
    expect(ROUTES.filter((r) => r.alias).map((r) => key(r.method, r.path)).sort()).toEqual([
      "DELETE /group/:group_id/:group_id_to_reject/invite",
      "PATCH /group/:group_id/:group_id_to_join/invite",
    ]);
    for (const r of implemented) {
      const path = r.path.replace(/^\/api\/v1/, "");
      const route = ours.get(key(r.method, path));
      expect(route, key(r.method, path)).toBeDefined();
      const access = r.token === "forced" ? "forced" : r.token;
      expect(route!.access, `${key(r.method, path)} option`).toBe(access);
      expect(route!.jwt, `${key(r.method, path)} jwt`).toBe(r.jwt);
      expect(route!.group !== undefined, `${key(r.method, path)} group access`).toBe(r.group_access);
    }
    for (const pending of PENDING) expect(ours.has(pending), pending).toBe(false);
  });

  it("every implemented route answers over HTTP (401/200 without an app token), pending ones 404", async () => {
    const fill = (path: string) => path.replace(/:[a-z_]+/g, "0");
    for (const r of [...implemented, ...ROUTES.filter((x) => x.alias).map((x) => ({ method: x.method, path: "/api/v1" + x.path }))]) {
      const answer = await h.call(r.method, fill(r.path), { token: null, body: {} });
      expect([answer.status, answer.body.err_code], `${r.method} ${r.path}`).toEqual([401, 200]);
    }
    for (const pending of PENDING) {
      const [method, path] = pending.split(" ") as [string, string];
      const answer = await h.call(method, "/api/v1" + fill(path), { token: null, body: {} });
      expect([answer.status, answer.body.err_code], pending).toEqual([404, 404]);
    }
  });
});
