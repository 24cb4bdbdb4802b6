import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { readdir, readFile, rename, stat, utimes, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../server/crypto.js";
import { FILE_ROUTES, registerFileRoutes } from "../../server/http/routes-files.js";
import {
  cleanupFiles,
  MAX_PART_SIZE,
  SESSION_TTL_MS,
  startFileCleanup,
  uploadsRunning,
} from "../../server/services/files.js";
import {
  decryptFilePart,
  encryptFilePart,
  prepareFileNameUpdate,
  prepareRegisterFile,
  type BelongsTo,
} from "../../src/protocol/file.js";
import { decryptStringSymmetric } from "../../src/protocol/encrypt.js";
import type { SymKey } from "../../src/protocol/keys.js";
import { prepareRegister } from "../../src/protocol/register.js";
import { decryptSymKeyByMasterKey, generateSymKeyWrappedByMasterKey } from "../../src/protocol/sym-key-wrap.js";
import { readSpecRoutes, specRoutesAvailable } from "../helpers/routes.js";
import { startFilesHarness, type FilesHarness } from "./files-harness.js";
import { expectError, expectOk, login, registerUser, type LoggedIn } from "./harness.js";

const V = "/api/v1";
let h: FilesHarness;
type User = LoggedIn & { userId: string };
let alice: User;
let bob: User;
let carol: User;

async function newUser(): Promise<User> {
  const user = await registerUser(h);
  return { ...(await login(h, user.identifier, user.password)), userId: user.userId };
}

interface NewFile {
  fileId: string;
  sessionId: string;
  contentKey: SymKey;
  encryptedKey: string;
}

/** The SDK's register step: a content key wrapped by the user key, `prepareRegisterFile`, POST. */
async function register(
  user: User,
  belongsToId: string | null = null,
  type: BelongsTo = "None",
  name: string | null = "report.pdf",
  groupId?: string,
): Promise<NewFile> {
  const master = user.userKeys[0]!.groupKey;
  const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
  const body = prepareRegisterFile(master.keyId, key, encryptedKey, belongsToId, type, name);
  const path = groupId ? `${V}/group/${groupId}/file` : `${V}/file`;
  const result = expectOk(await h.call("POST", path, { jwt: user.jwt, raw: body }));
  return { fileId: result.file_id, sessionId: result.session_id, contentKey: key, encryptedKey };
}

function upload(
  user: User | string,
  sessionId: string,
  seq: number | string,
  end: boolean | string,
  bytes: Uint8Array,
  token?: string,
) {
  return h.call("POST", `${V}/file/part/${sessionId}/${seq}/${end}`, {
    jwt: typeof user === "string" ? user : user.jwt,
    raw: Buffer.from(bytes),
    headers: { "content-type": "application/octet-stream" },
    ...(token ? { token } : {}),
  });
}

/** Encrypts and uploads `parts` in order (the last with end=true). */
async function uploadAll(user: User, file: NewFile, parts: Uint8Array[]): Promise<void> {
  let previous = file.contentKey.key;
  for (let i = 0; i < parts.length; i++) {
    const { part, nextKey } = encryptFilePart(previous, parts[i]!);
    previous = nextKey;
    expect(expectOk(await upload(user, file.sessionId, i, i === parts.length - 1, part))).toBe("Success");
  }
}

async function blobCount(): Promise<number> {
  return (await readdir(h.dataDir)).length;
}

beforeAll(async () => {
  h = await startFilesHarness();
  alice = await newUser();
  bob = await newUser();
  carol = await newUser();
});
afterAll(() => h.close());

describe("register, upload, download (api.md §3.8, crypto.md §11)", () => {
  it("round-trips an encrypted file through the server with the protocol layer", async () => {
    const file = await register(alice);
    const parts = [randomBytes(1000), randomBytes(70_000), randomBytes(3)];
    await uploadAll(alice, file, parts);

    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: bob.jwt }));
    expect(Object.keys(meta)).toEqual([
      "file_id",
      "master_key_id",
      "owner",
      "belongs_to",
      "belongs_to_type",
      "encrypted_key",
      "encrypted_key_alg",
      "time",
      "encrypted_file_name",
      "part_list",
    ]);
    expect(meta).toMatchObject({
      file_id: file.fileId,
      owner: alice.userId,
      belongs_to: null,
      belongs_to_type: "None",
      encrypted_key: file.encryptedKey,
      encrypted_key_alg: "AES-GCM-256",
    });
    expect(meta.master_key_id).toBe(alice.userKeys[0]!.groupKey.keyId);
    expect(decryptStringSymmetric(file.contentKey, meta.encrypted_file_name)).toBe("report.pdf");
    expect(
      meta.part_list.map((p: { sequence: number; extern_storage: boolean }) => [p.sequence, p.extern_storage]),
    ).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);

    // The reader side: unwrap the content key, download and decrypt the chain.
    const contentKey = decryptSymKeyByMasterKey(alice.userKeys[0]!.groupKey, meta.encrypted_key);
    let previous = contentKey.key;
    for (let i = 0; i < parts.length; i++) {
      const download = await h.callBytes("GET", `${V}/file/part/${meta.part_list[i].part_id}`, {
        token: h.app.publicToken,
      });
      expect(download.status).toBe(200);
      expect(download.headers.get("content-type")).toBe("application/octet-stream");
      expect(download.headers.get("access-control-allow-origin")).toBe("*");
      const { plaintext, nextKey } = decryptFilePart(previous, new Uint8Array(download.bytes));
      expect(Buffer.from(plaintext)).toEqual(parts[i]);
      previous = nextKey;
    }
  });

  it("closes the session with end=true (later uploads 400/510) and refuses unknown sessions", async () => {
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(10)]);
    expectError(await upload(alice, file.sessionId, 1, false, randomBytes(10)), 400, 510);
    expectError(await upload(alice, newId(), 0, false, randomBytes(10)), 400, 510);
  });

  it("accepts uploads only from the file's owner (400/510)", async () => {
    const file = await register(alice);
    expectError(await upload(bob, file.sessionId, 0, false, randomBytes(10)), 400, 510);
    expectOk(await upload(alice, file.sessionId, 0, true, randomBytes(10)));
  });

  it("limits a part to 5 MiB (400/502) and keeps the session usable", async () => {
    const file = await register(alice);
    const before = await blobCount();
    expectError(await upload(alice, file.sessionId, 0, false, new Uint8Array(MAX_PART_SIZE + 1)), 400, 502);
    expect(await blobCount()).toBe(before);
    expectOk(await upload(alice, file.sessionId, 0, true, new Uint8Array(MAX_PART_SIZE)));
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    const bytes = await h.callBytes("GET", `${V}/file/part/${meta.part_list[0].part_id}`);
    expect(bytes.bytes.length).toBe(MAX_PART_SIZE);
  });

  it("takes the raw body whatever the Content-Type says (none, application/json, chunked)", async () => {
    const file = await register(alice);
    const send = (seq: number, headers: Record<string, string>, body: Buffer) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const url = `${h.server.baseUrl}${V}/file/part/${file.sessionId}/${seq}/${seq === 2}`;
        const req = request(
          url,
          {
            method: "POST",
            headers: { "x-sentc-app-token": h.app.publicToken, authorization: `Bearer ${alice.jwt}`, ...headers },
          },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const parts = [randomBytes(10), Buffer.from('{"looks":"like json"}'), randomBytes(3000)];
    expect(await send(0, { "content-length": "10" }, parts[0]!)).toEqual({
      status: 200,
      text: '{"status":true,"result":"Success"}',
    });
    expect((await send(1, { "content-type": "application/json" }, parts[1]!)).status).toBe(200);
    expect((await send(2, { "transfer-encoding": "chunked" }, parts[2]!)).status).toBe(200);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    for (let i = 0; i < 3; i++)
      expect((await h.callBytes("GET", `${V}/file/part/${meta.part_list[i].part_id}`)).bytes).toEqual(parts[i]);
  });

  it("cuts the connection instead of draining a huge refused body", async () => {
    const file = await register(alice);
    const answer = await upload(alice, file.sessionId, 0, false, new Uint8Array(30 * 1024 * 1024)).catch(
      (error: Error) => error,
    );
    if (!(answer instanceof Error)) expectError(answer, 400, 502);
    expectOk(await upload(alice, file.sessionId, 0, true, randomBytes(4)));
  });

  it("rejects unparsable :seq / :end (400/12)", async () => {
    const file = await register(alice);
    expectError(await upload(alice, file.sessionId, "x", false, randomBytes(1)), 400, 12);
    expectError(await upload(alice, file.sessionId, 2 ** 31, false, randomBytes(1)), 400, 12);
    expectError(await upload(alice, file.sessionId, 0, "yes", randomBytes(1)), 400, 12);
    expectError(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/abc`), 400, 12);
  });

  it("replaces a part uploaded again with the same sequence (retry) and removes the old bytes", async () => {
    const file = await register(alice);
    const before = await blobCount();
    expectOk(await upload(alice, file.sessionId, 0, false, Buffer.from("first")));
    expectOk(await upload(alice, file.sessionId, 0, true, Buffer.from("second")));
    expect(await blobCount()).toBe(before + 1);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    expect(meta.part_list).toHaveLength(1);
    expect((await h.callBytes("GET", `${V}/file/part/${meta.part_list[0].part_id}`)).bytes.toString()).toBe("second");
  });

  it("expires upload sessions after 24 h (400/511) but accepts an expired JWT within them", async () => {
    const file = await register(alice);
    h.clock.offsetMs = 10 * 60 * 1000; // the JWT (300 s) is expired now
    try {
      expectOk(await upload(alice, file.sessionId, 0, false, randomBytes(5)));
      h.clock.offsetMs = SESSION_TTL_MS + 1000;
      expectError(await upload(alice, file.sessionId, 1, true, randomBytes(5)), 400, 511);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("answers 400/500 for unknown parts", async () => {
    const answer = await h.call("GET", `${V}/file/part/${newId()}`);
    expectError(answer, 400, 500);
  });
});

describe("metadata and part lists", () => {
  it("answers 400/512 for unknown files, files without parts and empty part pages (as sentc)", async () => {
    expectError(await h.call("GET", `${V}/file/${newId()}`), 400, 512);
    const file = await register(alice);
    expectError(await h.call("GET", `${V}/file/${file.fileId}`), 400, 512);
    expectError(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/-1`), 400, 512);
    await uploadAll(alice, file, [randomBytes(4), randomBytes(4)]);
    const rest = expectOk(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/0`));
    expect(rest.map((p: { sequence: number }) => p.sequence)).toEqual([1]);
    expect(Object.keys(rest[0])).toEqual(["part_id", "sequence", "extern_storage"]);
    expectError(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/1`), 400, 512);
  });

  it("pages parts by 500: the metadata has the first page, part_fetch the rest", async () => {
    const file = await register(alice, null, "None", null);
    for (let i = 0; i < 502; i++) expectOk(await upload(alice, file.sessionId, i, i === 501, Buffer.from([i & 0xff])));
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    expect(meta.encrypted_file_name).toBeNull();
    expect(meta.part_list).toHaveLength(500);
    expect(meta.part_list[499].sequence).toBe(499);
    const rest = expectOk(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/499`));
    expect(rest.map((p: { sequence: number }) => p.sequence)).toEqual([500, 501]);
  });

  it("user files: owner and the user it belongs to only (400/521); files of nobody: anyone with the app token", async () => {
    const file = await register(alice, bob.userId, "User");
    await uploadAll(alice, file, [randomBytes(8)]);
    expect(expectOk(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: alice.jwt })).belongs_to).toBe(bob.userId);
    expect(expectOk(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: bob.jwt })).belongs_to_type).toBe("User");
    expectError(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: carol.jwt }), 400, 521);
    expectError(await h.call("GET", `${V}/file/${file.fileId}`), 400, 521);
    // A JWT that is sent must be valid, even though the route takes none.
    expectError(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: "x.y.z" }), 401, 32);

    const open = await register(alice);
    await uploadAll(alice, open, [randomBytes(8)]);
    expectOk(await h.call("GET", `${V}/file/${open.fileId}`));
  });

  it("registering for an unknown user is 400/512; Group outside a group route is stored as None", async () => {
    const master = alice.userKeys[0]!.groupKey;
    const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
    expectError(
      await h.call("POST", `${V}/file`, {
        jwt: alice.jwt,
        raw: prepareRegisterFile(master.keyId, key, encryptedKey, newId(), "User"),
      }),
      400,
      512,
    );
    const file = await register(alice, newId(), "Group");
    await uploadAll(alice, file, [randomBytes(8)]);
    expect(expectOk(await h.call("GET", `${V}/file/${file.fileId}`))).toMatchObject({
      belongs_to: null,
      belongs_to_type: "None",
    });
  });

  it("validates the register body (422/11)", async () => {
    const body = JSON.parse(
      prepareRegisterFile("k", { alg: "AES-GCM-256", key: randomBytes(32), keyId: "" }, "x", null, "None"),
    );
    expectError(
      await h.call("POST", `${V}/file`, { jwt: alice.jwt, body: { ...body, belongs_to_type: "Everyone" } }),
      422,
      11,
    );
    expectError(
      await h.call("POST", `${V}/file`, { jwt: alice.jwt, body: { ...body, encrypted_key: undefined } }),
      422,
      11,
    );
    expectError(await h.call("POST", `${V}/file`, { jwt: alice.jwt, raw: "[" }), 422, 11);
    expectError(await h.call("POST", `${V}/file`, { body }), 401, 31);
  });
});

describe("rename and delete", () => {
  it("renames for the owner only", async () => {
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(8)]);
    expectError(
      await h.call("PUT", `${V}/file/${file.fileId}`, {
        jwt: bob.jwt,
        raw: prepareFileNameUpdate(file.contentKey, "x"),
      }),
      400,
      521,
    );
    expect(
      expectOk(
        await h.call("PUT", `${V}/file/${file.fileId}`, {
          jwt: alice.jwt,
          raw: prepareFileNameUpdate(file.contentKey, "new name"),
        }),
      ),
    ).toBe("Success");
    expect(
      decryptStringSymmetric(
        file.contentKey,
        expectOk(await h.call("GET", `${V}/file/${file.fileId}`)).encrypted_file_name,
      ),
    ).toBe("new name");
    expectOk(
      await h.call("PUT", `${V}/file/${file.fileId}`, {
        jwt: alice.jwt,
        raw: prepareFileNameUpdate(file.contentKey, null),
      }),
    );
    expect(expectOk(await h.call("GET", `${V}/file/${file.fileId}`)).encrypted_file_name).toBeNull();
    expectError(
      await h.call("PUT", `${V}/file/${newId()}`, { jwt: alice.jwt, body: { encrypted_file_name: null } }),
      400,
      512,
    );
    expectError(
      await h.call("PUT", `${V}/file/${file.fileId}`, { jwt: alice.jwt, body: { encrypted_file_name: 5 } }),
      422,
      11,
    );
  });

  it("deletes for the owner only; the file and its parts are gone at once, the bytes with the cleanup", async () => {
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(8), randomBytes(8)]);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    expectError(await h.call("DELETE", `${V}/file/${file.fileId}`, { jwt: bob.jwt }), 400, 521);
    expect(expectOk(await h.call("DELETE", `${V}/file/${file.fileId}`, { jwt: alice.jwt }))).toBe("Success");
    expectError(await h.call("GET", `${V}/file/${file.fileId}`), 400, 512);
    expectError(await h.call("GET", `${V}/file/${file.fileId}/part_fetch/-1`), 400, 512);
    expectError(await h.call("GET", `${V}/file/part/${meta.part_list[0].part_id}`), 400, 500);
    expectError(await h.call("DELETE", `${V}/file/${file.fileId}`, { jwt: alice.jwt }), 400, 512);
    expectError(
      await h.call("PUT", `${V}/file/${file.fileId}`, { jwt: alice.jwt, body: { encrypted_file_name: null } }),
      400,
      512,
    );

    const files = await readdir(h.dataDir);
    expect(files).toContain(meta.part_list[0].part_id);
    const result = await cleanupFiles(h.fx);
    expect(result.removedParts).toBeGreaterThanOrEqual(2);
    expect(result.purgedFiles).toBeGreaterThanOrEqual(1);
    const after = await readdir(h.dataDir);
    expect(after).not.toContain(meta.part_list[0].part_id);
    expect(after).not.toContain(meta.part_list[1].part_id);
  });
});

describe("group files (the group middleware as a port)", () => {
  let groupId: string;
  let otherGroupId: string;
  beforeAll(async () => {
    groupId = newId();
    otherGroupId = newId();
    const now = Date.now();
    const store = h.server.store;
    for (const id of [groupId, otherGroupId]) {
      await store.insertGroup({
        id,
        appId: h.app.id,
        parent: null,
        type: 0,
        invite: true,
        isConnectedGroup: false,
        time: now,
      });
    }
    await store.insertMember({ userId: alice.userId, groupId, time: now, rank: 0, keyUploadSessionId: null, type: 0 });
    await store.insertMember({ userId: bob.userId, groupId, time: now, rank: 4, keyUploadSessionId: null, type: 0 });
    await store.insertMember({ userId: carol.userId, groupId, time: now, rank: 3, keyUploadSessionId: null, type: 0 });
    await store.insertMember({
      userId: bob.userId,
      groupId: otherGroupId,
      time: now,
      rank: 0,
      keyUploadSessionId: null,
      type: 0,
    });
  });

  it("registers a group file for members; non-members 400/310, bad ids 400/1", async () => {
    const file = await register(alice, groupId, "Group", "g.txt", groupId);
    await uploadAll(alice, file, [randomBytes(8)]);
    const meta = expectOk(await h.call("GET", `${V}/group/${groupId}/file/${file.fileId}`, { jwt: bob.jwt }));
    expect(meta).toMatchObject({ belongs_to: groupId, belongs_to_type: "Group" });

    const body = prepareRegisterFile("k", file.contentKey, "x", groupId, "Group");
    expectError(await h.call("POST", `${V}/group/${otherGroupId}/file`, { jwt: alice.jwt, raw: body }), 400, 310);
    expectError(await h.call("POST", `${V}/group/not-a-uuid/file`, { jwt: alice.jwt, raw: body }), 400, 1);
    expectError(
      await h.call("POST", `${V}/group/${groupId}/file`, {
        jwt: alice.jwt,
        raw: body,
        headers: { "x-sentc-group-access-id": "nope" },
      }),
      400,
      1,
    );
    // Acting through a member group needs the full group resolution (not there yet): no access.
    expectError(
      await h.call("POST", `${V}/group/${groupId}/file`, {
        jwt: alice.jwt,
        raw: body,
        headers: { "x-sentc-group-access-id": otherGroupId },
      }),
      400,
      310,
    );
    // The group check runs before the body is parsed.
    expectError(await h.call("POST", `${V}/group/${otherGroupId}/file`, { jwt: alice.jwt, raw: "{" }), 400, 310);
    expectError(await h.call("POST", `${V}/group/${groupId}/file`, { raw: body }), 401, 31);
  });

  it("shows a group file only through its own group's route (400/521)", async () => {
    const file = await register(alice, groupId, "Group", null, groupId);
    await uploadAll(alice, file, [randomBytes(8)]);
    expectError(await h.call("GET", `${V}/file/${file.fileId}`, { jwt: alice.jwt }), 400, 521);
    expectError(await h.call("GET", `${V}/group/${otherGroupId}/file/${file.fileId}`, { jwt: bob.jwt }), 400, 521);
    expectError(await h.call("GET", `${V}/group/${otherGroupId}/file/${file.fileId}`, { jwt: alice.jwt }), 400, 310);
  });

  it("lets the owner or a member of rank ≤ 3 of the file's group delete it", async () => {
    const a = await register(alice, groupId, "Group", null, groupId);
    await uploadAll(alice, a, [randomBytes(8)]);
    expectError(await h.call("DELETE", `${V}/group/${groupId}/file/${a.fileId}`, { jwt: bob.jwt }), 400, 521); // rank 4
    expectError(await h.call("DELETE", `${V}/group/${otherGroupId}/file/${a.fileId}`, { jwt: bob.jwt }), 400, 521); // admin elsewhere
    expectError(await h.call("DELETE", `${V}/file/${a.fileId}`, { jwt: carol.jwt }), 400, 521);
    expect(expectOk(await h.call("DELETE", `${V}/group/${groupId}/file/${a.fileId}`, { jwt: carol.jwt }))).toBe(
      "Success",
    ); // rank 3
    expectError(await h.call("GET", `${V}/group/${groupId}/file/${a.fileId}`, { jwt: alice.jwt }), 400, 512);

    const b = await register(bob, groupId, "Group", null, groupId);
    await uploadAll(bob, b, [randomBytes(8)]);
    expect(expectOk(await h.call("DELETE", `${V}/group/${groupId}/file/${b.fileId}`, { jwt: bob.jwt }))).toBe(
      "Success",
    ); // owner
  });
});

describe("file_storage options (api.md §2.4)", () => {
  it("-1: files can be registered (as in sentc) but no part can be stored (400/520)", async () => {
    const token = h.noStorageApp.publicToken;
    const identifier = `none-${randomBytes(6).toString("hex")}`;
    expectOk(
      await h.call("POST", `${V}/register`, {
        token: h.noStorageApp.secretToken,
        raw: prepareRegister(identifier, "pw"),
      }),
    );
    const session = await loginIn(token, identifier, "pw");
    const master = session.userKeys[0]!.groupKey;
    const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
    const file = expectOk(
      await h.call("POST", `${V}/file`, {
        token,
        jwt: session.jwt,
        raw: prepareRegisterFile(master.keyId, key, encryptedKey, null, "None"),
      }),
    );
    expectError(await upload(session.jwt, file.session_id, 0, true, randomBytes(4), token), 400, 520);
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/0/true/${session.userId}`, {
        token: h.noStorageApp.secretToken,
      }),
      400,
      520,
    );
  });

  it("0: the customer-storage routes answer 400/520", async () => {
    const file = await register(alice);
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.sessionId}/0/true/${alice.userId}`, { token: h.app.secretToken }),
      400,
      520,
    );
    expectError(await h.call("DELETE", `${V}/file/part/${newId()}`, { token: h.app.secretToken }), 400, 520);
  });

  it("1: parts are registered by the customer's backend (secret token), uploads here are refused", async () => {
    const token = h.customerStorageApp.publicToken;
    const secret = h.customerStorageApp.secretToken;
    const identifier = `cust-${randomBytes(6).toString("hex")}`;
    expectOk(await h.call("POST", `${V}/register`, { token: secret, raw: prepareRegister(identifier, "pw") }));
    const session = await loginIn(token, identifier, "pw");
    const master = session.userKeys[0]!.groupKey;
    const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
    const file = expectOk(
      await h.call("POST", `${V}/file`, {
        token,
        jwt: session.jwt,
        raw: prepareRegisterFile(master.keyId, key, encryptedKey, null, "None"),
      }),
    );

    expectError(await upload(session.jwt, file.session_id, 0, false, randomBytes(4), token), 400, 520);
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/0/false/${session.userId}`, { token }),
      400,
      203,
    );
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/0/false/${alice.userId}`, { token: secret }),
      400,
      510,
    );
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/x/false/${session.userId}`, { token: secret }),
      400,
      12,
    );
    const p0 = expectOk(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/0/false/${session.userId}`, { token: secret }),
    );
    const p1 = expectOk(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/1/true/${session.userId}`, { token: secret }),
    );
    expect(Object.keys(p0)).toEqual(["part_id"]);
    expectError(
      await h.call("PATCH", `${V}/file/part/${file.session_id}/2/true/${session.userId}`, { token: secret }),
      400,
      510,
    );

    const meta = expectOk(await h.call("GET", `${V}/file/${file.file_id}`, { token }));
    expect(meta.part_list).toEqual([
      { part_id: p0.part_id, sequence: 0, extern_storage: true },
      { part_id: p1.part_id, sequence: 1, extern_storage: true },
    ]);
    expectError(await h.call("GET", `${V}/file/part/${p0.part_id}`, { token }), 400, 500);
    expectError(await h.call("DELETE", `${V}/file/part/${p1.part_id}`, { token }), 400, 203);
    expect(expectOk(await h.call("DELETE", `${V}/file/part/${p1.part_id}`, { token: secret }))).toBe("Success");
    expect(expectOk(await h.call("GET", `${V}/file/${file.file_id}`, { token })).part_list).toHaveLength(1);
  });
});

