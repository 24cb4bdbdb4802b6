/**
 * The members that make the SDK a drop-in for the reference (sdk.md §2–§4), against the project's server over real
 * HTTP: the own-backend file flow (prepareRegisterFile → register on the server → doneFileRegister → uploadFile →
 * downloadFileMetaInfo → downloadFileWithMetaInfo), `downloadFile`'s `[objectUrl, meta, key]`, `Uploader` and
 * `Downloader` with their static switches, `FileHelper.fileParse`, `getNewestKey`, `Group.user`, the key
 * decryption helpers, and `auto_finish_key_rotation` for user keys.
 */
import { resolveObjectURL } from "node:buffer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Downloader, FileHelper, Sentc, SymKey, Uploader, type Group, type User } from "../../src/index.js";
import { newUser, reinit, sentcError, startSdkHarness, type SdkHarness } from "../sdk/helpers.js";
import { unique } from "../server/harness.js";

let s: SdkHarness;
let alice: { user: User; userId: string };
let bob: { user: User; userId: string };

beforeAll(async () => {
  s = await startSdkHarness();
  await reinit(s);
  alice = await newUser();
  bob = await newUser();
});
afterAll(() => s.h.close());

const V = "/api/v1";
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** The content behind an object URL made in this process. */
async function objectUrlBytes(url: string): Promise<Uint8Array> {
  const blob = resolveObjectURL(url);
  if (!blob) throw new Error(`no Blob behind ${url}`);
  return new Uint8Array(await blob.arrayBuffer());
}

/** What an app's backend does with `server_input`: post it to the API with the user's JWT and pass the answer back. */
async function registerOnServer(path: string, user: User, serverInput: string): Promise<string> {
  const answer = await s.h.call("POST", `${V}${path}`, {
    token: s.lax.publicToken,
    jwt: await user.getJwt(),
    raw: serverInput,
  });
  return JSON.stringify(answer.body);
}

describe('own-backend file flow (sdk.md §4.4 "Own backend")', () => {
  it("User: prepareRegisterFile → backend → doneFileRegister → uploadFile → downloadFileMetaInfo → downloadFileWithMetaInfo", async () => {
    const data = bytes(9000);
    const file = new File([data], "notes.bin");
    const prepared = await alice.user.prepareRegisterFile(file, bob.userId);
    expect(prepared.key).toBeInstanceOf(SymKey);
    expect(prepared.master_key_id).toBe(prepared.key.master_key_id);
    expect(JSON.parse(prepared.server_input)).toMatchObject({
      belongs_to_type: "User",
      belongs_to_id: bob.userId,
      master_key_id: prepared.master_key_id,
    });
    expect(typeof prepared.encrypted_file_name).toBe("string");

    const [fileId, sessionId] = alice.user.doneFileRegister(
      await registerOnServer("/file", alice.user, prepared.server_input),
    );
    const progress: (number | undefined)[] = [];
    await expect(
      alice.user.uploadFile(file, prepared.key, sessionId, true, (p) => progress.push(p)),
    ).resolves.toBeUndefined();
    expect(progress).toEqual([1]);

    const [meta, key] = await bob.user.downloadFileMetaInfo(fileId);
    expect(meta).toMatchObject({
      file_id: fileId,
      file_name: "notes.bin",
      belongs_to_type: "User",
      belongs_to: bob.userId,
      master_key_id: prepared.master_key_id,
    });
    expect(key.key).toBe(prepared.key.key);
    const downloadProgress: number[] = [];
    const url = await bob.user.downloadFileWithMetaInfo(key, meta, alice.user.getNewestKey().verify_key, (p) =>
      downloadProgress.push(p),
    );
    expect(url).toMatch(/^blob:/);
    expect(await objectUrlBytes(url)).toEqual(data);
    expect(downloadProgress).toEqual([1]);
    URL.revokeObjectURL(url);
    // The server's error answer passes through doneFileRegister as a SentcError.
    expect(() => alice.user.doneFileRegister('{"status":false,"err_code":510,"err_msg":"x"}')).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 510 }),
    );
  });

  it("Group: the same through the group's file route; the key is wrapped by the newest group key", async () => {
    const group = await alice.user.getGroup(await alice.user.createGroup());
    await group.inviteAuto(bob.userId);
    const data = bytes(3000, 7);
    const prepared = await group.prepareRegisterFile(data);
    expect(prepared.master_key_id).toBe(group.data.newest_key_id);
    expect(JSON.parse(prepared.server_input)).toMatchObject({
      belongs_to_type: "Group",
      belongs_to_id: group.data.group_id,
    });
    const [fileId, sessionId] = group.doneFileRegister(
      await registerOnServer(`/group/${group.data.group_id}/file`, alice.user, prepared.server_input),
    );
    await group.uploadFile(data, prepared.key, sessionId);

    const bobsGroup = await bob.user.getGroup(group.data.group_id);
    const [meta, key] = await bobsGroup.downloadFileMetaInfo(fileId);
    expect(meta).toMatchObject({ belongs_to_type: "Group", belongs_to: group.data.group_id, file_name: undefined });
    expect(await objectUrlBytes(await bobsGroup.downloadFileWithMetaInfo(key, meta))).toEqual(data);
    // The user route refuses a group file.
    expect(await sentcError(bob.user.downloadFileMetaInfo(fileId))).toMatchObject({ code: "server", serverCode: 521 });
  });
});

