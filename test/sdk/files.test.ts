/**
 * File upload and download (sdk.md §4.4) against the project's server over real HTTP, with a logged-in SDK user's
 * JWT and keys as the context.
 */
import { randomBytes as nodeRandomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, type FetchFn } from "../../src/api/index.js";
import { getFile } from "../../src/api/endpoints/files.js";
import { randomBytes } from "../../src/core/index.js";
import { decryptFilePart, encryptFilePart } from "../../src/protocol/file.js";
import { importSignKey, importVerifyKey } from "../../src/protocol/keys.js";
import type { User } from "../../src/index.js";
import {
  DEFAULT_PART_SIZE,
  deleteFile,
  doneFileRegister,
  downloadFile,
  downloadFileMetaInfo,
  downloadFileWithMetaInfo,
  decryptPart,
  encryptPart,
  hasWebCrypto,
  openBody,
  prepareRegisterFile,
  sealBody,
  updateFileName,
  uploadFile,
  uploadFileParts,
  type DownloadCheckpoint,
  type FileDownloadContext,
  type FileUploadContext,
} from "../../src/sdk/files/index.js";
import {
  generateNonRegisteredKey,
  generateNonRegisteredKeyByPublicKey,
  getNonRegisteredKey,
  getNonRegisteredKeyByPrivateKey,
} from "../../src/sdk/sym-key.js";
import { newUser, reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";
import { setStrictVerify } from "../../src/sdk/verify-policy.js";

let s: SdkHarness;
let alice: { user: User; userId: string };
let bob: { user: User; userId: string };

beforeAll(async () => {
  s = await startSdkHarness();
  await reinit(s);
  bob = await newUser();
  alice = await newUser();
});
afterAll(() => s.h.close());

const V = "/api/v1";

function http(fetch?: FetchFn): HttpClient {
  return new HttpClient({ baseUrl: s.baseUrl, appToken: s.lax.publicToken, ...(fetch ? { fetch } : {}) });
}

function newestKey(user: User) {
  return user.user_data.user_keys[user.user_data.key_map.get(user.user_data.newest_key_id)!]!;
}

/** A user's own file: the content key wrapped by the user's public key, as `user.createFile()` does. */
function userUpload(user: User, fetch?: FetchFn): FileUploadContext {
  const [key, encrypted_key] = generateNonRegisteredKeyByPublicKey(newestKey(user).public_key, {
    base_url: s.baseUrl,
    app_token: s.lax.publicToken,
    sign_key: newestKey(user).sign_key,
  });
  return {
    http: http(fetch),
    jwt: { getJwt: () => user.getJwt() },
    key,
    encrypted_key,
    belongs_to_type: "User",
    belongs_to_id: user.user_data.user_id,
  };
}

function userDownload(user: User, fetch?: FetchFn): FileDownloadContext {
  return {
    http: http(fetch),
    jwt: { getJwt: () => user.getJwt() },
    getKey: (_masterKeyId, encryptedKey) => getNonRegisteredKeyByPrivateKey(newestKey(user).private_key, encryptedKey),
  };
}

function bytes(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(nodeRandomBytes(n));
}

describe("upload and download", () => {
  it.each([
    ["0 bytes", 0, 1],
    ["1 byte", 1, 1],
    ["several parts", 2500, 3],
    ["an exact multiple of the part size", 3000, 3],
  ])("round trips %s with the progress ending at 1", async (_name, size, parts) => {
    const data = bytes(size);
    const progress: number[] = [];
    const up = await uploadFile(userUpload(alice.user), data, {
      file_name: "a.bin",
      part_size: 1000,
      upload_callback: (p) => progress.push(p),
    });
    expect(up.master_key_id).toBe(
      (Object.values(JSON.parse(newestKey(alice.user).public_key))[0] as { key_id: string }).key_id,
    );
    expect(progress).toEqual(Array.from({ length: parts }, (_, i) => (i + 1) / parts));
    const downProgress: number[] = [];
    const down = await downloadFile(userDownload(alice.user), up.file_id, {
      download_callback: (p) => downProgress.push(p),
    });
    expect(down.data).toEqual(data);
    expect(down.file_name).toBe("a.bin");
    expect(down.meta.part_list.map((p) => p.sequence)).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
    expect(downProgress).toEqual(progress);
  });

  it("uploads a multi-MiB Blob in 4 MiB parts and takes the File's name", async () => {
    const data = bytes(9 * 1024 * 1024 + 17);
    const file = new File([data], "big.bin");
    const sizes: number[] = [];
    const recording: FetchFn = (input, init) => {
      if (init.method === "POST" && input.includes("/file/part/"))
        sizes.push(init.body instanceof Blob ? init.body.size : (init.body as Uint8Array).length);
      return fetch(input, init);
    };
    const up = await uploadFile(userUpload(alice.user, recording), file);
    expect(sizes).toHaveLength(3);
    expect(sizes[0]).toBeGreaterThan(DEFAULT_PART_SIZE);
    expect(Math.max(...sizes)).toBeLessThan(5 * 1024 * 1024);
    const down = await downloadFile(userDownload(alice.user), up.file_id);
    expect(down.file_name).toBe("big.bin");
    expect(down.data.length).toBe(data.length);
    expect(Buffer.from(down.data).equals(Buffer.from(data))).toBe(true);
  });

  it("pages the part list beyond 500 parts and downloads them in order", async () => {
    const data = bytes(503);
    const up = await uploadFile(userUpload(alice.user), data, { part_size: 1 });
    const down = await downloadFile(userDownload(alice.user), up.file_id);
    expect(down.meta.part_list).toHaveLength(503);
    expect(down.data).toEqual(data);
  });

  it("files for nobody and for another user; the other user can download a file sent to them", async () => {
    const none = await uploadFile(
      { ...userUpload(alice.user), belongs_to_type: "None", belongs_to_id: null },
      bytes(10),
      { file_name: null },
    );
    const meta = await getFile(http(), undefined, none.file_id);
    expect(meta).toMatchObject({ belongs_to_type: "None", owner: alice.userId });
    expect(none.encrypted_file_name).toBeUndefined();

    // For bob: the key is wrapped by bob's public key.
    const [key, encrypted_key] = generateNonRegisteredKeyByPublicKey(newestKey(bob.user).public_key);
    const data = bytes(1500);
    const up = await uploadFile(
      {
        http: http(),
        jwt: { getJwt: () => alice.user.getJwt() },
        key,
        encrypted_key,
        belongs_to_type: "User",
        belongs_to_id: bob.userId,
      },
      data,
      {
        file_name: "for bob",
        part_size: 700,
      },
    );
    const down = await downloadFile(userDownload(bob.user), up.file_id);
    expect(down.data).toEqual(data);
    expect(down.file_name).toBe("for bob");
    expect(down.meta).toMatchObject({ belongs_to_type: "User", belongs_to: bob.userId, owner: alice.userId });
  });

  it("group files go through the group routes", async () => {
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    const [groupKey] = await group.getSymKeyToEncrypt();
    const [key, encrypted_key] = generateNonRegisteredKey(groupKey);
    const jwt = { getJwt: () => alice.user.getJwt() };
    const log: string[] = [];
    const recording: FetchFn = (input, init) => {
      log.push(`${init.method} ${new URL(input).pathname}`);
      return fetch(input, init);
    };
    const data = bytes(2000);
    const up = await uploadFile(
      { http: http(recording), jwt, group_id: groupId, key, encrypted_key, belongs_to_type: "Group" },
      data,
      { file_name: "g", part_size: 1500 },
    );
    expect(log[0]).toBe(`POST ${V}/group/${groupId}/file`);
    const ctx: FileDownloadContext = {
      http: http(recording),
      jwt,
      group_id: groupId,
      getKey: async (id, e) => getNonRegisteredKey(await group.getSymKeyById(id), e),
    };
    const down = await downloadFile(ctx, up.file_id);
    expect(down.data).toEqual(data);
    expect(down.meta).toMatchObject({ belongs_to_type: "Group", belongs_to: groupId });
    expect(log).toContain(`GET ${V}/group/${groupId}/file/${up.file_id}`);
    // The user route refuses group files (521).
    expect(await sentcError(downloadFile(userDownload(alice.user), up.file_id))).toMatchObject({
      code: "server",
      serverCode: 521,
    });
    await deleteFile({ http: http(recording), jwt, group_id: groupId }, up.file_id);
    expect(log.at(-1)).toBe(`DELETE ${V}/group/${groupId}/file/${up.file_id}`);
  });

  it("works through an own backend: prepareRegisterFile, doneFileRegister, uploadFileParts", async () => {
    const ctx = userUpload(alice.user);
    const { server_input, encrypted_file_name } = prepareRegisterFile(ctx, "own.txt");
    expect(typeof encrypted_file_name).toBe("string");
    const answer = await s.h.call("POST", `${V}/file`, {
      token: s.lax.publicToken,
      jwt: await alice.user.getJwt(),
      raw: server_input,
    });
    const [fileId, sessionId] = doneFileRegister(JSON.stringify(answer.body));
    const data = bytes(1234);
    await uploadFileParts(ctx, sessionId, ctx.key, data, { part_size: 500 });
    const down = await downloadFile(userDownload(alice.user), fileId);
    expect(down.data).toEqual(data);
    expect(down.file_name).toBe("own.txt");
    expect(() => doneFileRegister('{"status":false,"err_code":510,"err_msg":"x"}')).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 510 }),
    );
  });

  it("rejects bad input", async () => {
    expect(await sentcError(uploadFile(userUpload(alice.user), "text" as unknown as Uint8Array))).toMatchObject({
      code: "invalid_input",
    });
    expect(await sentcError(uploadFile(userUpload(alice.user), bytes(1), { part_size: 0 }))).toMatchObject({
      code: "invalid_input",
    });
    expect(
      await sentcError(uploadFile(userUpload(alice.user), bytes(1), { part_size: 6 * 1024 * 1024 })),
    ).toMatchObject({ code: "invalid_input" });
  });
});

