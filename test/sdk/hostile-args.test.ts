/**
 * Bad input and bad server answers at the SDK's edges: every one is a typed SentcError (async methods reject, never
 * throw synchronously) and nothing is saved. A server value the SDK cannot use is `invalid_server_response`, never
 * the caller's `invalid_input`; a caller's wrong argument is `invalid_input`, never a TypeError or a retryable
 * `network_error`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  Downloader,
  MemoryStorage,
  Sentc,
  SentcError,
  Uploader,
  type StorageInterface,
  type SymKey,
  type User,
} from "../../src/index.js";
import { unique } from "../server/harness.js";
import { newUser, reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";

let s: SdkHarness;
let store: StorageInterface;

/** Rewrites the `result` of the next answers whose "METHOD path" matches `path`. */
let tamper: { path: RegExp; edit: (result: Record<string, unknown>) => void } | undefined;

async function tamperingFetch(input: string, init: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const rule = tamper;
  if (rule === undefined || !rule.path.test(`${init.method ?? "GET"} ${new URL(input).pathname}`)) return response;
  const body = (await response.json()) as { status: boolean; result?: Record<string, unknown> };
  if (body.status && body.result !== undefined) rule.edit(body.result);
  return new Response(JSON.stringify(body), {
    status: response.status,
    headers: { "content-type": "application/json" },
  });
}

const init = () => reinit(s, { fetch: tamperingFetch, storage: { getStorage: async () => store } });

beforeAll(async () => {
  s = await startSdkHarness();
  store = new MemoryStorage();
  await init();
});
afterAll(() => s.h.close());
afterEach(() => {
  tamper = undefined;
});

/** The SentcError `call` rejects with; fails when it throws synchronously instead of returning a promise. */
async function rejection(call: () => Promise<unknown>): Promise<SentcError> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    throw new Error(`threw synchronously instead of rejecting: ${String(error)}`);
  }
  return sentcError(promise);
}

/** The SentcError `call` throws synchronously (constructors, synchronous functions). */
function thrown(call: () => unknown): SentcError {
  try {
    call();
  } catch (error) {
    if (error instanceof SentcError) return error;
    throw new Error(`expected a SentcError, got ${String(error)}`);
  }
  throw new Error("expected a SentcError, but it succeeded");
}

async function storedJwt(identifier: string): Promise<string | undefined> {
  return (await store.getItem<{ jwt: string }>(`user_data_id_${identifier}`))?.jwt;
}

async function fileOf(user: User): Promise<{ fileId: string; key: SymKey }> {
  const { file_id } = await user.createFile(Uint8Array.of(1, 2, 3), false, undefined, undefined, { file_name: "f" });
  const [, key] = await user.downloadFileMetaInfo(file_id);
  return { fileId: file_id, key };
}

describe("POST /init answer at session restore", () => {
  it("a JWT of another user is refused: not logged in, the stored login unchanged and usable later", async () => {
    const other = await newUser();
    const otherJwt = other.user.user_data.jwt;
    const { identifier, userId } = await newUser();
    const before = await storedJwt(identifier);
    tamper = {
      path: /^POST \/api\/v1\/init$/,
      edit: (result) => {
        result.jwt = otherJwt;
      },
    };
    expect(await init()).toBeUndefined();
    expect(await storedJwt(identifier)).toBe(before);
    tamper = undefined;
    expect((await init())?.user_data.user_id).toBe(userId);
  });

  it("an invite that is not {group_id: string, time: number} is refused, nothing saved", async () => {
    const { identifier, userId } = await newUser();
    const before = await storedJwt(identifier);
    tamper = {
      path: /^POST \/api\/v1\/init$/,
      edit: (result) => {
        result.invites = [{ group_id: 5, time: "yesterday" }];
      },
    };
    expect(await init()).toBeUndefined();
    expect(await storedJwt(identifier)).toBe(before);
    tamper = undefined;
    const restored = await init();
    expect(restored?.user_data.user_id).toBe(userId);
    expect(restored?.group_invites).toEqual([]);
  });
});

describe("server values are not the caller's invalid_input", () => {
  it("an empty key_id from a user key rotation start", async () => {
    const { user } = await newUser();
    tamper = {
      path: /^POST \/api\/v1\/user\/user_keys\/rotation$/,
      edit: (result) => {
        result.key_id = "";
      },
    };
    expect((await rejection(() => user.keyRotation())).code).toBe("invalid_server_response");
  });

  it("an empty key_id from a group key rotation start", async () => {
    const { user } = await newUser();
    const group = await user.getGroup(await user.createGroup());
    tamper = {
      path: /^POST \/api\/v1\/group\/[^/]+\/key_rotation$/,
      edit: (result) => {
        result.key_id = "";
      },
    };
    expect((await rejection(() => group.keyRotation())).code).toBe("invalid_server_response");
  });

  it("an empty part_id in the file's part list", async () => {
    const { user } = await newUser();
    const { fileId } = await fileOf(user);
    tamper = {
      path: /^GET \/api\/v1\/file\/[^/]+$/,
      edit: (result) => {
        (result.part_list as { part_id: string }[])[0]!.part_id = "";
      },
    };
    expect((await rejection(() => user.downloadFileData(fileId))).code).toBe("invalid_server_response");
    const downloader = new Downloader(s.baseUrl, s.lax.publicToken, user);
    expect((await rejection(() => downloader.downloadFileMetaInformation(fileId))).code).toBe(
      "invalid_server_response",
    );
  });

  it("device register output that is not JSON is the reference's client_101 for a server answer", async () => {
    const { user } = await newUser();
    const error = await rejection(() => user.registerDevice("<html>not json</html>"));
    expect(error.code).toBe("invalid_server_response");
    expect(error.status).toBe("client_101");
  });

  it("an empty session_id when more than 50 user keys need a key session", async () => {
    const { user } = await newUser();
    for (let i = 0; i < 50; i++) await user.keyRotation();
    expect(user.user_data.user_keys).toHaveLength(51);
    const out = await Sentc.registerDeviceStart(unique("device"), "device pw");
    tamper = {
      path: /^PUT \/api\/v1\/user\/done_register_device$/,
      edit: (result) => {
        result.session_id = "";
      },
    };
    expect((await rejection(() => user.registerDevice(out))).code).toBe("invalid_server_response");
  }, 60_000);
});

