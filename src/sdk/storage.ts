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

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(
        new SentcError("storage_failed", `IndexedDB: ${req.error?.message ?? "request failed"}`, { cause: req.error }),
      );
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
        reject(new SentcError("storage_failed", "IndexedDB could not be opened", { cause }));
        return;
      }
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(storeName))
          req.result.createObjectStore(storeName, { autoIncrement: true });
      };
      req.onsuccess = () => resolve(new IndexedDbStorage(req.result));
      req.onerror = () =>
        reject(
          new SentcError("storage_failed", `IndexedDB could not be opened: ${req.error?.message ?? ""}`, {
            cause: req.error,
          }),
        );
      req.onblocked = () => reject(new SentcError("storage_failed", "IndexedDB open is blocked by another tab"));
    });
  }

  #store(mode: IDBTransactionMode): IDBObjectStore {
    return this.#db.transaction(STORAGE_STORE_NAME, mode).objectStore(STORAGE_STORE_NAME);
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
   * Stores `value` under `key`.
   * @throws {SentcError} `storage_failed` when the IndexedDB request fails (e.g. a full quota); a value IndexedDB cannot
   * clone rejects with its `DataCloneError` instead.
   * @example
   * await store.set("actual_user", "alice");
   */
  async set<T = unknown>(key: string, value: T): Promise<void> {
    await request(this.#store("readwrite").put(value, key));
  }

  /**
   * Removes the value under `key` (nothing happens when there is none).
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * await store.delete("actual_user");
   */
  async delete(key: string): Promise<void> {
    await request(this.#store("readwrite").delete(key));
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
   * Removes every value.
   * @throws {SentcError} `storage_failed` when IndexedDB fails.
   * @example
   * await store.clear();
   */
  async clear(): Promise<void> {
    await request(this.#store("readwrite").clear());
  }
}

const defaultErrCallBack: ResCallBack = (msg) => {
  if (msg.err) console.error(msg.err);
  if (msg.warn) console.warn(msg.warn);
};

/**
 * The store for `options`: the app's own adapter, else IndexedDB when the runtime has it, else memory (and the
 * warn callback fires, as in the reference).
 */
export async function createStorage(options: StorageOptions | undefined): Promise<StorageInterface> {
  if (options?.getStorage) {
    const custom = await options.getStorage();
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
      err: `IndexedDB failed: ${error instanceof Error ? error.message : String(error)}`,
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