describe("downloadFile: [objectUrl, FileMetaInformation, SymKey] as the reference", () => {
  it("for a user file and a group file, with progress; downloadFileData gives the bytes", async () => {
    const data = bytes(70_000, 3);
    const created = await alice.user.createFile(new File([data], "report.pdf"), true, bob.userId, undefined, {
      part_size: 16_384,
    });
    const progress: number[] = [];
    const [url, meta, key] = await bob.user.downloadFile(created.file_id, alice.user.getNewestKey().verify_key, (p) =>
      progress.push(p),
    );
    expect(typeof url).toBe("string");
    expect(await objectUrlBytes(url)).toEqual(data);
    expect(meta).toMatchObject({
      file_id: created.file_id,
      file_name: "report.pdf",
      master_key_id: created.master_key_id,
    });
    expect(meta.part_list).toHaveLength(5);
    expect(key).toBeInstanceOf(SymKey);
    expect(progress).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    const asData = await bob.user.downloadFileData(created.file_id);
    expect(asData.data).toEqual(data);
    expect(asData.file_name).toBe("report.pdf");

    const group = await alice.user.getGroup(await alice.user.createGroup());
    const groupFile = await group.createFile(data.subarray(0, 100));
    const [groupUrl, groupMeta] = await group.downloadFile(groupFile.file_id);
    expect(await objectUrlBytes(groupUrl)).toEqual(data.subarray(0, 100));
    expect(groupMeta.belongs_to_type).toBe("Group");
  });
});