describe("signing and verification", () => {
  it("signs every part and verifies with the sender's verify key", async () => {
    const data = bytes(2100);
    const up = await uploadFile(userUpload(alice.user), data, { sign: true, part_size: 1000 });
    const verify_key = newestKey(alice.user).verify_key;
    const down = await downloadFile(userDownload(alice.user), up.file_id, { verify_key });
    expect(down.data).toEqual(data);
    // Without a verify key the signature is skipped.
    expect((await downloadFile(userDownload(alice.user), up.file_id)).data).toEqual(data);
    // Another user's verify key: wrong_verify_key.
    expect(
      await sentcError(
        downloadFile(userDownload(alice.user), up.file_id, { verify_key: newestKey(bob.user).verify_key }),
      ),
    ).toMatchObject({ code: "wrong_verify_key" });
  });

  it("an unsigned file asked to verify: unchecked as in sentc, missing_signature with strict_verify; signing without a sign key is invalid_input", async () => {
    const data = bytes(10);
    const up = await uploadFile(userUpload(alice.user), data);
    expect(
      (await downloadFile(userDownload(alice.user), up.file_id, { verify_key: newestKey(alice.user).verify_key })).data,
    ).toEqual(data);
    setStrictVerify(true);
    try {
      expect(
        await sentcError(
          downloadFile(userDownload(alice.user), up.file_id, { verify_key: newestKey(alice.user).verify_key }),
        ),
      ).toMatchObject({ code: "missing_signature" });
    } finally {
      setStrictVerify(false);
    }
    const [key, encrypted_key] = generateNonRegisteredKeyByPublicKey(newestKey(alice.user).public_key);
    const ctx: FileUploadContext = { ...userUpload(alice.user), key, encrypted_key };
    expect(await sentcError(uploadFile(ctx, bytes(10), { sign: true }))).toMatchObject({ code: "invalid_input" });
    // An explicit sign key works.
    const signed = await uploadFile(ctx, bytes(10), { sign: true, sign_key: newestKey(alice.user).sign_key });
    await downloadFile(userDownload(alice.user), signed.file_id, { verify_key: newestKey(alice.user).verify_key });
  });

  it("a tampered part is decryption_failed, or verification_failed when verifying", async () => {
    const data = bytes(3000);
    const up = await uploadFile(userUpload(alice.user), data, { sign: true, part_size: 1000 });
    let count = 0;
    const tampering: FetchFn = async (input, init) => {
      const response = await fetch(input, init);
      if (!input.includes("/file/part/") || ++count !== 2) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      body[body.length - 5]! ^= 1;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    expect(await sentcError(downloadFile(userDownload(alice.user, tampering), up.file_id))).toMatchObject({
      code: "decryption_failed",
    });
    count = 0;
    expect(
      await sentcError(
        downloadFile(userDownload(alice.user, tampering), up.file_id, { verify_key: newestKey(alice.user).verify_key }),
      ),
    ).toMatchObject({
      code: "verification_failed",
    });
  });

  it("the wrong key is decryption_failed", async () => {
    const up = await uploadFile(userUpload(alice.user), bytes(100), { file_name: "x" });
    const [meta] = await downloadFileMetaInfo(userDownload(alice.user), up.file_id);
    const [wrong] = generateNonRegisteredKeyByPublicKey(newestKey(alice.user).public_key);
    expect(await sentcError(downloadFileWithMetaInfo(userDownload(alice.user), wrong, meta))).toMatchObject({
      code: "decryption_failed",
    });
    // Bob cannot unwrap alice's key, and the server refuses him the meta data of her user file.
    expect(await sentcError(downloadFile(userDownload(bob.user), up.file_id))).toMatchObject({
      code: "server",
      serverCode: 521,
    });
  });
});

describe("cancellation", () => {
  it("stops an upload between parts, reports aborted and deletes the file on the server", async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const recording: FetchFn = (input, init) => {
      log.push(`${init.method} ${new URL(input).pathname}`);
      return fetch(input, init);
    };
    const error = await sentcError(
      uploadFile(userUpload(alice.user, recording), bytes(5000), {
        part_size: 1000,
        signal: controller.signal,
        upload_callback: (p) => {
          if (p >= 0.4) controller.abort();
        },
      }),
    );
    expect(error.code).toBe("aborted");
    expect(log.filter((l) => l.startsWith("POST") && l.includes("/file/part/"))).toHaveLength(2);
    const fileId = log
      .find((l) => l.startsWith("DELETE"))!
      .split("/")
      .at(-1)!;
    expect(log.at(-1)).toBe(`DELETE ${V}/file/${fileId}`);
    expect(await sentcError(getFile(http(), await alice.user.getJwt(), fileId))).toMatchObject({ code: "server" });
  });

  it("aborts the part request in flight", async () => {
    const controller = new AbortController();
    let parts = 0;
    const slow: FetchFn = async (input, init) => {
      if (init.method === "POST" && input.includes("/file/part/") && ++parts === 2) {
        controller.abort();
        // A fetch that would hang: only the abort can end it.
        return new Promise<Response>((_, reject) =>
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason)),
        );
      }
      return fetch(input, init);
    };
    const error = await sentcError(
      uploadFile(userUpload(alice.user, slow), bytes(3000), { part_size: 1000, signal: controller.signal }),
    );
    expect(error.code).toBe("aborted");
  });

  it("an already aborted signal registers nothing", async () => {
    const log: string[] = [];
    const recording: FetchFn = (input, init) => {
      log.push(input);
      return fetch(input, init);
    };
    expect(
      await sentcError(uploadFile(userUpload(alice.user, recording), bytes(3), { signal: AbortSignal.abort() })),
    ).toMatchObject({ code: "aborted" });
    expect(log).toEqual([]);
  });

  it("stops a download between parts and in flight", async () => {
    const data = bytes(4000);
    const up = await uploadFile(userUpload(alice.user), data, { part_size: 1000 });
    const controller = new AbortController();
    const error = await sentcError(
      downloadFile(userDownload(alice.user), up.file_id, {
        signal: controller.signal,
        download_callback: (p) => {
          if (p >= 0.5) controller.abort();
        },
      }),
    );
    expect(error.code).toBe("aborted");

    const inFlight = new AbortController();
    let parts = 0;
    const hanging: FetchFn = async (input, init) => {
      if (input.includes("/file/part/") && ++parts === 3) {
        inFlight.abort();
        return new Promise<Response>((_, reject) =>
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason)),
        );
      }
      return fetch(input, init);
    };
    expect(
      await sentcError(downloadFile(userDownload(alice.user, hanging), up.file_id, { signal: inFlight.signal })),
    ).toMatchObject({ code: "aborted" });
  });

  it("resumes a download from its checkpoint", async () => {
    const data = bytes(5000);
    const up = await uploadFile(userUpload(alice.user), data, { part_size: 1000, sign: true });
    const [meta, key] = await downloadFileMetaInfo(userDownload(alice.user), up.file_id);
    const received: Uint8Array[] = [];
    let last: DownloadCheckpoint | undefined;
    const controller = new AbortController();
    const first = await sentcError(
      downloadFileWithMetaInfo(userDownload(alice.user), key, meta, {
        signal: controller.signal,
        on_part: (part, checkpoint) => {
          received.push(part);
          last = checkpoint;
          if (checkpoint.next_index === 2) controller.abort();
        },
      }),
    );
    expect(first.code).toBe("aborted");
    expect(last?.next_index).toBe(2);
    const rest = await downloadFileWithMetaInfo(userDownload(alice.user), key, meta, {
      resume: last,
      verify_key: newestKey(alice.user).verify_key,
    });
    expect(Buffer.concat([...received, rest])).toEqual(Buffer.from(data));
  });
});

