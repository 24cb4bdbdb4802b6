import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_ROUTES } from "../../server/http/routes-files.js";
import { decryptSymKeyByMasterKey, generateSymKeyWrappedByMasterKey } from "../../src/protocol/sym-key-wrap.js";
import type { SymKey } from "../../src/protocol/keys.js";
import { readSpecRoutes, specRoutesAvailable } from "../helpers/routes.js";
import { startFilesHarness, type FilesHarness } from "./files-harness.js";
import { expectError, expectOk, login, registerUser, type LoggedIn } from "./harness.js";

const V = "/api/v1";
let h: FilesHarness;
let alice: LoggedIn & { userId: string };
let bob: LoggedIn & { userId: string };

async function newUser(): Promise<LoggedIn & { userId: string }> {
  const user = await registerUser(h);
  return { ...(await login(h, user.identifier, user.password)), userId: user.userId };
}

/** The body `POST /keys/sym_key` takes: the SDK's wrapped key without key_id/time. */
function wrapped(masterKey: SymKey): { key: SymKey; body: Record<string, unknown> } {
  const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(masterKey);
  const head = JSON.parse(encryptedKey) as Record<string, unknown>;
  return {
    key,
    body: { alg: head.alg, encrypted_key_string: head.encrypted_key_string, master_key_id: head.master_key_id },
  };
}

beforeAll(async () => {
  h = await startFilesHarness();
  alice = await newUser();
  bob = await newUser();
});
afterAll(() => h.close());

