/**
 * Failures of the key store and of the file a download is saved to reach callers as `SentcError("storage_failed")`
 * (the reference's `{status, error_message}` shape) with the original error as `cause`, and a write that failed is
 * never reported as done: a custom adapter that throws or rejects, `storage.getStorage()` rejecting, the built-in
 * stores, an IndexedDB transaction that aborts after its request succeeded, and `saveFileStream` with a failing
 * writable file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  IndexedDbStorage,
  MemoryStorage,
  Sentc,
  SentcError,
  saveFileStream,
  type StorageInterface,
} from "../../src/index.js";
import { createStorage } from "../../src/sdk/storage.js";
import { unique } from "../server/harness.js";
import { reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";

/** Expects a `storage_failed` whose cause is exactly `cause`, readable in the reference's JSON shape. */
function expectStorageFailed(error: SentcError, cause: unknown): void {
  expect(error.code).toBe("storage_failed");
  expect(error.cause).toBe(cause);
  const parsed = JSON.parse(String(error)) as { status: string; error_message: string };
  expect(parsed.status).toBe("client_100");
  expect(parsed.error_message).toBe(error.message);
}

/** A working adapter over a Map whose methods can be made to fail one by one. */
function failingAdapter(): { adapter: StorageInterface; fail: Partial<Record<keyof StorageInterface, () => never>> } {
  const map = new Map<string, unknown>();
  const fail: Partial<Record<keyof StorageInterface, () => never>> = {};
  const adapter: StorageInterface = {
    async getItem<T>(key: string) {
      fail.getItem?.();
      return map.get(key) as T | undefined;
    },
    async set(key, value) {
      fail.set?.();
      map.set(key, value);
    },
    async delete(key) {
      fail.delete?.();
      map.delete(key);
    },
  };
  return { adapter, fail };
}

describe("a custom adapter", () => {
  it("turns a throw or rejection of every method into storage_failed with the original as cause", async () => {
    const syncError = new Error("disk gone");
    const quota = new DOMException("quota", "QuotaExceededError");
    const keysError = new TypeError("no keys");
    const adapter = {
      getItem() {
        throw syncError;
      },
      set: () => Promise.reject(quota),
      delete: () => Promise.reject("plain string"),
      keys: async () => {
        throw keysError;
      },
      clear: () => Promise.reject(undefined),
    } as unknown as StorageInterface;
    const store = await createStorage({ getStorage: async () => adapter });

    expectStorageFailed(await sentcError(store.getItem("k")), syncError);
    const setError = await sentcError(store.set("k", 1));
    expectStorageFailed(setError, quota);
    expect(setError.message).toContain("quota");
    const deleteError = await sentcError(store.delete("k"));
    expectStorageFailed(deleteError, "plain string");
    expect(deleteError.message).toContain("plain string");
    expectStorageFailed(await sentcError(store.keys!()), keysError);
    expectStorageFailed(await sentcError(store.clear!()), undefined);
  });

  it("keeps the adapter's values, its `this`, its extra members and the absence of keys/clear", async () => {
    class Store {
      readonly #map = new Map<string, unknown>();
      async getItem<T>(key: string): Promise<T | undefined> {
        return this.#map.get(key) as T | undefined;
      }
      async set(key: string, value: unknown): Promise<void> {
        this.#map.set(key, value);
      }
      async delete(key: string): Promise<void> {
        this.#map.delete(key);
      }
      size(): number {
        return this.#map.size;
      }
    }
    const own = new Store();
    const store = await createStorage({ getStorage: async () => own });
    await store.set("k", { a: 1 });
    expect(await store.getItem("k")).toEqual({ a: 1 });
    expect((store as unknown as Store).size()).toBe(1);
    expect(store).toBeInstanceOf(Store);
    expect(store.keys).toBeUndefined();
    expect(store.clear).toBeUndefined();
    await store.delete("k");
    expect(await store.getItem("k")).toBeUndefined();
  });

  it("passes a storage_failed of the adapter on as it is", async () => {
    const own = new SentcError("storage_failed", "own");
    const store = await createStorage({
      getStorage: async () => ({ ...failingAdapter().adapter, getItem: () => Promise.reject(own) }),
    });
    expect(await sentcError(store.getItem("k"))).toBe(own);
  });
});