describe("names and deletion", () => {
  it("renames, clears the name and deletes; only the owner may", async () => {
    const up = await uploadFile(userUpload(alice.user), bytes(10), { file_name: "old" });
    const ctx = userDownload(alice.user);
    const [, key] = await downloadFileMetaInfo(ctx, up.file_id);
    await updateFileName(ctx, up.file_id, key, "new name ✓");
    expect((await downloadFileMetaInfo(ctx, up.file_id))[0].file_name).toBe("new name ✓");
    await updateFileName(ctx, up.file_id, key);
    expect((await downloadFileMetaInfo(ctx, up.file_id))[0].file_name).toBeUndefined();
    expect(await sentcError(updateFileName(userDownload(bob.user), up.file_id, key, "mine"))).toMatchObject({
      code: "server",
      serverCode: 521,
    });
    expect(await sentcError(deleteFile(userDownload(bob.user), up.file_id))).toMatchObject({
      code: "server",
      serverCode: 521,
    });
    await deleteFile(ctx, up.file_id);
    expect(await sentcError(downloadFile(ctx, up.file_id))).toMatchObject({ code: "server" });
  });
});

describe("WebCrypto and wasm AES-GCM", () => {
  it("give identical bytes for the same key, nonce and input, and open each other's output", async () => {
    expect(hasWebCrypto()).toBe(true);
    for (const size of [0, 1, 15, 16, 17, 70_000, 200_003]) {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const plaintext = bytes(size);
      const wasm = await sealBody(key, plaintext, "wasm", nonce);
      const web = await sealBody(key, plaintext, "webcrypto", nonce);
      expect(Buffer.from(web).equals(Buffer.from(wasm))).toBe(true);
      expect(await openBody(key, web, "wasm")).toEqual(plaintext);
      expect(await openBody(key, wasm, "webcrypto")).toEqual(plaintext);
      const tampered = wasm.slice();
      tampered[tampered.length - 1]! ^= 1;
      expect(await sentcError(openBody(key, tampered, "webcrypto"))).toMatchObject({ code: "decryption_failed" });
      expect(await sentcError(openBody(key, tampered, "wasm"))).toMatchObject({ code: "decryption_failed" });
    }
  });

  it("parts from either engine read with the protocol layer and the other engine", async () => {
    const signKey = importSignKey(newestKey(alice.user).sign_key);
    const verifyKey = importVerifyKey(newestKey(alice.user).verify_key);
    const content = randomBytes(32);
    const plaintext = bytes(70_000);
    for (const engine of ["wasm", "webcrypto", "auto"] as const) {
      const { part, nextKey } = await encryptPart(content, plaintext, signKey, engine);
      const viaProtocol = decryptFilePart(content, part, verifyKey);
      expect(viaProtocol.plaintext).toEqual(plaintext);
      expect(viaProtocol.nextKey).toEqual(nextKey);
      for (const other of ["wasm", "webcrypto"] as const)
        expect((await decryptPart(content, part, verifyKey, other)).plaintext).toEqual(plaintext);
    }
    const fromProtocol = encryptFilePart(content, plaintext, null);
    const opened = await decryptPart(content, fromProtocol.part, null, "webcrypto");
    expect(opened.plaintext).toEqual(plaintext);
    expect(opened.nextKey).toEqual(fromProtocol.nextKey);
  });
});
