/**
 * Key pages and key answers from a hostile server: a fetch in front of the project's server rewrites its answers.
 * Key page loops (group load, `fetchKeys`, login) end on pages that do not advance, repeat ids or never stop; a
 * group answer is checked whole before anything is stored; a rotated key must be the one asked for; a cursor
 * taken from an answer that is not a usable time is the server's fault. Nothing is stored from a refused answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Sentc } from "../../src/index.js";
import { MAX_KEY_PAGES } from "../../src/sdk/internal.js";
import { forgetStoredGroup, newMember, rotationsDone, startGroupHarness, type GroupHarness } from "./group-helpers.js";
import { sentcError } from "./helpers.js";

type Json = Record<string, unknown>;

/** What the fetch does: `answer` replaces a request with a made-up result, `rewrite` changes the server's result. */
const hostile: {
  answer: ((method: string, path: string) => unknown) | null;
  rewrite: ((method: string, path: string, result: unknown) => unknown) | null;
  log: string[];
} = { answer: null, rewrite: null, log: [] };

async function hostileFetch(input: string, init: RequestInit): Promise<Response> {
  const method = init.method ?? "GET";
  const path = new URL(input).pathname;
  hostile.log.push(`${method} ${path}`);
  const json = { "content-type": "application/json" };
  const made = hostile.answer?.(method, path);
  if (made !== undefined) return new Response(JSON.stringify({ status: true, result: made }), { headers: json });
  const response = await fetch(input, init);
  if (!hostile.rewrite || !(response.headers.get("content-type") ?? "").includes("json")) return response;
  const envelope = JSON.parse(await response.text()) as { status: boolean; result?: unknown };
  const result = envelope.status ? hostile.rewrite(method, path, envelope.result) : undefined;
  const body = result === undefined ? envelope : { status: true, result };
  return new Response(JSON.stringify(body), { status: response.status, headers: json });
}

/** `count` copies of a real key answer, each with its own id, `time` counting down from `from` (newest first). */
function copies(key: Json, count: number, from: number, tag: string): Json[] {
  return Array.from({ length: count }, (_, i) => ({
    ...key,
    group_key_id: `${key.group_key_id}-${tag}${i}`,
    time: from - i,
  }));
}

/**
 * Page `n` after a full first page of `real`: 50 keys older than the page before, each only an id and a time (a
 * list refused for its length is refused before any key of it is read further).
 */
function stubs(real: Json, n: number): Json[] {
  const from = (real.time as number) - 50 * n;
  return Array.from({ length: 50 }, (_, i) => ({ group_key_id: `${real.group_key_id}-n${n}-${i}`, time: from - i }));
}

/** A full first page: the real key, then 49 copies older by a millisecond each. */
function fullPage(real: Json): Json[] {
  return [real, ...copies(real, 49, (real.time as number) - 1, "p")];
}

const requests = (part: string) => hostile.log.filter((line) => line.includes(part)).length;

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
  Sentc.reset();
  await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken, fetch: hostileFetch });
});
afterAll(() => g.h.close());
beforeEach(() => {
  hostile.answer = null;
  hostile.rewrite = null;
  hostile.log = [];
});

async function storedGroup(memberId: string, groupId: string): Promise<unknown> {
  return (await Sentc.getStore()).getItem(`group_data_user_${memberId}_id_${groupId}`);
}

/** A member and a group it created, not loaded (nothing stored for it). */
async function freshGroup() {
  const member = await newMember();
  const groupId = await member.user.createGroup();
  await forgetStoredGroup(member.userId, groupId);
  return { member, groupId };
}

/** Rewrites `GET /group/:id` so its first key page is full (the real key and 49 copies); returns that page. */
function fullFirstPage(groupId: string): () => Json[] {
  let page: Json[] = [];
  const rewrite = (method: string, path: string, result: unknown) => {
    if (method !== "GET" || path !== `/api/v1/group/${groupId}`) return undefined;
    const answer = result as Json;
    page = fullPage((answer.keys as Json[])[0]!);
    return { ...answer, keys: page };
  };
  hostile.rewrite = rewrite;
  return () => page;
}

