/**
 * Seeded mutation fuzzing of every implemented route: valid bodies (made by the protocol layer) with
 * fields removed, retyped, blown up or cut, plus random path parameters. Nothing may answer 5xx, every
 * answer must be a well-formed envelope, and the server must still serve afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_ROUTES } from "../../server/http/routes-files.js";
import { ROUTES } from "../../server/http/routes.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { prepareChangePassword, prepareResetPassword } from "../../src/protocol/password-change.js";
import { prepareRegister, prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { expectOk, login, registerUser, startHarness, unique, type Harness } from "./harness.js";
import { createBody, createGroup, memberKeys, newUser, sessionPages, type TestUser } from "./group-helpers.js";

const V = "/api/v1";
const MUTATIONS_PER_ROUTE = 50;

/** xorshift32: reproducible runs. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  "",
  " ",
  "\u0000",
  "\ud800",
  "💥".repeat(50),
  "x".repeat(70_000),
  "null",
  "Otp",
  "../../etc/passwd",
  "' OR 1=1 --",
  [],
  [1, 2],
  {},
  { __proto__: { polluted: true } },
  { a: { b: { c: [] } } },
  "AAAA",
  "====",
  "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
  "01a21247-5432-7298-8b8a-aa61de993214",
];

function mutateValue(r: ReturnType<typeof rng>, value: unknown, depth = 0): unknown {
  if (depth < 4 && value !== null && typeof value === "object") {
    if (Array.isArray(value)) {
      const copy = [...value];
      if (copy.length > 0 && r.next() < 0.5)
        copy[r.int(copy.length)] = mutateValue(r, copy[r.int(copy.length)], depth + 1);
      else if (r.next() < 0.5) copy.push(r.pick(WEIRD_VALUES));
      else copy.splice(0, r.int(copy.length + 1));
      return copy;
    }
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const choice = r.next();
    if (keys.length > 0 && choice < 0.3) delete copy[r.pick(keys)];
    else if (keys.length > 0 && choice < 0.85) {
      const k = r.pick(keys);
      copy[k] = mutateValue(r, copy[k], depth + 1);
    } else copy[`extra_${r.int(1000)}`] = r.pick(WEIRD_VALUES);
    return copy;
  }
  if (typeof value === "string" && r.next() < 0.4) {
    const i = r.int(value.length + 1);
    return r.next() < 0.5
      ? value.slice(0, i)
      : value.slice(0, i) + String.fromCharCode(r.int(0x10000)) + value.slice(i);
  }
  return r.pick(WEIRD_VALUES);
}

function mutateBody(r: ReturnType<typeof rng>, seed: unknown): string | Buffer {
  const text = JSON.stringify(seed ?? {});
  const mode = r.next();
  if (mode < 0.6) return JSON.stringify(mutateValue(r, seed ?? {}));
  if (mode < 0.7) return text.slice(0, r.int(text.length));
  if (mode < 0.75) return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256)));
  if (mode < 0.8) return "[".repeat(5000 + r.int(20_000)) + "]".repeat(r.int(3));
  if (mode < 0.85) return JSON.stringify(r.pick(WEIRD_VALUES));
  if (mode < 0.9) return text.replace(/"/g, r.pick(["'", "", '\\"']));
  return JSON.stringify(mutateValue(r, mutateValue(r, seed ?? {})));
}

function mutatePath(r: ReturnType<typeof rng>, path: string, params: Record<string, string>): string {
  return path.replace(/:([a-z_]+)/g, (_m, name: string) => {
    if (r.next() < 0.5 && params[name] !== undefined) return params[name]!;
    return encodeURIComponent(
      String(
        r.pick([
          "0",
          "-1",
          "99999999999999999999",
          "none",
          "%00",
          "💥",
          "a".repeat(500),
          unique("p"),
          "01a21247-5432-7298-8b8a-aa61de993214",
        ]),
      ),
    );
  });
}

/** A route as the fuzzer sees it (both route tables). */
interface FuzzRoute {
  method: string;
  path: string;
}

// File and sym-key routes too, except the raw part download (its success answer is bytes, not JSON).
// Destructive routes last, so the others run with a live user and group.
const destructive = (r: FuzzRoute) =>
  Number(
    r.method === "DELETE" &&
      (r.path.startsWith("/user") || r.path === "/group/:group_id" || r.path === "/group/forced/:group_id"),
  );