describe("Uploader and Downloader (sdk.md §4.4)", () => {
  it("Uploader.cancel_upload stops after the current part, resolves and resets itself", async () => {
    const [key, encryptedKey] = await alice.user.generateNonRegisteredKey(alice.userId);
    const seen: (number | undefined)[] = [];
    const uploader = new Uploader(
      s.baseUrl,
      s.lax.publicToken,
      alice.user,
      undefined,
      undefined,
      (p) => {
        seen.push(p);
        if (seen.length === 2) Uploader.cancel_upload = true;
      },
      undefined,
      1000,
    );
    const [fileId, encryptedName] = await uploader.uploadFile(
      new File([bytes(5000)], "big.bin"),
      key.key,
      encryptedKey,
      key.master_key_id,
    );
    expect(seen).toEqual([0.2, 0.4]);
    expect(Uploader.cancel_upload).toBe(false);
    expect(typeof encryptedName).toBe("string");
    const downloader = new Downloader(s.baseUrl, s.lax.publicToken, alice.user);
    const meta = await downloader.downloadFileMetaInformation(fileId);
    expect(meta.part_list.map((p) => p.sequence)).toEqual([1, 2]);

    // createFile honours the switch too (and resolves with the file id, as the reference).
    const progress: number[] = [];
    const created = await alice.user.createFile(
      bytes(4000),
      false,
      undefined,
      (p) => {
        progress.push(p);
        Uploader.cancel_upload = true;
      },
      { part_size: 1000 },
    );
    expect(progress).toEqual([0.25]);
    expect((await downloader.downloadFileMetaInformation(created.file_id)).part_list).toHaveLength(1);
  });

  it("Uploader's own-backend steps, for a group, and the part list page after a sequence", async () => {
    const group = await alice.user.getGroup(await alice.user.createGroup());
    const [key, encryptedKey] = await group.generateNonRegisteredKey();
    const uploader = new Uploader(
      s.baseUrl,
      s.lax.publicToken,
      alice.user,
      group.data.group_id,
      undefined,
      undefined,
      undefined,
      1000,
    );
    const [input, encryptedName] = uploader.prepareFileRegister(
      new File([bytes(10)], "g.txt"),
      key.key,
      encryptedKey,
      key.master_key_id,
    );
    expect(JSON.parse(input)).toMatchObject({
      belongs_to_type: "Group",
      belongs_to_id: group.data.group_id,
      encrypted_file_name: encryptedName,
    });
    const [fileId, sessionId] = uploader.doneFileRegister(
      await registerOnServer(`/group/${group.data.group_id}/file`, alice.user, input),
    );
    const data = bytes(3500);
    await uploader.checkFileUpload(data, key.key, sessionId, true);
    const downloader = new Downloader(s.baseUrl, s.lax.publicToken, alice.user, group.data.group_id);
    const meta = await downloader.downloadFileMetaInformation(fileId);
    expect(meta.part_list).toHaveLength(4);
    expect((await downloader.downloadFilePartList(fileId, meta.part_list[1]!)).map((p) => p.sequence)).toEqual([3, 4]);
    const url = await downloader.downloadFileParts(
      meta.part_list,
      key.key,
      undefined,
      alice.user.getNewestKey().verify_key,
    );
    expect(await objectUrlBytes(url)).toEqual(data);
    // Another user's verify key does not verify the parts.
    expect(
      await sentcError(
        downloader.downloadFileParts(meta.part_list, key.key, undefined, bob.user.getNewestKey().verify_key),
      ),
    ).toMatchObject({ code: "wrong_verify_key" });
  });

  it('Downloader.cancel_download stops after the current part: "" and the flag resets; downloads run one at a time', async () => {
    const data = bytes(4000);
    const created = await alice.user.createFile(data, false, undefined, undefined, { part_size: 1000 });
    const progress: number[] = [];
    const [url] = await alice.user.downloadFile(created.file_id, undefined, (p) => {
      progress.push(p);
      if (p === 0.5) Downloader.cancel_download = true;
    });
    expect(url).toBe("");
    expect(progress).toEqual([0.25, 0.5]);
    expect(Downloader.cancel_download).toBe(false);

    const other = await alice.user.createFile(bytes(3000, 9), false, undefined, undefined, { part_size: 1000 });
    const events: string[] = [];
    const [first, second] = await Promise.all([
      alice.user.downloadFile(created.file_id, undefined, (p) => events.push(`a${p}`)),
      alice.user.downloadFile(other.file_id, undefined, (p) => events.push(`b${p}`)),
    ]);
    expect(await objectUrlBytes(first[0])).toEqual(data);
    expect(await objectUrlBytes(second[0])).toEqual(bytes(3000, 9));
    // Serialized: every progress report of one download comes before the other's (whichever got the lock first).
    const owners = events.map((e) => e[0]);
    const switches = owners.filter((owner, i) => i > 0 && owner !== owners[i - 1]).length;
    expect(switches, events.join(" ")).toBe(1);
    expect(events).toHaveLength(7);
  });

  it("statics: getStorage (the part store), reset, init; bad constructor input", async () => {
    Downloader.init();
    Downloader.init();
    const storage = await Downloader.getStorage();
    expect(await Downloader.getStorage()).toBe(storage);
    const part = bytes(5);
    await storage.storePart(part);
    const url = await storage.getDownloadUrl();
    expect(await objectUrlBytes(url)).toEqual(bytes(5));
    await Downloader.reset();
    expect(part).toEqual(new Uint8Array(5));
    expect(await objectUrlBytes(await storage.getDownloadUrl())).toEqual(new Uint8Array(0));
    expect(() => new Downloader(s.baseUrl, s.lax.publicToken, {} as User)).toThrowError(
      expect.objectContaining({ code: "invalid_input" }),
    );
    expect(() => new Uploader(s.baseUrl, s.lax.publicToken, undefined as unknown as User)).toThrowError(
      expect.objectContaining({ code: "invalid_input" }),
    );
  });
});