describe("group load: key pages", () => {
  it("a server that ignores the cursor (the same full page again) is refused after one page; nothing is stored", async () => {
    const { member, groupId } = await freshGroup();
    const page = fullFirstPage(groupId);
    const onKeys = hostile.rewrite!;
    let pages = 0;
    hostile.rewrite = (method, path, result) => {
      if (!path.startsWith(`/api/v1/group/${groupId}/keys/`)) return onKeys(method, path, result);
      pages++;
      return pages > 5 ? [] : page();
    };
    const error = await sentcError(member.user.getGroup(groupId));
    expect(error.code).toBe("invalid_server_response");
    expect(pages).toBe(1);
    expect(await storedGroup(member.userId, groupId)).toBeUndefined();

    hostile.rewrite = null;
    expect((await member.user.getGroup(groupId)).data.keys).toHaveLength(1);
  });

  it("a next page that repeats a key id of an earlier page is refused, even when its times go down", async () => {
    const { member, groupId } = await freshGroup();
    const page = fullFirstPage(groupId);
    const onKeys = hostile.rewrite!;
    hostile.rewrite = (method, path, result) => {
      if (!path.startsWith(`/api/v1/group/${groupId}/keys/`)) return onKeys(method, path, result);
      const first = page();
      const older = copies(first[0]!, 10, (first[49]!.time as number) - 1, "q");
      older[5] = { ...older[5], group_key_id: first[10]!.group_key_id };
      return older;
    };
    expect((await sentcError(member.user.getGroup(groupId))).code).toBe("invalid_server_response");
    expect(await storedGroup(member.userId, groupId)).toBeUndefined();
  });

  it(`pages that always advance but never end are refused after ${MAX_KEY_PAGES} pages`, async () => {
    const { member, groupId } = await freshGroup();
    const page = fullFirstPage(groupId);
    let pages = 0;
    hostile.answer = (_, path) => {
      if (!path.startsWith(`/api/v1/group/${groupId}/keys/`)) return undefined;
      pages++;
      if (pages > MAX_KEY_PAGES + 5) throw new Error("the SDK kept asking for key pages");
      return stubs(page()[0]!, pages);
    };
    expect((await sentcError(member.user.getGroup(groupId))).code).toBe("invalid_server_response");
    expect(pages).toBe(MAX_KEY_PAGES - 1);
    expect(await storedGroup(member.userId, groupId)).toBeUndefined();
  });

  it.each([1.5, -1, 2 ** 60])(
    "a cursor time %s taken from a full page is the server's fault (invalid_server_response)",
    async (time) => {
      const { member, groupId } = await freshGroup();
      const page = fullFirstPage(groupId);
      const onGroup = hostile.rewrite!;
      hostile.rewrite = (method, path, result) => {
        const out = onGroup(method, path, result) as Json | undefined;
        if (out) page()[49]!.time = time;
        return out;
      };
      expect((await sentcError(member.user.getGroup(groupId))).code).toBe("invalid_server_response");
      expect(requests(`/group/${groupId}/keys/`)).toBe(0);
    },
  );
});

describe("group load: HMAC and sortable keys", () => {
  /** A group with two keys (one rotation); its HMAC and sortable keys are wrapped by the first. */
  async function rotatedGroup() {
    const member = await newMember();
    const groupId = await member.user.createGroup();
    const group = await member.user.getGroup(groupId);
    const oldKey = group.data.newest_key_id;
    await group.keyRotation();
    await forgetStoredGroup(member.userId, groupId);
    return { member, groupId, oldKey };
  }

  it.each([
    ["without a key id", (hmac: Json) => ({ ...hmac, encrypted_hmac_encryption_key_id: undefined })],
    ["that does not decrypt", (hmac: Json) => ({ ...hmac, encrypted_hmac_key: "AAAA" })],
  ])("an HMAC entry wrapped by a key not in the list, then one %s: nothing is stored", async (_, bad) => {
    const { member, groupId, oldKey } = await rotatedGroup();
    hostile.rewrite = (method, path, result) => {
      if (method !== "GET" || path !== `/api/v1/group/${groupId}`) return undefined;
      const answer = result as Json;
      const hmac = (answer.hmac_keys as Json[])[0]!;
      expect(hmac.encrypted_hmac_encryption_key_id).toBe(oldKey);
      // Only the newest key is listed: the first HMAC entry needs the old key fetched on its own.
      return { ...answer, keys: (answer.keys as Json[]).slice(0, 1), hmac_keys: [hmac, bad(hmac)] };
    };
    await sentcError(member.user.getGroup(groupId));
    expect(await storedGroup(member.userId, groupId)).toBeUndefined();
    expect(requests("/key/undefined")).toBe(0);

    hostile.rewrite = null;
    const group = await member.user.getGroup(groupId);
    expect(group.data.keys).toHaveLength(2);
    expect(group.data.hmac_keys).toHaveLength(1);
    expect(group.data.sortable_keys).toHaveLength(1);
  });

  it.each([
    ["hmac_keys", "encrypted_hmac_encryption_key_id"],
    ["sortable_keys", "encrypted_sortable_encryption_key_id"],
  ])("a %s entry without a key id is invalid_server_response (no request for key 'undefined')", async (list, field) => {
    const { member, groupId } = await freshGroup();
    hostile.rewrite = (method, path, result) => {
      if (method !== "GET" || path !== `/api/v1/group/${groupId}`) return undefined;
      const answer = result as Json;
      return { ...answer, [list]: (answer[list] as Json[]).map((entry) => ({ ...entry, [field]: "" })) };
    };
    expect((await sentcError(member.user.getGroup(groupId))).code).toBe("invalid_server_response");
    hostile.rewrite = (method, path, result) => {
      if (method !== "GET" || path !== `/api/v1/group/${groupId}`) return undefined;
      const answer = result as Json;
      return { ...answer, [list]: (answer[list] as Json[]).map(({ [field]: _, ...entry }) => entry) };
    };
    expect((await sentcError(member.user.getGroup(groupId))).code).toBe("invalid_server_response");
    expect(requests("/key/undefined") + requests("/key/")).toBe(0);
    expect(await storedGroup(member.userId, groupId)).toBeUndefined();
  });
});

