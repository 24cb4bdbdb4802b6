/**
 * The SDK's key store (spec sdk.md §6): IndexedDB in browsers (database `sentclose`, object store `keys`, as the
 * reference), a `Map` elsewhere (Node, private windows without IndexedDB), or an app's own adapter.
 *
 * Values are structured-cloneable (`UserData` holds a `Map`); an adapter that serialises to JSON still works
 * because the SDK rebuilds `key_map` from `user_keys` when it does not read back a `Map`.
 */
import { SentcError, invalidInput } from "../errors.js";

/** What the SDK needs from a key store. All methods may be async. */
export interface StorageInterface {
  getItem<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key held; lets logout find the caches it wrote. Optional for custom adapters. */
  keys?(): Promise<string[]>;
  /** Removes everything (used by logout when `keys` is missing). Optional for custom adapters. */
  clear?(): Promise<void>;
}

/**
 * The reference's storage callback: receives an error or a warning of the default store (e.g. IndexedDB unavailable).
 */
export type ResCallBack = (msg: { err?: string; warn?: string }) => void;

/** sentc's `StorageOptions` (sdk.md §1.1). */
export interface StorageOptions {
  default_storage?: { errCallBack: ResCallBack };
  getStorage?: () => Promise<StorageInterface>;
}

/** The database and object store of the reference SDK. */
export const STORAGE_DB_NAME = "sentclose";
/**
 * The IndexedDB object store the SDK keeps its values in (`keys`, as the reference).
 */
export const STORAGE_STORE_NAME = "keys";

function copy<T>(value: T): T {
  return typeof structuredClone === "function" ? structuredClone(value) : value;
}

/**
 * A store in memory: nothing survives a reload. Values are cloned in and out like IndexedDB does.
 * @example
 * import Sentc, { MemoryStorage } from "sentc-as";
 *
 * await Sentc.init({ app_token: appToken, storage: { getStorage: async () => new MemoryStorage() } });
 */
export class MemoryStorage implements StorageInterface {
  readonly #map = new Map<string, unknown>();

  /**
   * The value stored under `key` (a copy), or `undefined`. Never throws.
   * @example
   * const store = new MemoryStorage();
   * const identifier = await store.getItem<string>("actual_user");
   */
  async getItem<T = unknown>(key: string): Promise<T | undefined> {
    return this.#map.has(key) ? copy(this.#map.get(key) as T) : undefined;
  }

  /**
   * Stores a copy of `value` under `key`.
   * @throws {DOMException} `DataCloneError` when the value cannot be structured-cloned (e.g. a function).
   * @example
   * await store.set("actual_user", "alice");
   */
  async set<T = unknown>(key: string, value: T): Promise<void> {
    this.#map.set(key, copy(value));
  }

  /**
   * Removes the value under `key` (nothing happens when there is none). Never throws.
   * @example
   * await store.delete("actual_user");
   */
  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }

  /**
   * Every key held. Never throws.
   * @example
   * const keys = await store.keys();
   */
  async keys(): Promise<string[]> {
    return [...this.#map.keys()];
  }

  /**
   * Removes every value. Never throws.
   * @example
   * await store.clear();
   */
  async clear(): Promise<void> {
    this.#map.clear();
  }
}

/**
 * `storage_failed` naming `what` and the message of `cause`, kept as the error's `cause`; a `storage_failed` is
 * passed on as it is. Never throws (it returns the error).
 * @internal
 * @example
 * throw storageFailed("the file could not be written", error);
 */
export function storageFailed(what: string, cause?: unknown): SentcError {
  if (cause instanceof SentcError && cause.code === "storage_failed") return cause;
  const detail = typeof cause === "string" ? cause : (cause as { message?: unknown } | null | undefined)?.message;
  return new SentcError("storage_failed", typeof detail === "string" && detail ? `${what}: ${detail}` : what, {
    cause,
  });
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(storageFailed("IndexedDB", req.error));
  });
}