describe("sym keys (api.md §3.7)", () => {
  it("registers a key wrapped by the user key and hands it back by id, decryptable with the master key", async () => {
    const master = alice.userKeys[0]!.groupKey;
    const { key, body } = wrapped(master);
    const { key_id } = expectOk(await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, body }));
    expect(key_id).toMatch(/^[0-9a-f-]{36}$/);

    const entity = expectOk(await h.call("GET", `${V}/keys/sym_key/${key_id}`));
    expect(Object.keys(entity)).toEqual(["key_id", "master_key_id", "encrypted_key_string", "alg", "time"]);
    expect(entity).toMatchObject({
      key_id,
      master_key_id: master.keyId,
      encrypted_key_string: body.encrypted_key_string,
      alg: "AES-GCM-256",
    });
    expect(typeof entity.time).toBe("number");

    const decrypted = decryptSymKeyByMasterKey(master, entity);
    expect(decrypted.keyId).toBe(key_id);
    expect(Buffer.from(decrypted.key)).toEqual(Buffer.from(key.key));
  });

  it("answers 400/400 for an unknown key and for keys of another app", async () => {
    expectError(await h.call("GET", `${V}/keys/sym_key/nope`), 400, 400);
    const { key_id } = expectOk(
      await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, body: wrapped(alice.userKeys[0]!.groupKey).body }),
    );
    expectError(await h.call("GET", `${V}/keys/sym_key/${key_id}`, { token: h.noStorageApp.publicToken }), 400, 400);
  });

  it("lists the keys of a master key newest first, 50 a page, with the descending cursor", async () => {
    const master = bob.userKeys[0]!.groupKey;
    const ids: string[] = [];
    for (let i = 0; i < 53; i++) {
      ids.push(
        expectOk(await h.call("POST", `${V}/keys/sym_key`, { jwt: bob.jwt, body: wrapped(master).body })).key_id,
      );
    }
    const first = expectOk(await h.call("GET", `${V}/keys/sym_key/master_key/${master.keyId}/0/none`));
    expect(first).toHaveLength(50);
    for (let i = 1; i < first.length; i++) expect(first[i - 1].time).toBeGreaterThanOrEqual(first[i].time);
    const last = first[first.length - 1];
    const second = expectOk(
      await h.call("GET", `${V}/keys/sym_key/master_key/${master.keyId}/${last.time}/${last.key_id}`),
    );
    expect(second).toHaveLength(3);
    const all = [...first, ...second].map((k: { key_id: string }) => k.key_id);
    expect(new Set(all).size).toBe(53);
    expect([...all].sort()).toEqual([...ids].sort());
    expect(expectOk(await h.call("GET", `${V}/keys/sym_key/master_key/unknown/0/none`))).toEqual([]);
  });

  it("keeps keys with the same time apart by id when paging", async () => {
    h.clock.offsetMs = 0;
    const realNow = h.fx.ctx.now;
    const frozen = Date.now();
    h.fx.ctx.now = () => frozen;
    const master = { ...alice.userKeys[0]!.groupKey, keyId: "frozen-master" };
    try {
      for (let i = 0; i < 55; i++)
        expectOk(await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, body: wrapped(master).body }));
    } finally {
      h.fx.ctx.now = realNow;
    }
    const first = expectOk(await h.call("GET", `${V}/keys/sym_key/master_key/frozen-master/0/none`));
    const last = first[first.length - 1];
    const second = expectOk(
      await h.call("GET", `${V}/keys/sym_key/master_key/frozen-master/${last.time}/${last.key_id}`),
    );
    expect(first).toHaveLength(50);
    expect(second).toHaveLength(5);
    expect(new Set([...first, ...second].map((k: { key_id: string }) => k.key_id)).size).toBe(55);
  });

  it("rejects a cursor time that is not a number (400/13)", async () => {
    expectError(await h.call("GET", `${V}/keys/sym_key/master_key/x/abc/none`), 400, 13);
    expectError(await h.call("GET", `${V}/keys/sym_key/master_key/x/-1/none`), 400, 13);
  });

  it("deletes only the creator's own keys, silently otherwise", async () => {
    const { key_id } = expectOk(
      await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, body: wrapped(alice.userKeys[0]!.groupKey).body }),
    );
    expect(expectOk(await h.call("DELETE", `${V}/keys/sym_key/${key_id}`, { jwt: bob.jwt }))).toBe("Success");
    expectOk(await h.call("GET", `${V}/keys/sym_key/${key_id}`));
    expect(expectOk(await h.call("DELETE", `${V}/keys/sym_key/${key_id}`, { jwt: alice.jwt }))).toBe("Success");
    expectError(await h.call("GET", `${V}/keys/sym_key/${key_id}`), 400, 400);
    expect(expectOk(await h.call("DELETE", `${V}/keys/sym_key/${key_id}`, { jwt: alice.jwt }))).toBe("Success");
  });

  it("needs a JWT to register and delete, none to read", async () => {
    const body = wrapped(alice.userKeys[0]!.groupKey).body;
    expectError(await h.call("POST", `${V}/keys/sym_key`, { body }), 401, 31);
    expectError(await h.call("DELETE", `${V}/keys/sym_key/x`), 401, 31);
    expectError(await h.call("POST", `${V}/keys/sym_key`, { body, jwt: "not.a.jwt" }), 401, 32);
  });

  it("validates the body before the option check (422/11 before 400/203, api.md §1.3)", async () => {
    expectError(await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, body: { alg: "AES-GCM-256" } }), 422, 11);
    expectError(await h.call("POST", `${V}/keys/sym_key`, { jwt: alice.jwt, raw: "{not json" }), 422, 11);
  });

  it("enforces key_register / key_get (400/203) and the app token (401/200)", async () => {
    const token = h.closedApp.publicToken;
    expectError(await h.call("GET", `${V}/keys/sym_key/x`, { token }), 400, 203);
    expectError(await h.call("GET", `${V}/keys/sym_key/master_key/x/0/none`, { token }), 400, 203);
    expectError(await h.call("GET", `${V}/keys/sym_key/x`, { token: null }), 401, 200);
    expectError(await h.call("GET", `${V}/keys/sym_key/x`, { token: h.disabledApp.publicToken }), 401, 204);
  });
});

describe.runIf(specRoutesAvailable())("sym-key routes against routes.json", () => {
  it("match the spec's paths, options and JWT modes", () => {
    const spec = readSpecRoutes().filter((r) => r.area === "keys");
    expect(spec).toHaveLength(4);
    for (const r of spec) {
      const ours = FILE_ROUTES.find((x) => x.method === r.method && `/api/v1${x.path}` === r.path);
      expect(ours, `${r.method} ${r.path}`).toBeDefined();
      expect(ours!.access).toBe(r.token === "forced" ? "forced" : r.token);
      expect(ours!.jwt).toBe(r.jwt);
    }
  });
});
