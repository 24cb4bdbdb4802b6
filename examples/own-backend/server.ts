/**
 * An app's own backend next to sentc (here: fastify). It keeps the app's secret token, registers and deletes
 * users on behalf of the browser, checks JWTs and group membership before serving its own data, runs admin
 * actions with sentc's forced endpoints and refreshes JWTs from an HttpOnly cookie. See README.md.
 */
import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { BackendConfig } from "./config.js";
import { createJwtVerifier, JwtVerificationError, type JwtUser } from "./jwt.js";
import { parseEnvelope, SentcApi, type SentcAnswer } from "./sentc-api.js";

/** The refresh cookie: HttpOnly (no script can read it), only sent to this backend's /api paths. */
export const REFRESH_COOKIE = "sentc_refresh";
const REFRESH_COOKIE_MAX_AGE = 30 * 24 * 3600;

/** Stand-ins for the app's database: encrypted notes per user and per group (the server never sees plain text). */
export interface NoteStore {
  user: Map<string, string[]>;
  group: Map<string, string[]>;
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Hands sentc's answer to the browser unchanged (status and envelope), for its `done*` functions. */
function passThrough(reply: FastifyReply, answer: SentcAnswer): FastifyReply {
  return reply.code(answer.status).type("application/json; charset=utf-8").send(answer.text);
}

function parseJson(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function buildBackend(
  config: BackendConfig,
  notes: NoteStore = { user: new Map(), group: new Map() },
): Promise<FastifyInstance> {
  const sentc = new SentcApi(config.sentcBaseUrl);
  const verifyJwt = await createJwtVerifier(config.jwtVerifyKeys);
  const app = Fastify();

  // Keep JSON bodies as text: what the browser's prepare* functions made goes to sentc byte for byte.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));

  /** The offline JWT check: signature with the app's verify key, expiry. Answers 401 itself when it fails. */
  async function requireUser(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<(JwtUser & { jwt: string }) | undefined> {
    const jwt = bearer(request);
    if (jwt === undefined) {
      await reply.code(401).send({ error: "missing bearer token" });
      return undefined;
    }
    try {
      return { ...(await verifyJwt(jwt)), jwt };
    } catch (error) {
      if (!(error instanceof JwtVerificationError)) throw error;
      await reply.code(401).send({ error: `invalid JWT: ${error.message}` });
      return undefined;
    }
  }

  function requireAdmin(request: FastifyRequest, reply: FastifyReply): boolean {
    const key = request.headers["x-admin-key"];
    if (sameSecret(typeof key === "string" ? key : undefined, config.adminKey)) return true;
    void reply.code(401).send({ error: "admin key required" });
    return false;
  }

  // ---------- users ----------

  // Register: the body is `Sentc.prepareRegister(identifier, password)`; the browser reads the answer with
  // `Sentc.doneRegister(text)`. Your own checks (invite codes, captcha, …) go before the call.
  app.post("/api/register", async (request, reply) => {
    if (typeof request.body !== "string" || request.body.length === 0)
      return reply.code(400).send({ error: "the body must be the JSON from Sentc.prepareRegister" });
    return passThrough(
      reply,
      await sentc.request("POST", "/register", { token: config.secretToken, body: request.body }),
    );
  });

  // Delete the account: the browser sends a *fresh* JWT (`await user.getFreshJwt(password)`), then reads the
  // answer with `Sentc.doneDeleteUser(text)`. The app deletes its own data for the user afterwards.
  app.delete("/api/user", async (request, reply) => {
    const user = await requireUser(request, reply);
    if (!user) return reply;
    const answer = await sentc.request("DELETE", "/user", { token: config.secretToken, jwt: user.jwt });
    if (parseEnvelope(answer.text)?.status === true) notes.user.delete(user.userId);
    return passThrough(reply, answer);
  });

  // The online JWT check: sentc answers `{id, device_id}` for a JWT of a live device (also refuses devices
  // deleted since the JWT was issued, which the offline check can't know).
  app.get("/api/me", async (request, reply) => {
    const jwt = bearer(request);
    if (jwt === undefined) return reply.code(401).send({ error: "missing bearer token" });
    const answer = await sentc.request("GET", "/user/jwt", { token: config.secretToken, jwt });
    const envelope = parseEnvelope<{ id: string; device_id: string }>(answer.text);
    if (envelope?.status !== true || !envelope.result)
      return reply.code(401).send({ error: "invalid JWT", err_code: envelope?.err_code });
    return { user_id: envelope.result.id, device_id: envelope.result.device_id };
  });

  // ---------- the app's own data ----------

  // Per-user data, behind the offline JWT check. The browser encrypts before it sends.
  app.get("/api/notes", async (request, reply) => {
    const user = await requireUser(request, reply);
    if (!user) return reply;
    return { notes: notes.user.get(user.userId) ?? [] };
  });

  app.post("/api/notes", async (request, reply) => {
    const user = await requireUser(request, reply);
    if (!user) return reply;
    const note = parseJson(request.body)?.note;
    if (typeof note !== "string") return reply.code(400).send({ error: "body: {note: string}" });
    const list = notes.user.get(user.userId) ?? [];
    list.push(note);
    notes.user.set(user.userId, list);
    return reply.code(201).send({ count: list.length });
  });

  /** The group access check: sentc answers the light group data for members, HTTP 400 / err_code 310 for anyone else. */
  async function requireMember(
    request: FastifyRequest<{ Params: { groupId: string } }>,
    reply: FastifyReply,
  ): Promise<{ rank: number } | undefined> {
    const user = await requireUser(request, reply);
    if (!user) return undefined;
    const answer = await sentc.request("GET", `/group/${encodeURIComponent(request.params.groupId)}/light`, {
      token: config.publicToken,
      jwt: user.jwt,
    });
    const envelope = parseEnvelope<{ group_id: string; rank: number }>(answer.text);
    if (envelope?.status === true && envelope.result) return { rank: envelope.result.rank };
    if (envelope?.err_code === 310) await reply.code(403).send({ error: "not a member of this group", err_code: 310 });
    else await reply.code(502).send({ error: "group check failed", err_code: envelope?.err_code });
    return undefined;
  }

  app.get<{ Params: { groupId: string } }>("/api/groups/:groupId/notes", async (request, reply) => {
    const member = await requireMember(request, reply);
    if (!member) return reply;
    return { rank: member.rank, notes: notes.group.get(request.params.groupId) ?? [] };
  });

  app.post<{ Params: { groupId: string } }>("/api/groups/:groupId/notes", async (request, reply) => {
    const member = await requireMember(request, reply);
    if (!member) return reply;
    const note = parseJson(request.body)?.note;
    if (typeof note !== "string") return reply.code(400).send({ error: "body: {note: string}" });
    const list = notes.group.get(request.params.groupId) ?? [];
    list.push(note);
    notes.group.set(request.params.groupId, list);
    return reply.code(201).send({ count: list.length });
  });

  // ---------- admin actions (sentc's forced endpoints, secret token) ----------

  function adminAction(path: string, method: string, sentcPath: string): void {
    app.post(path, async (request, reply) => {
      if (!requireAdmin(request, reply)) return reply;
      const user_identifier = parseJson(request.body)?.user_identifier;
      if (typeof user_identifier !== "string")
        return reply.code(400).send({ error: "body: {user_identifier: string}" });
      return passThrough(
        reply,
        await sentc.request(method, sentcPath, { token: config.secretToken, body: { user_identifier } }),
      );
    });
  }
  // Turns MFA off for a user who lost the authenticator and the recovery keys.
  adminAction("/admin/users/disable-mfa", "PUT", "/user/forced/disable_otp");
  // Logs the user out everywhere: deletes every refresh token (JWTs already issued live until they expire).
  adminAction("/admin/users/end-sessions", "DELETE", "/user/forced/sessions");

  // ---------- JWT refresh from an HttpOnly cookie (refresh: {endpoint: REFRESH_ENDPOINT.cookie}) ----------

  const cookieAttributes = `HttpOnly; SameSite=Strict; Path=/api${config.secureCookie === false ? "" : "; Secure"}`;

  // Once after login: the page hands over `user.user_data.refresh_token` with its JWT. The token is tried
  // once against sentc (so a wrong one is refused now, not at the next refresh), then kept in the cookie.
  app.post("/api/session", async (request, reply) => {
    const user = await requireUser(request, reply);
    if (!user) return reply;
    const refresh_token = parseJson(request.body)?.refresh_token;
    if (typeof refresh_token !== "string" || refresh_token.length === 0)
      return reply.code(400).send({ error: "body: {refresh_token: string}" });
    const answer = await sentc.request("PUT", "/refresh", {
      token: config.publicToken,
      jwt: user.jwt,
      body: { refresh_token },
    });
    if (parseEnvelope(answer.text)?.status !== true) return passThrough(reply, answer);
    reply.header(
      "set-cookie",
      `${REFRESH_COOKIE}=${encodeURIComponent(refresh_token)}; Max-Age=${REFRESH_COOKIE_MAX_AGE}; ${cookieAttributes}`,
    );
    return reply.code(204).send();
  });

  // The SDK's refresh call: `GET` with the old (maybe expired) JWT as Bearer and the cookie; the answer is the
  // new JWT as plain text. sentc checks the old JWT's signature and that the token belongs to its device.
  app.get("/api/refresh", async (request, reply) => {
    const jwt = bearer(request);
    const refresh_token = cookie(request, REFRESH_COOKIE);
    if (jwt === undefined || refresh_token === undefined) return reply.code(401).type("text/plain").send("no session");
    const answer = await sentc.request("PUT", "/refresh", { token: config.publicToken, jwt, body: { refresh_token } });
    const envelope = parseEnvelope<{ jwt: string }>(answer.text);
    if (envelope?.status !== true || typeof envelope.result?.jwt !== "string") return passThrough(reply, answer);
    return reply.code(200).type("text/plain; charset=utf-8").send(envelope.result.jwt);
  });

  // Log out on this browser: forget the cookie (call it next to `user.logOut()`).
  app.post("/api/logout", async (_request, reply) => {
    reply.header("set-cookie", `${REFRESH_COOKIE}=; Max-Age=0; ${cookieAttributes}`);
    return reply.code(204).send();
  });

  return app;
}