/** IndexedDB over the raw API: one database, one object store with out-of-line keys (as `idb`'s `put(value, key)`). */
export class IndexedDbStorage implements StorageInterface {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  /**
   * Opens (and on first use creates) the database.
   * @throws {SentcError} `storage_failed` when IndexedDB cannot be opened or another tab blocks the upgrade.
   * @example
   * import { IndexedDbStorage } from "sentc-as";
   *
   * const store = await IndexedDbStorage.open();
   * const identifier = await store.getItem<string>("actual_user");
   */
  static open(
    factory: IDBFactory = indexedDB,
    name = STORAGE_DB_NAME,
    storeName = STORAGE_STORE_NAME,
  ): Promise<IndexedDbStorage> {
    return new Promise((resolve, reject) => {
      let req: IDBOpenDBRequest;
      try {
        req = factory.open(name, 1);
      } catch (cause) {
        reject(storageFailed("IndexedDB could not be opened", cause));
        return;
      }
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(storeName))
          req.result.createObjectStore(storeName, { autoIncrement: true });
      };
      req.onsuccess = () => resolve(new IndexedDbStorage(req.result));
      req.onerror = () => reject(storageFailed("IndexedDB could not be opened", req.error));
      req.onblocked = () => reject(storageFailed("IndexedDB open is blocked by another tab"));
    });
  }

  #store(mode: IDBTransactionMode): IDBObjectStore {
    return this.#db.transaction(STORAGE_STORE_NAME, mode).objectStore(STORAGE_STORE_NAME);
  }

  /**
   * Runs `op` in a write transaction and resolves once the transaction has committed: a request's success is not
   * yet durable (a full quota, for one, aborts the transaction afterwards).
   */
  #write(op: (store: IDBObjectStore) => unknown): Promise<void> {
    const tx = this.#db.transaction(STORAGE_STORE_NAME, "readwrite");
    op(tx.objectStore(STORAGE_STORE_NAME));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(storageFailed("IndexedDB", tx.error));
    });
  }

  /**
   * The value stored under `key` or `undefined`.
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * const store = await IndexedDbStorage.open();
   * const identifier = await store.getItem<string>("actual_user");
   */
  async getItem<T = unknown>(key: string): Promise<T | undefined> {
    return (await request(this.#store("readonly").get(key))) as T | undefined;
  }

  /**
   * Stores `value` under `key`; resolves once the write has committed.
   * @throws {SentcError} `storage_failed` when the write fails or its transaction aborts (e.g. a full quota); a value
   * IndexedDB cannot clone rejects with its `DataCloneError` instead (the SDK's store turns it into `storage_failed`).
   * @example
   * await store.set("actual_user", "alice");
   */
  async set<T = unknown>(key: string, value: T): Promise<void> {
    await this.#write((store) => store.put(value, key));
  }

  /**
   * Removes the value under `key` (nothing happens when there is none); resolves once the removal has committed.
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * await store.delete("actual_user");
   */
  async delete(key: string): Promise<void> {
    await this.#write((store) => store.delete(key));
  }

  /**
   * Every key held.
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * const keys = await store.keys();
   */
  async keys(): Promise<string[]> {
    return (await request(this.#store("readonly").getAllKeys())).filter((k): k is string => typeof k === "string");
  }

  /**
   * Removes every value; resolves once the removal has committed.
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * await store.clear();
   */
  async clear(): Promise<void> {
    await this.#write((store) => store.clear());
  }
}

const defaultErrCallBack: ResCallBack = (msg) => {
  if (msg.err) console.error(msg.err);
  if (msg.warn) console.warn(msg.warn);
};

/** The store's operations; `guarded` turns every failure of one into `storage_failed`. */
const OPERATIONS: readonly PropertyKey[] = ["getItem", "set", "delete", "keys", "clear"];

/**
 * `store` seen through a proxy whose operations reject with `storage_failed` (the original error as `cause`) whatever
 * the adapter throws or rejects with; its other members, its prototype and missing optional operations stay as they are.
 */
function guarded(store: StorageInterface): StorageInterface {
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return OPERATIONS.includes(name)
        ? async (...args: unknown[]) => {
            try {
              return await value.apply(target, args);
            } catch (cause) {
              throw storageFailed(`storage ${String(name)} failed`, cause);
            }
          }
        : value.bind(target);
    },
  });
}

/**
 * The store for `options`: the app's own adapter, else IndexedDB when the runtime has it, else memory (and the
 * warn callback fires, as in the reference). Every operation of the store returned rejects with `storage_failed`
 * (the adapter's own error as `cause`) when it fails.
 * @throws {SentcError} `storage_failed` when `storage.getStorage()` throws or rejects (its error as `cause`);
 * `invalid_input` when it resolves to something without `getItem`, `set` and `delete`.
 */
export async function createStorage(options: StorageOptions | undefined): Promise<StorageInterface> {
  return guarded(await openStorage(options));
}

async function openStorage(options: StorageOptions | undefined): Promise<StorageInterface> {
  if (options?.getStorage) {
    let custom: StorageInterface;
    try {
      custom = await options.getStorage();
    } catch (cause) {
      throw storageFailed("storage.getStorage failed", cause);
    }
    if (
      !custom ||
      typeof custom.getItem !== "function" ||
      typeof custom.set !== "function" ||
      typeof custom.delete !== "function"
    ) {
      throw invalidInput("storage.getStorage must resolve to an object with getItem, set and delete");
    }
    return custom;
  }
  const report = options?.default_storage?.errCallBack ?? defaultErrCallBack;
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) {
    // Node has no IndexedDB; there is nothing to warn about.
    if (typeof (globalThis as { window?: unknown }).window !== "undefined") {
      report({ warn: "IndexedDB is not available: the login is kept in memory only and lost on reload" });
    }
    return new MemoryStorage();
  }
  try {
    return await IndexedDbStorage.open(factory);
  } catch (error) {
    report({
      // open() rejects with storage_failed only.
      err: `IndexedDB failed: ${(error as SentcError).message}`,
      warn: "the login is kept in memory only",
    });
    return new MemoryStorage();
  }
}

/** The storage keys of sentc's `USER_KEY_STORAGE_NAMES` (sdk.md §6). */
export const STORAGE_KEYS = {
  actualUser: "actual_user",
  userData: (identifier: string) => `user_data_id_${identifier}`,
  userPublicKey: (userId: string) => `user_public_key_id_${userId}`,
  userVerifyKey: (userId: string, keyId: string) => `user_verify_key_id_${userId}_key_id_${keyId}`,
  groupPublicKey: (groupId: string) => `group_public_key_id_${groupId}`,
  groupDataPrefix: (userId: string) => `group_data_user_${userId}_id_`,
  /** A user's pinned identity keys (sentc-as extra; removed by logout like the key caches). */
  userKeyPin: (userId: string) => `user_key_pin_id_${userId}`,
  /** A group's pinned public keys and their signers (sentc-as extra; removed by logout like the key caches). */
  groupKeyPin: (groupId: string) => `group_key_pin_id_${groupId}`,
  /** sentc-as extra: the pinned key transparency log key and the newest signed tree head (src/sdk/transparency.ts). */
  ktState: "kt_state",
} as const;

/**
 * The prefixes of caches that logout removes (public keys, verify keys, group public keys, stand-alone sym keys,
 * pinned identity keys and group keys).
 */
export const CACHE_PREFIXES = [
  "user_public_key_id_",
  "user_verify_key_id_",
  "group_public_key_id_",
  "sym_key_id_",
  "user_key_pin_id_",
  "group_key_pin_id_",
] as const;