describe("the built-in stores", () => {
  it("memory: a value that cannot be cloned is storage_failed, and nothing is stored", async () => {
    const store = await createStorage(undefined);
    const error = await sentcError(store.set("k", () => 1));
    expect(error.code).toBe("storage_failed");
    expect((error.cause as DOMException).name).toBe("DataCloneError");
    expect(await store.getItem("k")).toBeUndefined();
  });

  /** An IndexedDB whose write requests succeed and whose transactions then complete or abort with `abortWith`. */
  function fakeIndexedDb(abortWith?: DOMException): IDBFactory {
    const data = new Map<unknown, unknown>();
    const later = (f: () => void) => setTimeout(f, 0);
    const db = {
      objectStoreNames: { contains: () => true },
      transaction() {
        const tx: Record<string, unknown> & { error: DOMException | null } = { error: null };
        const settle = () =>
          later(() => {
            if (abortWith === undefined) (tx.oncomplete as (() => void) | undefined)?.();
            else {
              tx.error = abortWith;
              (tx.onabort as (() => void) | undefined)?.();
            }
          });
        const request = (run: () => unknown) => {
          const req: Record<string, unknown> = { error: null };
          later(() => {
            req.result = run();
            (req.onsuccess as (() => void) | undefined)?.();
            settle();
          });
          return req;
        };
        tx.objectStore = () => ({
          get: (key: string) => request(() => data.get(key)),
          put: (value: unknown, key: string) => request(() => (abortWith ? undefined : data.set(key, value))),
          delete: (key: string) => request(() => (abortWith ? undefined : data.delete(key))),
          clear: () => request(() => (abortWith ? undefined : data.clear())),
          getAllKeys: () => request(() => [...data.keys()]),
        });
        return tx;
      },
    };
    return {
      open() {
        const req: Record<string, unknown> = { result: db };
        later(() => (req.onsuccess as () => void)());
        return req;
      },
    } as unknown as IDBFactory;
  }

  it("IndexedDB: a write resolves only once its transaction committed", async () => {
    const store = await IndexedDbStorage.open(fakeIndexedDb());
    await store.set("k", 1);
    expect(await store.getItem("k")).toBe(1);
    await store.delete("k");
    expect(await store.keys()).toEqual([]);
  });

  it("IndexedDB: a transaction that aborts after its request succeeded (a full quota) rejects the write", async () => {
    const quota = new DOMException("the quota is full", "QuotaExceededError");
    const store = await IndexedDbStorage.open(fakeIndexedDb(quota));
    for (const write of [() => store.set("k", 1), () => store.delete("k"), () => store.clear()]) {
      const error = await sentcError(write());
      expectStorageFailed(error, quota);
      expect(error.message).toContain("the quota is full");
    }
  });
});

describe("through the SDK", () => {
  let s: SdkHarness;
  beforeAll(async () => {
    s = await startSdkHarness();
  });
  afterAll(() => s.h.close());
  afterEach(() => {
    s.h.clock.offsetMs = 0;
  });

  it("a rejection of storage.getStorage() is storage_failed from Sentc.getStore(); the next call tries again", async () => {
    const reason = new Error("the app's store is locked");
    let locked = true;
    const store = new MemoryStorage();
    // init swallows the failure (not logged in, as the reference).
    expect(
      await reinit(s, { storage: { getStorage: () => (locked ? Promise.reject(reason) : Promise.resolve(store)) } }),
    ).toBeUndefined();
    expectStorageFailed(await sentcError(Sentc.getStore()), reason);
    locked = false;
    await (await Sentc.getStore()).set("k", 1);
    expect(await store.getItem("k")).toBe(1);
  });

  it("a login whose data cannot be stored fails with storage_failed and leaves no user logged in", async () => {
    const { adapter, fail } = failingAdapter();
    await reinit(s, { storage: { getStorage: async () => adapter } });
    const identifier = unique();
    await Sentc.register(identifier, "pw");
    const full = new DOMException("full", "QuotaExceededError");
    fail.set = () => {
      throw full;
    };
    expectStorageFailed(await sentcError(Sentc.login(identifier, "pw", true)), full);
    expect((await sentcError(Sentc.getActualUser())).code).toBe("not_logged_in");
  });

  it("a JWT refresh whose new JWT cannot be stored is storage_failed, not the adapter's raw error", async () => {
    const { adapter, fail } = failingAdapter();
    await reinit(s, { storage: { getStorage: async () => adapter } });
    const identifier = unique();
    await Sentc.register(identifier, "pw");
    // The server's clock lags, so the JWT expires inside the SDK's refresh margin.
    s.h.clock.offsetMs = -285_000;
    const user = await Sentc.login(identifier, "pw", true);
    s.h.clock.offsetMs = 0;
    const gone = new Error("adapter offline");
    fail.set = () => {
      throw gone;
    };
    expectStorageFailed(await sentcError(user.getJwt()), gone);
  });

  it("a failing read of the key store is storage_failed where it is not swallowed", async () => {
    const { adapter, fail } = failingAdapter();
    await reinit(s, { storage: { getStorage: async () => adapter } });
    const broken = new Error("cannot read");
    fail.getItem = () => {
      throw broken;
    };
    expectStorageFailed(await sentcError(Sentc.getUserPublicKey(unique())), broken);
  });
});

