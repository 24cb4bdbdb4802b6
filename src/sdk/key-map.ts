/**
 * The key lists of users and groups: the keys in an array and a map from key id to index (`user_data.user_keys`
 * with `user_data.key_map`, `group.data.keys` with `group.data.key_map`, sdk.md §2.3, §3.1).
 */
import { SentcError } from "../errors.js";

/** A key array and its id → index map, as the user or group data hold them. */
export interface KeyList<K> {
  map: Map<string, number>;
  keys: K[];
}

/**
 * The key with this id, if held. Throws nothing.
 * @example
 * const key = heldKey({ map: data.key_map, keys: data.keys }, keyId);
 */
export function heldKey<K>(list: KeyList<K>, keyId: string): K | undefined {
  const index = list.map.get(keyId);
  return index === undefined ? undefined : list.keys[index];
}

/**
 * Keeps a key: replaces the one with its id, or appends it and maps its id. Throws nothing.
 * @example
 * putKey({ map: data.key_map, keys: data.keys }, key.group_key_id, key);
 */
export function putKey<K>(list: KeyList<K>, keyId: string, key: K): void {
  const index = list.map.get(keyId);
  if (index === undefined) {
    list.map.set(keyId, list.keys.length);
    list.keys.push(key);
  } else {
    list.keys[index] = key;
  }
}

/**
 * The key with this id, held.
 * @throws SentcError `key_not_found` (with `message`) when it is not held
 * @example
 * const key = requireKey(list, keyId, REFERENCE_MESSAGES.keyNotFound);
 */
export function requireKey<K>(list: KeyList<K>, keyId: string, message: string): K {
  const key = heldKey(list, keyId);
  if (!key) throw new SentcError("key_not_found", message);
  return key;
}

/**
 * The newest key: the one `newestId` names, else the first held.
 * @throws SentcError `key_not_found` (with `message`) when there are no keys
 * @example
 * const newest = newestKey(list, data.newest_key_id, REFERENCE_MESSAGES.keyNotFound);
 */
export function newestKey<K>(list: KeyList<K>, newestId: string, message: string): K {
  const key = heldKey(list, newestId) ?? list.keys[0];
  if (!key) throw new SentcError("key_not_found", message);
  return key;
}
