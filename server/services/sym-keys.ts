/**
 * Symmetric key management (api.md §3.7; crypto.md §8): stand-alone keys wrapped by a master key (a
 * group/user key or a public key) on the client. The server stores the wrapped key with its creator and
 * hands it out by id or by master key; only the creator can delete it.
 */
import { newId } from "../crypto.js";
import { E } from "../errors.js";
import type { Cursor, SymKeyRecord } from "../store/types.js";
import type { JwtUser } from "./context.js";
import type { FilesContext } from "./files.js";

/** `GeneratedSymKeyHeadServerInput`. */
export interface SymKeyInput {
  alg: string;
  encryptedKeyString: string;
  masterKeyId: string;
}

/** `SymKeyEntity` (field order as sentc serialises it). */
export interface SymKeyEntity {
  key_id: string;
  master_key_id: string;
  encrypted_key_string: string;
  alg: string;
  time: number;
}

const entity = (k: SymKeyRecord): SymKeyEntity => ({
  key_id: k.id,
  master_key_id: k.masterKeyId,
  encrypted_key_string: k.encryptedKey,
  alg: k.masterKeyAlg,
  time: k.time,
});

/** `POST /keys/sym_key` → `{key_id}`. */
export async function registerSymKey(
  fx: FilesContext,
  appId: string,
  user: JwtUser,
  input: SymKeyInput,
): Promise<{ key_id: string }> {
  const id = newId();
  await fx.ctx.store.transaction((tx) =>
    tx.insertSymKey({
      id,
      appId,
      masterKeyId: input.masterKeyId,
      creatorId: user.userId,
      encryptedKey: input.encryptedKeyString,
      masterKeyAlg: input.alg,
      time: fx.ctx.now(),
    }),
  );
  return { key_id: id };
}

/** `DELETE /keys/sym_key/:key_id`: the creator's own key; nothing happens for other ids (as in sentc). */
export async function deleteSymKey(fx: FilesContext, appId: string, user: JwtUser, keyId: string): Promise<"Success"> {
  await fx.ctx.store.transaction((tx) => tx.deleteSymKey(appId, keyId, user.userId));
  return "Success";
}

/** `GET /keys/sym_key/:key_id` (400/400 when unknown). */
export async function getSymKey(fx: FilesContext, appId: string, keyId: string): Promise<SymKeyEntity> {
  const key = await fx.ctx.store.getSymKey(appId, keyId);
  if (!key) throw E.symKeyNotFound();
  return entity(key);
}

/** `GET /keys/sym_key/master_key/:master_key_id/:last_fetched_time/:last_key_id`: newest first, 50 a page. */
export async function listSymKeysByMasterKey(
  fx: FilesContext,
  appId: string,
  masterKeyId: string,
  cursor: Cursor,
): Promise<SymKeyEntity[]> {
  return (await fx.ctx.store.listSymKeysByMasterKey(appId, masterKeyId, cursor)).map(entity);
}