describe("saveFileStream with the File System Access API", () => {
  const global = globalThis as { showSaveFilePicker?: unknown };
  afterEach(() => {
    delete global.showSaveFilePicker;
  });

  /** A stream of two chunks that records its cancel reason. */
  function source(): { stream: ReadableStream<Uint8Array>; cancelled: { reason?: unknown; done: boolean } } {
    const cancelled: { reason?: unknown; done: boolean } = { done: false };
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ < 2) controller.enqueue(new Uint8Array([n]));
        else controller.close();
      },
      cancel(reason) {
        cancelled.done = true;
        cancelled.reason = reason;
      },
    });
    return { stream, cancelled };
  }

  function picker(createWritable: () => Promise<WritableStream<Uint8Array>>): void {
    global.showSaveFilePicker = async () => ({ createWritable });
  }

  it("createWritable() failing is storage_failed with its cause, and the stream is cancelled", async () => {
    const denied = new DOMException("not allowed", "NotAllowedError");
    picker(() => Promise.reject(denied));
    const { stream, cancelled } = source();
    expectStorageFailed(await sentcError(saveFileStream(stream, { file_name: "a.bin" })), denied);
    expect(cancelled.done).toBe(true);
  });

  it("a failing write is storage_failed; the file is never closed (committed) and the stream is cancelled", async () => {
    const full = new DOMException("disk full", "QuotaExceededError");
    let closed = false;
    picker(
      async () =>
        new WritableStream<Uint8Array>({
          write() {
            throw full;
          },
          close() {
            closed = true;
          },
        }),
    );
    const { stream, cancelled } = source();
    const error = await sentcError(saveFileStream(stream));
    expectStorageFailed(error, full);
    expect(cancelled.done).toBe(true);
    expect(cancelled.reason).toBe(error);
    expect(closed).toBe(false);
  });

  it("a failing close (the file is not committed) is storage_failed, not a saved file", async () => {
    const lost = new DOMException("could not move the file into place", "InvalidStateError");
    const written: number[] = [];
    picker(
      async () =>
        new WritableStream<Uint8Array>({
          write(chunk) {
            written.push(...chunk);
          },
          close() {
            throw lost;
          },
        }),
    );
    expectStorageFailed(await sentcError(saveFileStream(source().stream)), lost);
    expect(written).toEqual([1, 2]);
  });

  it("the stream's own error is passed on unchanged", async () => {
    const bad = new SentcError("decryption_failed", "tampered");
    let aborted = false;
    picker(
      async () =>
        new WritableStream<Uint8Array>({
          abort() {
            aborted = true;
          },
        }),
    );
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(bad);
      },
    });
    expect(await sentcError(saveFileStream(stream))).toBe(bad);
    expect(aborted).toBe(true);
  });

  it("a working writable saves every chunk", async () => {
    const written: number[] = [];
    picker(async () => new WritableStream<Uint8Array>({ write: (chunk) => void written.push(...chunk) }));
    expect(await saveFileStream(source().stream)).toBe("file_system_access");
    expect(written).toEqual([1, 2]);
  });
});
