/**
 * The admin API under /admin/v1 (docs/server.md "Managing apps") and the dashboard page at /dashboard.
 * Admin routes exist only when an admin token is configured (else they answer 404 like any unknown
 * path); every admin request needs `Authorization: Bearer <admin token>`. Answers use sentc's envelope.
 */
import type { SecretBox } from "../secrets.js";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../errors.js";
import type { Store } from "../store/types.js";
import { AppAdmin } from "./service.js";
import { adminTokenChecker } from "./token.js";

/** Where the admin API lives. */
export const ADMIN_PREFIX = "/admin/v1";

/** The files of the dashboard page and their content types. */
const DASHBOARD_FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
};

/**
 * The folder of the dashboard files: `dashboard/` beside the folder of this module (server/dashboard in the
 * source tree; dist/server/dashboard in the package, where server/build.mjs copies it).
 * @throws Error when no folder has index.html.
 * @example readFileSync(join(dashboardDir(), "index.html"));
 */
export function dashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of ["../dashboard"]) {
    const dir = resolve(here, candidate);
    try {
      readFileSync(join(dir, "index.html"));
      return dir;
    } catch {
      // try the next place
    }
  }
  throw new Error("sentc-server: the dashboard files (server/dashboard) were not found");
}

/** The page loads only its own files, talks only to this server and is not framed (clickjacking). */
const DASHBOARD_SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const wrongAdminToken = () => new ApiError(401, 60, "Wrong or missing admin token");

function ok(reply: FastifyReply, result: unknown): FastifyReply {
  return reply
    .code(200)
    .header("content-type", "application/json")
    .send(Buffer.from(JSON.stringify({ status: true, result })));
}

/** What `registerAdmin` needs. */
export interface AdminRouteOptions {
  store: Store;
  /** undefined: the admin API is off (the dashboard page is still served and says so). */
  adminToken?: string;
  now?: () => number;
  /** Seals the sign keys of new JWT key pairs (secrets at rest, server/secrets.ts). */
  secrets: SecretBox;
}

/**
 * Registers the dashboard files and, with an admin token, the admin API on the server.
 * @example registerAdmin(http, { store, secrets, adminToken: process.env.SENTC_ADMIN_TOKEN });
 */
export function registerAdmin(app: FastifyInstance, options: AdminRouteOptions): void {
  const files = new Map<string, Buffer>();
  let dir: string | null = null;
  const serveFile = (name: string) => async (_request: FastifyRequest, reply: FastifyReply) => {
    let content = files.get(name);
    if (!content) {
      dir ??= dashboardDir();
      content = readFileSync(join(dir, name));
      files.set(name, content);
    }
    return reply
      .code(200)
      .headers({ "content-type": DASHBOARD_FILES[name]!, "cache-control": "no-cache", ...DASHBOARD_SECURITY_HEADERS })
      .send(content);
  };
  app.get("/dashboard", serveFile("index.html"));
  for (const name of Object.keys(DASHBOARD_FILES)) app.get(`/dashboard/${name}`, serveFile(name));

  if (options.adminToken === undefined) return;
  const check = adminTokenChecker(options.adminToken);
  const admin = new AppAdmin(options.store, options.secrets, options.now);
  void app.register(
    async (scope) => {
      scope.addHook("onRequest", async (request) => {
        const header = request.headers.authorization;
        const presented =
          typeof header === "string" && header.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
        if (!check(presented)) throw wrongAdminToken();
      });
      type P = { app_id: string; jwt_id: string };
      const id = (request: FastifyRequest) => (request.params as P).app_id;
      const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
      scope.get("/apps", async (_q, r) => ok(r, await admin.listApps()));
      scope.post("/apps", async (q, r) => ok(r, await admin.createApp(body(q))));
      scope.get("/apps/:app_id", async (q, r) => ok(r, await admin.getApp(id(q))));
      scope.put("/apps/:app_id", async (q, r) => {
        const input = body(q);
        if (input.disabled !== undefined && typeof input.disabled !== "boolean")
          throw new ApiError(422, 11, "Wrong input: disabled must be true or false");
        if (input.identifier !== undefined) await admin.renameApp(id(q), input.identifier);
        if (typeof input.disabled === "boolean") await admin.setDisabled(id(q), input.disabled);
        return ok(r, await admin.getApp(id(q)));
      });
      scope.delete("/apps/:app_id", async (q, r) => {
        await admin.deleteApp(id(q));
        return ok(r, "Success");
      });
      scope.delete("/apps/:app_id/reset", async (q, r) => {
        await admin.resetApp(id(q));
        return ok(r, "Success");
      });
      scope.patch("/apps/:app_id/token_renew", async (q, r) => ok(r, await admin.renewTokens(id(q))));
      scope.get("/apps/:app_id/options", async (q, r) => {
        const view = await admin.getApp(id(q));
        return ok(r, { options: view.options, group_options: view.group_options, file_options: view.file_options });
      });
      scope.put("/apps/:app_id/options", async (q, r) => ok(r, (await admin.setOptions(id(q), q.body)).options));
      scope.put("/apps/:app_id/group_options", async (q, r) =>
        ok(r, (await admin.setGroupOptions(id(q), q.body)).group_options),
      );
      scope.put("/apps/:app_id/file_options", async (q, r) =>
        ok(r, (await admin.setFileOptions(id(q), q.body)).file_options),
      );
      scope.patch("/apps/:app_id/new_jwt_keys", async (q, r) => ok(r, await admin.addJwtKey(id(q))));
      scope.get("/apps/:app_id/jwt", async (q, r) => ok(r, await admin.listJwtKeys(id(q))));
      scope.delete("/apps/:app_id/jwt/:jwt_id", async (q, r) => {
        await admin.deleteJwtKey(id(q), (q.params as P).jwt_id);
        return ok(r, "Success");
      });
    },
    { prefix: ADMIN_PREFIX },
  );
}