const ORDERED_ROUTES: FuzzRoute[] = [...ROUTES, ...FILE_ROUTES.filter((route) => !route.rawResult)]
  .map((route) => ({ method: route.method, path: route.path }))
  .sort((a, b) => destructive(a) - destructive(b));

/** What every route's mutations start from: one user with a session, groups, seed bodies and path values. */
interface FuzzWorld {
  session: Awaited<ReturnType<typeof login>>;
  seeds: Record<string, unknown>;
  params: Record<string, string>;
}

let h: Harness;
let world: FuzzWorld;
/** One generator for the whole file: the routes run in order, so a run is reproducible. */
const r = rng(0x5e17c);
let requests = 0;
const statuses = new Map<number, number>();

async function makeWorld(): Promise<FuzzWorld> {
  const user = await registerUser(h);
  const session = await login(h, user.identifier, user.password);
  const pending = expectOk(
    await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(unique("dev"), "pw") }),
  );
  const groupKeys = session.userKeys.map((k) => k.groupKey);
  const oldKey = session.userKeys[0]!;
  const seeds: Record<string, unknown> = {
    "/exists": { user_identifier: user.identifier },
    "/register": JSON.parse(prepareRegister(unique(), "pw")),
    "/register_light": JSON.parse(prepareRegisterDeviceStart(unique(), "pw")),
    "/prepare_login": { user_identifier: user.identifier },
    "/done_login": { auth_key: `${"A".repeat(43)}=`, device_identifier: user.identifier },
    "/validate_mfa": { auth_key: `${"A".repeat(43)}=`, device_identifier: user.identifier, token: "123456" },
    "/validate_recovery_otp": { auth_key: `${"A".repeat(43)}=`, device_identifier: user.identifier, token: "ABC" },
    "/verify_login": { auth_key: `${"A".repeat(43)}=`, device_identifier: user.identifier, challenge: "x" },
    "/verify_login_light": { auth_key: `${"A".repeat(43)}=`, device_identifier: user.identifier, challenge: "x" },
    "/user/prepare_register_device": JSON.parse(prepareRegisterDeviceStart(unique(), "pw")),
    "/user/reset_pw_light": JSON.parse(prepareRegisterDeviceStart(unique(), "pw")),
    "/refresh": { refresh_token: session.refreshToken },
    "/init": { refresh_token: session.refreshToken },
    "/user": { user_identifier: unique() },
    "/user/done_register_device": JSON.parse(prepareRegisterDevice(pending, groupKeys, 1).serverInput),
    "/user/done_register_device_light": { user_group: { rank: 3 }, token: pending.token },
    "/user/user_keys/session/:key_session_id": JSON.parse(prepareRegisterDevice(pending, groupKeys, 1).serverInput)
      .user_keys.keys,
    "/user/update_pw": JSON.parse(prepareChangePassword("new", session.masterKey, session.authKey)),
    "/user/reset_pw": JSON.parse(
      prepareResetPassword("new", session.deviceKeys.privateKey, session.deviceKeys.signKey),
    ),
    "/user/user_keys/rotation": JSON.parse(
      prepareKeyRotation({
        previousGroupKey: oldKey.groupKey,
        invokerPublicKey: session.deviceKeys.publicKey,
        signKey: oldKey.signKey,
        starter: user.userId,
        userGroup: true,
      }).serverInput,
    ),
    "/user/user_keys/rotation/:key_id": {
      encrypted_new_group_key: "AAAA",
      public_key_id: user.deviceId,
      encrypted_alg: "ECIES-ed25519",
    },
    "/user/forced/delete": { user_identifier: unique() },
    "/user/forced/reset_user": JSON.parse(prepareRegister(unique(), "pw")),
    "/user/forced/disable_otp": { user_identifier: user.identifier },
    "/user/forced/sessions": { user_identifier: unique() },
    "/user/forced/login": { user_identifier: user.identifier },
    "/user/forced/login_light": { user_identifier: user.identifier },
  };
  // Groups: the session user owns a group with a member; another user is invited.
  const owner: TestUser = {
    id: user.userId,
    userId: user.userId,
    deviceId: user.deviceId,
    identifier: user.identifier,
    jwt: session.jwt,
    publicKey: session.userKeys[0]!.publicGroupKey,
    privateKey: session.userKeys[0]!.privateGroupKey,
  };
  const group = await createGroup(h, owner);
  const other = await newUser(h);
  const otherGroup = await createGroup(h, other);
  const full = JSON.parse(memberKeys(other, group.keys));
  const create = JSON.parse(createBody(group, user.userId).body);
  const rotationBody = JSON.parse(
    prepareKeyRotation({ previousGroupKey: group.keys[0]!, invokerPublicKey: owner.publicKey, starter: user.userId })
      .serverInput,
  );
  const sessionKeys = JSON.parse(sessionPages(other, [...Array(50).fill(group.keys[0]!), group.keys[0]!])[0]!);
  for (const route of ROUTES) {
    if (!route.path.startsWith("/group")) continue;
    if (route.path.endsWith("/light") || route.path.endsWith("group_light")) seeds[route.path] = { rank: 3 };
    else if (route.path.includes("/session/")) seeds[route.path] = sessionKeys;
    else if (
      /\/(child|connected)$/.test(route.path) ||
      route.path === "/group" ||
      route.path === "/group/forced/:user_id"
    )
      seeds[route.path] = create;
    else if (route.method === "PUT" || (route.method === "POST" && route.path.includes("invite_auto")))
      seeds[route.path] = full;
  }
  seeds["/group/:group_id/change_rank"] = { changed_user_id: other.userId, new_rank: 2 };
  seeds["/group/:group_id/key_rotation"] = rotationBody;
  seeds["/group/:group_id/key_rotation/:key_id"] = {
    encrypted_new_group_key: "AAAA",
    public_key_id: user.deviceId,
    encrypted_alg: "ECIES-ed25519",
  };
  seeds["/file"] = {
    encrypted_key: "AAAA",
    encrypted_key_alg: "AES-GCM-256",
    master_key_id: oldKey.groupKey.keyId,
    belongs_to_id: null,
    belongs_to_type: "None",
    encrypted_file_name: null,
  };
  seeds["/keys/sym_key"] = { master_key_id: oldKey.groupKey.keyId, encrypted_key_string: "AAAA", alg: "AES-GCM-256" };
  const params: Record<string, string> = {
    user_id: user.userId,
    key_id: oldKey.groupKey.keyId,
    last_fetched_time: "0",
    last_id: "none",
    last_k_id: "none",
    device_id: user.deviceId,
    key_session_id: "none",
    group_id: group.groupId,
    invited_user: other.userId,
    invited_group: otherGroup.groupId,
    to_invite: other.userId,
    join_user: other.userId,
    user_to_kick: other.userId,
    group_id_to_join: otherGroup.groupId,
    group_id_to_reject: otherGroup.groupId,
    join_req_id: otherGroup.groupId,
    last_group_id: "none",
    last_user_id: "none",
  };
  return { session, seeds, params };
}