/** Login against another app of the harness (the shared helper uses the main app's token). */
async function loginIn(token: string, identifier: string, password: string): Promise<User> {
  const original = h.call;
  const scoped: typeof h.call = (method, path, options = {}) => original(method, path, { token, ...options });
  const result = await login({ ...h, call: scoped }, identifier, password);
  const jwtInfo = JSON.parse(Buffer.from(result.jwt.split(".")[1]!, "base64url").toString()) as { aud: string };
  return { ...result, userId: jwtInfo.aud };
}

describe("app options and tokens", () => {
  it("checks file options before parsing (400/203 first, api.md §1.3) and the app token (401/200)", async () => {
    const token = h.closedApp.publicToken;
    expectError(await h.call("GET", `${V}/file/${newId()}`, { token }), 400, 203);
    expectError(await h.call("GET", `${V}/file/x/part_fetch/abc`, { token }), 400, 203);
    expectError(await h.call("GET", `${V}/file/part/x`, { token }), 400, 203);
    expectError(await h.call("GET", `${V}/file/part/x`, { token: null }), 401, 200);
    expectError(await h.call("POST", `${V}/file/part/x/0/true`, { token: null, raw: Buffer.from("abc") }), 401, 200);
    expectError(await h.call("POST", `${V}/file/part/x/0/true`, { raw: Buffer.from("abc") }), 401, 31);
  });
});