describe("fetchKeys", () => {
  it("older key pages that ignore the cursor are refused; the held and stored keys stay as they were", async () => {
    const { member, groupId } = await freshGroup();
    let realRaw: Json = {};
    hostile.rewrite = (method, path, result) => {
      if (method === "GET" && path === `/api/v1/group/${groupId}`) realRaw = ((result as Json).keys as Json[])[0]!;
      return undefined;
    };
    const group = await member.user.getGroup(groupId);
    hostile.rewrite = null;
    const real = { ...group.data.keys[0]! };
    // Every page answered is the same 50 copies, older than the one key held.
    const older = copies(realRaw, 50, (realRaw.time as number) - 1, "o");
    let pages = 0;
    hostile.answer = (_, path) => {
      if (!path.startsWith(`/api/v1/group/${groupId}/keys/`)) return undefined;
      pages++;
      return pages > 5 ? [] : older;
    };
    expect((await sentcError(group.fetchKeys())).code).toBe("invalid_server_response");
    expect(pages).toBe(2);
    expect(group.data.keys).toEqual([real]);
    expect(((await storedGroup(member.userId, groupId)) as { keys: unknown[] }).keys).toHaveLength(1);
  });
});

describe("login: user key pages and HMAC keys", () => {
  async function loginWith(rewrite: (answer: Json) => Json, onPage?: (path: string) => unknown) {
    const member = await newMember();
    hostile.rewrite = (_, path, result) => (path === "/api/v1/verify_login" ? rewrite(result as Json) : undefined);
    if (onPage)
      hostile.answer = (_, path) => (path.startsWith("/api/v1/user/user_keys/keys/") ? onPage(path) : undefined);
    return sentcError(Sentc.login(member.identifier, member.password, true));
  }

  it("user key pages that ignore the cursor are refused after one page", async () => {
    let page: Json[] = [];
    let pages = 0;
    const error = await loginWith(
      (answer) => {
        page = fullPage((answer.user_keys as Json[])[0]!);
        return { ...answer, user_keys: page };
      },
      () => {
        pages++;
        return pages > 5 ? [] : page;
      },
    );
    expect(error.code).toBe("invalid_server_response");
    expect(pages).toBe(1);
  });

  it(`user key pages that never end are refused after ${MAX_KEY_PAGES} pages`, async () => {
    let real: Json = {};
    let pages = 0;
    const error = await loginWith(
      (answer) => {
        real = (answer.user_keys as Json[])[0]!;
        return { ...answer, user_keys: fullPage(real) };
      },
      () => {
        pages++;
        if (pages > MAX_KEY_PAGES + 5) throw new Error("the SDK kept asking for key pages");
        return stubs(real, pages);
      },
    );
    expect(error.code).toBe("invalid_server_response");
    expect(pages).toBe(MAX_KEY_PAGES - 1);
  });

  it("a cursor time from the user key page that is not a non-negative integer is invalid_server_response", async () => {
    const error = await loginWith((answer) => {
      const page = fullPage((answer.user_keys as Json[])[0]!);
      page[49]!.time = 1.5;
      return { ...answer, user_keys: page };
    });
    expect(error.code).toBe("invalid_server_response");
    expect(requests("/user/user_keys/keys/")).toBe(0);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["a string", "x"],
  ])("hmac_keys %s is invalid_server_response, not a login without HMAC keys", async (_, value) => {
    const error = await loginWith((answer) => ({ ...answer, hmac_keys: value }));
    expect(error.code).toBe("invalid_server_response");
  });
});

describe("finishing a rotation", () => {
  it("the new key answered under another id is refused; the key held under that id is not replaced", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    const groupId = group.data.group_id;
    await group.inviteAuto(b.userId);
    const bGroup = await b.user.getGroup(groupId);
    const oldKey = { ...bGroup.data.keys[0]! };
    const newKey = await group.keyRotation();
    await rotationsDone(g);
    hostile.rewrite = (method, path, result) =>
      method === "GET" && path === `/api/v1/group/${groupId}/key/${newKey.group_key_id}`
        ? { ...(result as Json), group_key_id: oldKey.group_key_id }
        : undefined;
    expect((await sentcError(bGroup.finishKeyRotation())).code).toBe("invalid_server_response");
    expect(bGroup.data.keys.find((key) => key.group_key_id === oldKey.group_key_id)).toEqual(oldKey);
    expect(bGroup.data.newest_key_id).toBe(oldKey.group_key_id);
  });
});