beforeAll(async () => {
  h = await startHarness();
  world = await makeWorld();
});
afterAll(() => h.close());

describe(`fuzz: ${MUTATIONS_PER_ROUTE} mutated requests per implemented route`, () => {
  it.each(ORDERED_ROUTES.map((route) => [route.method, route.path, route] as const))(
    "%s %s",
    async (_method, _path, route) => {
      const { session, seeds, params } = world;
      for (let i = 0; i < MUTATIONS_PER_ROUTE; i++) {
        const token = r.next() < 0.85 ? h.app.secretToken : r.pick([h.app.publicToken, "bad token", null]);
        const jwt = r.next() < 0.9 ? session.jwt : r.pick(["", "a.b.c", `${session.jwt.slice(0, -4)}AAAA`]);
        const answer = await h.call(route.method, V + mutatePath(r, route.path, params), {
          token,
          jwt,
          raw: route.method === "GET" ? undefined : mutateBody(r, seeds[route.path]),
        });
        requests += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, `${route.method} ${route.path}`).toBeLessThan(500);
        expect(
          typeof answer.body.status,
          `${route.method} ${route.path} ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
        ).toBe("boolean");
        if (answer.body.status) expect(answer.body.result).not.toBeNull();
        else expect(typeof answer.body.err_code).toBe("number");
      }
    },
  );

  it("sent every request, got successes among them, and still serves", async () => {
    expect(requests).toBe(ORDERED_ROUTES.length * MUTATIONS_PER_ROUTE);
    expect(requests).toBeGreaterThanOrEqual(6000);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(expectOk(await h.call("POST", `${V}/exists`, { body: { user_identifier: "still-alive" } })).available).toBe(
      true,
    );
    await login(h, (await registerUser(h)).identifier, "correct horse");
    await h.server.rotations!.whenIdle();
    const fresh = await newUser(h);
    await createGroup(h, fresh);
  });
});