/** A part upload whose body arrives only when `finish` is called: it holds its upload slot until then. */
function heldUpload(user: User, sessionId: string, seq: number, size: number) {
  const url = new URL(`${h.server.baseUrl}${V}/file/part/${sessionId}/${seq}/false`);
  const body = randomBytes(size);
  let answer!: Promise<number>;
  const req = httpRequest(url, {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "x-sentc-app-token": h.app.publicToken,
      authorization: `Bearer ${user.jwt}`,
    },
  });
  answer = new Promise((resolve, reject) => {
    req.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("error", reject);
  });
  req.write(body.subarray(0, 16));
  return {
    answer,
    finish(): Promise<number> {
      req.end(body.subarray(16));
      return answer;
    },
  };
}

describe("concurrent part uploads", () => {
  it("gives 429/530 to a user's 5th parallel upload while another user uploads as usual", async () => {
    const file = await register(alice);
    const held = [0, 1, 2, 3].map((seq) => heldUpload(alice, file.sessionId, seq, 4096));
    try {
      // The held uploads take their slots once their headers are handled.
      for (let i = 0; i < 200 && uploadsRunning(h.fx, h.app.id, alice.userId) < 4; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(uploadsRunning(h.fx, h.app.id, alice.userId)).toBe(4);
      expectError(await upload(alice, file.sessionId, 9, false, randomBytes(8)), 429, 530);

      const other = await register(bob);
      expectOk(await upload(bob, other.sessionId, 0, true, randomBytes(8)));
    } finally {
      expect(await Promise.all(held.map((upload) => upload.finish()))).toEqual([200, 200, 200, 200]);
    }
    expectOk(await upload(alice, file.sessionId, 4, true, randomBytes(8)));
  });
});

describe("streamed part uploads", () => {
  it("writes the bytes to a temporary file while the body is still arriving, renamed into place at the end", async () => {
    const file = await register(alice);
    const held = heldUpload(alice, file.sessionId, 0, 64 * 1024);
    let partial: string[] = [];
    try {
      for (let i = 0; i < 200 && partial.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        partial = [];
        for (const name of await readdir(h.dataDir))
          if (name.startsWith(".tmp-") && (await stat(join(h.dataDir, name))).size === 16) partial.push(name);
      }
      // The first 16 bytes are on disk although the other 64 KiB have not been sent yet.
      expect(partial).toHaveLength(1);
    } finally {
      expect(await held.finish()).toBe(200);
    }
    const names = await readdir(h.dataDir);
    expect(names).not.toContain(partial[0]);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    expect((await stat(join(h.dataDir, meta.part_list[0].part_id))).size).toBe(64 * 1024);
  });
});

describe("cleanup of orphaned parts", () => {
  it("deletes unfinished uploads older than 24 h with their parts, keeps finished and young ones", async () => {
    const stale = await register(alice);
    expectOk(await upload(alice, stale.sessionId, 0, false, randomBytes(16)));
    const done = await register(alice);
    await uploadAll(alice, done, [randomBytes(16)]);
    const staleMeta = expectOk(await h.call("GET", `${V}/file/${stale.fileId}`));
    const doneMeta = expectOk(await h.call("GET", `${V}/file/${done.fileId}`));

    expect((await cleanupFiles(h.fx)).expiredSessions).toBe(0);
    h.clock.offsetMs = SESSION_TTL_MS + 60_000;
    let result;
    try {
      result = await cleanupFiles(h.fx);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect(result.expiredSessions).toBeGreaterThanOrEqual(1);
    expect(result.removedParts).toBeGreaterThanOrEqual(1);
    expectError(await h.call("GET", `${V}/file/${stale.fileId}`), 400, 512);
    expectError(await upload(alice, stale.sessionId, 1, true, randomBytes(4)), 400, 510);
    const names = await readdir(h.dataDir);
    expect(names).not.toContain(staleMeta.part_list[0].part_id);
    expect(names).toContain(doneMeta.part_list[0].part_id);
    expectOk(await h.call("GET", `${V}/file/${done.fileId}`));
  });

  it("removes stored bytes without a record once they are an hour old, and leftovers of interrupted writes", async () => {
    const orphan = newId();
    const young = newId();
    const tmp = `.tmp-${newId()}-abcdef`;
    await writeFile(join(h.dataDir, orphan), "orphan");
    await writeFile(join(h.dataDir, young), "young");
    await writeFile(join(h.dataDir, tmp), "partial");
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(h.dataDir, orphan), old, old);
    await utimes(join(h.dataDir, tmp), old, old);
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(8)]);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    await utimes(join(h.dataDir, meta.part_list[0].part_id), old, old);

    const result = await cleanupFiles(h.fx);
    expect(result.orphanBlobs).toBe(2);
    const names = await readdir(h.dataDir);
    expect(names).not.toContain(orphan);
    expect(names).not.toContain(tmp);
    expect(names).toContain(young);
    expect(names).toContain(meta.part_list[0].part_id);
    expect((await h.callBytes("GET", `${V}/file/part/${meta.part_list[0].part_id}`)).status).toBe(200);
  });

  it("never removes foreign files of the files directory, only orphans in its own parts folder", async () => {
    const foreign = newId();
    await writeFile(join(h.filesDir, foreign), "a backup");
    await writeFile(join(h.filesDir, "README"), "notes");
    const orphan = newId();
    await writeFile(join(h.dataDir, orphan), "orphan");
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const path of [join(h.filesDir, foreign), join(h.filesDir, "README"), join(h.dataDir, orphan)])
      await utimes(path, old, old);

    const result = await cleanupFiles(h.fx);
    expect(result.orphanBlobs).toBe(1);
    const root = await readdir(h.filesDir);
    expect(root).toContain(foreign);
    expect(root).toContain("README");
    expect(await readdir(h.dataDir)).not.toContain(orphan);
  });

  it("reads and deletes parts stored directly in the files directory by older versions", async () => {
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(24)]);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    const partId = meta.part_list[0].part_id;
    const bytes = await readFile(join(h.dataDir, partId));
    await rename(join(h.dataDir, partId), join(h.filesDir, partId));

    const download = await h.callBytes("GET", `${V}/file/part/${partId}`);
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.bytes, bytes)).toBe(0);
    expectOk(await h.call("DELETE", `${V}/file/${file.fileId}`, { jwt: alice.jwt }));
    await cleanupFiles(h.fx);
    expect(await readdir(h.filesDir)).not.toContain(partId);
  });

  it("runs periodically and stops cleanly", async () => {
    const file = await register(alice);
    await uploadAll(alice, file, [randomBytes(8)]);
    const meta = expectOk(await h.call("GET", `${V}/file/${file.fileId}`));
    expectOk(await h.call("DELETE", `${V}/file/${file.fileId}`, { jwt: alice.jwt }));
    const timer = startFileCleanup(h.fx, 20);
    try {
      for (let i = 0; i < 100 && (await readdir(h.dataDir)).includes(meta.part_list[0].part_id); i++)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await timer.stop();
    }
    expect(await readdir(h.dataDir)).not.toContain(meta.part_list[0].part_id);
  });
});

describe.runIf(specRoutesAvailable())("file routes against routes.json", () => {
  it("match the spec's paths, options, JWT modes and group middleware", () => {
    const spec = readSpecRoutes().filter((r) => r.area === "file");
    expect(spec).toHaveLength(12);
    expect(FILE_ROUTES).toHaveLength(16);
    for (const r of spec) {
      const ours = FILE_ROUTES.find((x) => x.method === r.method && `/api/v1${x.path}` === r.path);
      expect(ours, `${r.method} ${r.path}`).toBeDefined();
      expect(ours!.access, `${r.method} ${r.path}`).toBe(r.token === "forced" ? "forced" : r.token);
      expect(ours!.jwt, `${r.method} ${r.path}`).toBe(r.jwt);
      expect(ours!.group ?? false, `${r.method} ${r.path}`).toBe(r.group_access);
    }
    expect(typeof registerFileRoutes).toBe("function");
  });
});