describe("FileHelper.fileParse", () => {
  it("reads a Blob as an ArrayBuffer or a data URL; other input is invalid_input", async () => {
    const blob = new Blob([bytes(4)], { type: "text/plain" });
    expect(new Uint8Array((await FileHelper.fileParse(blob)) as ArrayBuffer)).toEqual(bytes(4));
    expect(await FileHelper.fileParse(blob, true)).toBe(
      `data:text/plain;base64,${Buffer.from(bytes(4)).toString("base64")}`,
    );
    expect(await sentcError(FileHelper.fileParse("text" as unknown as Blob))).toMatchObject({ code: "invalid_input" });
  });
});

describe("keys", () => {
  it("User.getNewestKey follows key rotation", async () => {
    const { user } = await newUser();
    const first = user.getNewestKey();
    expect(first.group_key_id).toBe(user.user_data.newest_key_id);
    expect(first.public_key).toBe(user.getNewestPublicKey());
    await user.keyRotation();
    expect(user.getNewestKey().group_key_id).not.toBe(first.group_key_id);
    expect(user.getNewestKey().group_key_id).toBe(user.user_data.newest_key_id);
  });

  it("Group.user is the user the group was loaded by, also for child groups", async () => {
    const group = await alice.user.getGroup(await alice.user.createGroup());
    expect(group.user).toBe(alice.user);
    const child = await group.getChildGroup(await group.createChildGroup());
    expect(child.user).toBe(alice.user);
  });

  it("Group.decryptKey, decryptHmacKeys, decryptSortableKeys open the server's key data; fetchKeys brings back older keys", async () => {
    const group: Group = await alice.user.getGroup(await alice.user.createGroup());
    const first = group.data.keys[0]!;
    const second = await group.keyRotation();
    const raw = (
      await s.h.call("GET", `${V}/group/${group.data.group_id}`, {
        token: s.lax.publicToken,
        jwt: await alice.user.getJwt(),
      })
    ).body.result as Record<string, unknown[]>;
    const keys = await group.decryptKey(raw.keys as never);
    expect(keys.map((k) => k.group_key_id).sort()).toEqual([first.group_key_id, second.group_key_id].sort());
    expect(keys.find((k) => k.group_key_id === first.group_key_id)!.group_key).toBe(first.group_key);
    expect(await group.decryptHmacKeys(raw.hmac_keys as never)).toEqual(group.data.hmac_keys);
    expect(await group.decryptSortableKeys(raw.sortable_keys as never)).toEqual(group.data.sortable_keys);
    expect(await sentcError(group.decryptKey([{ nope: 1 }] as never))).toMatchObject({ code: "invalid_input" });

    // Forget the older key (the reference's write-only setters), then fetch keys older than the newest one.
    group.groupKeys = [second];
    group.groupKeyMap = new Map([[second.group_key_id, 0]]);
    expect(group.getSymKeyByIdSync.bind(group, first.group_key_id)).toThrowError(
      expect.objectContaining({ code: "key_not_found" }),
    );
    const data = await group.fetchKeys(await alice.user.getJwt());
    expect(data).toBe(group.data);
    expect(group.getSymKeyByIdSync(first.group_key_id)).toBe(first.group_key);
  });

  it("User.decryptHmacKeys opens the HMAC keys of the login answer", async () => {
    const { user, identifier, password } = await newUser();
    const call = async (path: string, raw: string) =>
      JSON.stringify((await s.h.call("POST", `${V}${path}`, { token: s.lax.publicToken, raw })).body);
    const start = Sentc.prepareLogin(
      identifier,
      password,
      await call("/prepare_login", Sentc.prepareLoginStart(identifier)),
    );
    const done = Sentc.doneLogin(start, await call("/done_login", start.input));
    if (done.kind !== "verify") throw new Error("expected no MFA");
    const verified = JSON.parse(await call("/verify_login", done.input)) as { result: { hmac_keys: unknown[] } };
    expect(verified.result.hmac_keys).toHaveLength(1);
    expect(await user.decryptHmacKeys(verified.result.hmac_keys as never)).toEqual(user.user_data.hmac_keys);
    expect(await sentcError(user.decryptHmacKeys("x" as never))).toMatchObject({ code: "invalid_input" });
  });
});

