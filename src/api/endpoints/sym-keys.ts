/**
 * Registered symmetric keys (api.md §3.7, `/keys/sym_key`): a key wrapped by a master key is stored on the server
 * and fetched back by its id. Register and delete need the JWT; reading needs only the app token.
 */
import { invalidServerResponse } from "../../errors.js";
import type { HttpClient, JwtInput, PageCursor, RequestOptions } from "../http.js";
import { pagePath, pathSegment } from "../http.js";
import { expectArray, expectObject, expectString } from "./result.js";

/** `SymKeyEntity`. */
export interface SymKeyEntity {
  key_id: string;
  master_key_id: string;
  encrypted_key_string: string;
  alg: string;
  time: number;
}

function symKeyEntity(value: unknown, what: string): SymKeyEntity {
  const entity = expectObject(value, what);
  const time = entity.time;
  if (typeof time !== "number") throw invalidServerResponse(`${what}: "time" must be a number`);
  return {
    key_id: expectString(entity, "key_id", what),
    master_key_id: expectString(entity, "master_key_id", what),
    encrypted_key_string: expectString(entity, "encrypted_key_string", what),
    alg: expectString(entity, "alg", what),
    time,
  };
}

/** `POST /keys/sym_key` with `GeneratedSymKeyHeadServerInput` `{alg, encrypted_key_string, master_key_id}` → the new key id. */
export async function registerSymKey(
  http: HttpClient,
  jwt: JwtInput,
  body: string | object,
  options?: RequestOptions,
): Promise<string> {
  const what = "POST /keys/sym_key result";
  return expectString(
    expectObject(await http.requestJson("POST", "/keys/sym_key", body, jwt, options), what),
    "key_id",
    what,
  );
}

/** `GET /keys/sym_key/<key_id>` (no JWT) → `SymKeyEntity`; an unknown id is `server` 400. */
export async function getSymKey(http: HttpClient, keyId: string, options?: RequestOptions): Promise<SymKeyEntity> {
  const path = `/keys/sym_key/${pathSegment(keyId, "the key id")}`;
  return symKeyEntity(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`);
}

/**
 * `GET /keys/sym_key/master_key/<master_key_id>/<last_fetched_time>/<last_key_id>` (no JWT) → up to 50 keys
 * wrapped by that master key, newest first, after `last` (the `time` and `key_id` of the last key fetched).
 */
export async function getSymKeysByMasterKey(
  http: HttpClient,
  masterKeyId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<SymKeyEntity[]> {
  const path = `/keys/sym_key/master_key/${pathSegment(masterKeyId, "the master key id")}${pagePath(last)}`;
  const what = "GET /keys/sym_key/master_key result";
  return expectArray(await http.requestJson("GET", path, undefined, undefined, options), what).map((item, i) =>
    symKeyEntity(item, `${what}[${i}]`),
  );
}

/** `DELETE /keys/sym_key/<key_id>`: only the creator's own keys; unknown ids succeed silently. */
export async function deleteSymKey(
  http: HttpClient,
  jwt: JwtInput,
  keyId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("DELETE", `/keys/sym_key/${pathSegment(keyId, "the key id")}`, undefined, jwt, options);
}