describe("file methods with bad arguments reject with invalid_input", () => {
  it("updateFileName with a key string instead of the SymKey", async () => {
    const { user } = await newUser();
    const { fileId, key } = await fileOf(user);
    expect((await rejection(() => user.updateFileName(fileId, key.key as never, "g"))).code).toBe("invalid_input");
  });

  it("downloadFileWithMetaInfo and uploadFile with undefined reject instead of throwing", async () => {
    const { user } = await newUser();
    const { fileId, key } = await fileOf(user);
    const [meta] = await user.downloadFileMetaInfo(fileId);
    expect((await rejection(() => user.downloadFileWithMetaInfo(key, undefined as never))).code).toBe("invalid_input");
    expect((await rejection(() => user.downloadFileWithMetaInfo(undefined as never, meta))).code).toBe("invalid_input");
    expect((await rejection(() => user.uploadFile(Uint8Array.of(1), undefined as never, "session"))).code).toBe(
      "invalid_input",
    );
  });

  it("Downloader.downloadFileParts with a part list that is not one", async () => {
    const { user } = await newUser();
    const { key } = await fileOf(user);
    const downloader = new Downloader(s.baseUrl, s.lax.publicToken, user);
    for (const partList of [[undefined], [{ sequence: 1 }], {}, "parts", undefined]) {
      expect((await rejection(() => downloader.downloadFileParts(partList as never, key.key))).code).toBe(
        "invalid_input",
      );
    }
  });
});

describe("a base_url that is not a string is invalid_input", () => {
  it("Sentc.init", async () => {
    Sentc.reset();
    try {
      const error = await rejection(() => Sentc.init({ base_url: 5 as never, app_token: s.lax.publicToken }));
      expect(error.code).toBe("invalid_input");
    } finally {
      await init();
    }
  });

  it("the *Data statics reject", async () => {
    const { userId } = await newUser();
    const token = s.lax.publicToken;
    const calls: (() => Promise<unknown>)[] = [
      () => Sentc.getUserPublicKeyData(undefined as never, token, userId),
      () => Sentc.getUserVerifyKeyData(undefined as never, token, userId, "key"),
      () => Sentc.getGroupPublicKeyData(5 as never, token, "group"),
      () => Sentc.verifyUsersPublicKey(null as never, token, userId, {} as never),
    ];
    for (const call of calls) expect((await rejection(call)).code).toBe("invalid_input");
  });

  it("Uploader and Downloader throw it from the constructor", async () => {
    const { user } = await newUser();
    expect(thrown(() => new Uploader(undefined as never, s.lax.publicToken, user)).code).toBe("invalid_input");
    expect(thrown(() => new Downloader(undefined as never, s.lax.publicToken, user)).code).toBe("invalid_input");
  });
});

describe("own-backend login steps with a state that is not the previous step's", () => {
  it("doneLogin and verifyLogin", async () => {
    const otp = JSON.stringify({ status: true, result: "Otp" });
    const verified = JSON.stringify({ status: true, result: {} });
    for (const state of [null, undefined, {}, "state"]) {
      expect(thrown(() => Sentc.doneLogin(state as never, otp)).code).toBe("invalid_input");
      expect((await rejection(() => Sentc.verifyLogin(state as never, verified))).code).toBe("invalid_input");
    }
  });
});

describe("group_as_member", () => {
  it("a value a request header cannot carry is invalid_input, not a retryable network_error", async () => {
    const { user } = await newUser();
    const groupId = await user.createGroup();
    for (const asMember of ["a\nb", "a\r\nx-evil: 1", "\0", 5]) {
      const error = await rejection(() => user.getGroup(groupId, asMember as never));
      expect(error.code).toBe("invalid_input");
      expect(thrown(() => user.fileTransport(groupId, asMember as never)).code).toBe("invalid_input");
      expect(
        thrown(() => new Uploader(s.baseUrl, s.lax.publicToken, user, groupId, undefined, undefined, asMember as never))
          .code,
      ).toBe("invalid_input");
      expect(thrown(() => new Downloader(s.baseUrl, s.lax.publicToken, user, groupId, asMember as never)).code).toBe(
        "invalid_input",
      );
    }
    // No group_as_member (undefined or "") still loads the group as the user.
    expect((await user.getGroup(groupId, "")).data.group_id).toBe(groupId);
  });
});