describe("Sentc statics", () => {
  it("register / registerDeviceStart with empty input: a rejected Promise, not the reference's synchronous false (Appendix B 15)", async () => {
    const registering = Sentc.register("", "pw");
    expect(registering).toBeInstanceOf(Promise);
    expect(await sentcError(registering)).toMatchObject({ code: "invalid_input" });
    const starting = Sentc.registerDeviceStart("device", "");
    expect(starting).toBeInstanceOf(Promise);
    expect(await sentcError(starting)).toMatchObject({ code: "invalid_input" });
    // The other empty-input answers are the reference's.
    expect(await Sentc.checkUserIdentifierAvailable("")).toBe(false);
    expect(Sentc.prepareCheckUserIdentifierAvailable("")).toBe(false);
  });

  it("getActualUser: the user, with jwt the user alone, with (false, true) the user and its identifier", async () => {
    const { user, identifier } = await newUser();
    expect(await Sentc.getActualUser()).toBe(user);
    expect(await Sentc.getActualUser(true)).toBe(user);
    expect(await Sentc.getActualUser(false, true)).toEqual([user, identifier]);
    expect(await Sentc.getActualUser(true, true)).toBe(user);
  });
});

describe("Sentc.options and strict_verify", () => {
  it("Sentc.options has the reference's keys; strict_verify (not in the reference) refuses unsigned data asked to verify", async () => {
    expect(Object.keys(Sentc.options).sort()).toEqual(["app_token", "base_url", "file_part_url", "refresh", "storage"]);
    const unsigned = await alice.user.encryptString("not signed", bob.userId);
    // Default, as the reference: verify = true on unsigned data decrypts without a check.
    expect(await bob.user.decryptString(unsigned, true, alice.userId)).toBe("not signed");
    try {
      await reinit(s, { strict_verify: true });
      expect(Sentc.options).toMatchObject({ strict_verify: true });
      expect(await sentcError(bob.user.decryptString(unsigned, true, alice.userId))).toMatchObject({
        code: "missing_signature",
      });
    } finally {
      await reinit(s);
    }
    expect(await bob.user.decryptString(unsigned, true, alice.userId)).toBe("not signed");
    Sentc.reset();
    await expect(
      Sentc.init({ base_url: s.baseUrl, app_token: s.lax.publicToken, strict_verify: 1 as never }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await reinit(s);
  });
});

describe("auto_finish_key_rotation (not in the reference; off by default)", () => {
  it("lets another device of the user open data under a rotated key without calling finishKeyRotation", async () => {
    try {
      await reinit(s, { auto_finish_key_rotation: true });
      expect(Sentc.options).toMatchObject({ auto_finish_key_rotation: true });
      const { user } = await newUser();
      const deviceId = unique("device");
      await user.registerDevice(await Sentc.registerDeviceStart(deviceId, "device-pw"));
      const second = await Sentc.login(deviceId, "device-pw", true);
      await user.keyRotation();
      const text = user.encryptStringSync("after the rotation", user.getNewestKey().public_key);
      expect(await second.decryptString(text)).toBe("after the rotation");
      expect(second.user_data.newest_key_id).toBe(user.user_data.newest_key_id);
    } finally {
      await reinit(s);
    }
    expect(Sentc.options).not.toHaveProperty("auto_finish_key_rotation");
    Sentc.reset();
    await expect(
      Sentc.init({ base_url: s.baseUrl, app_token: s.lax.publicToken, auto_finish_key_rotation: "yes" as never }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await reinit(s);
  });
});
