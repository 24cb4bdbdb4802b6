import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_ROUTES } from "../../server/http/routes-files.js";
import { ROUTES } from "../../server/http/routes.js";
import { readSpecRoutes, specRoutesAvailable, type SpecRoute } from "../helpers/routes.js";
import { startHarness, type Harness } from "./harness.js";

/** The file and sym-key routes are registered by server/http/routes-files.ts, the rest by routes.ts. */
const ALL_ROUTES = [...ROUTES, ...FILE_ROUTES.map((r) => ({ ...r, alias: false as boolean | undefined }))];

const key = (method: string, path: string) => `${method} ${path}`;
const ours = new Map(ALL_ROUTES.map((r) => [key(r.method, r.path), r]));

describe.runIf(specRoutesAvailable())("route coverage against routes.json", () => {
  const spec: SpecRoute[] = specRoutesAvailable() ? readSpecRoutes() : [];
  const implemented = spec;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("the spec lists 127 routes and the server implements all of them", () => {
    expect(spec).toHaveLength(127);
    expect(spec.filter((r) => r.area === "group")).toHaveLength(55);
    expect(spec.filter((r) => r.area === "group_forced")).toHaveLength(13);
    const specKeys = spec.map((r) => key(r.method, r.path.replace(/^\/api\/v1/, "")));
    expect(new Set(specKeys).size).toBe(127);
    expect(specKeys.filter((k) => !ours.has(k))).toEqual([]);
  });

  it("registers every implemented route with the spec's option, JWT mode and group check, and nothing else but the SDK aliases", () => {
    expect(ALL_ROUTES.filter((r) => !r.alias)).toHaveLength(implemented.length);
    // The two group-invite paths the sentc SDKs call (api.md §7.1).
    expect(
      ROUTES.filter((r) => r.alias)
        .map((r) => key(r.method, r.path))
        .sort(),
    ).toEqual([
      "DELETE /group/:group_id/:group_id_to_reject/invite",
      "PATCH /group/:group_id/:group_id_to_join/invite",
    ]);
    for (const r of implemented) {
      const path = r.path.replace(/^\/api\/v1/, "");
      const route = ours.get(key(r.method, path));
      expect(route, key(r.method, path)).toBeDefined();
      const access = r.token === "forced" ? "forced" : r.token;
      expect(route!.access, `${key(r.method, path)} option`).toBe(access);
      // Stricter than the reference on purpose (docs/server.md "Sessions"): OTP registration needs a fresh JWT.
      const stricter: Record<string, string> = { "PATCH /user/register_otp": "fresh" };
      expect(route!.jwt, `${key(r.method, path)} jwt`).toBe(stricter[key(r.method, path)] ?? r.jwt);
      expect(Boolean(route!.group), `${key(r.method, path)} group access`).toBe(r.group_access);
    }
  });

  it("every route answers over HTTP (401/200 without an app token)", async () => {
    const fill = (path: string) => path.replace(/:[a-z_]+/g, "0");
    for (const r of [
      ...implemented,
      ...ROUTES.filter((x) => x.alias).map((x) => ({ method: x.method, path: `/api/v1${x.path}` })),
    ]) {
      const answer = await h.call(r.method, fill(r.path), { token: null, body: {} });
      expect([answer.status, answer.body.err_code], `${r.method} ${r.path}`).toEqual([401, 200]);
    }
    // An unknown path, and a known path with another method, answer the envelope's 404.
    for (const [method, path] of [
      ["GET", "/api/v1/nothing/here"],
      ["PATCH", "/api/v1/file/0"],
    ] as const) {
      const answer = await h.call(method, path, { token: null, body: {} });
      expect([answer.status, answer.body.err_code], `${method} ${path}`).toEqual([404, 404]);
    }
  });
});
