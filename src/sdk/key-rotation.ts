/**
 * Finishing the key rotations someone else started, for users (another device rotated the user keys, sdk.md §2.3)
 * and groups (another member rotated the group keys, §3.3): the same loop over `GET …/rotation` behind a narrow
 * interface, so `User` and `Group` only say where their entries, keys and routes are.
 */
import { invalidServerResponse } from "../errors.js";
import type { JsonObject } from "../api/endpoints/result.js";
import { finishKeyRotation as protocolFinishKeyRotation } from "../protocol/key-rotation.js";
import { importSymKey, type PrivateKey, type PublicKey } from "../protocol/keys.js";
import { wipeKey } from "./internal.js";

/** How often the pending rotations are gone over (a rotation may need the key of another one). */
export const KEY_ROTATION_ROUNDS = 10;

/** What the rotation loop needs from the user or group whose rotations it finishes. */
export interface KeyRotationParty {
  /** The route the pending entries come from, for the error on a malformed entry (e.g. `GET /user/user_keys/rotation`). */
  readonly pendingRoute: string;
  /** Whether an entry must name the key its ephemeral key is encrypted to (`encrypted_eph_key_key_id`). */
  readonly needsEphKeyId: boolean;
  /** The pending rotations (`GET …/key_rotation`). */
  fetchPending(): Promise<JsonObject[]>;
  /** The exported previous key: held, else fetched; `undefined` while this party has no copy yet. */
  previousKey(keyId: string): Promise<string | undefined>;
  /** The private key the ephemeral key is encrypted to (a fresh copy: it is wiped after use). */
  privateKey(ephKeyId: string): Promise<PrivateKey>;
  /** The public key the new key is encrypted to for this party. */
  publicKey(): PublicKey;
  /** Sends the finished rotation for the new key (`PUT …/key_rotation/<new key id>`). */
  finishOne(newKeyId: string, serverInput: string): Promise<void>;
  /** Fetches, decrypts and keeps the new key once the server has this party's copy. */
  fetchNewKey(newKeyId: string): Promise<void>;
}

/** How a run ended: rotations still pending (their previous key is missing), and whether a new key was taken. */
export interface KeyRotationOutcome {
  pending: number;
  changed: boolean;
}

/**
 * Finishes every pending rotation whose previous key this party has, over up to `KEY_ROTATION_ROUNDS` rounds (a
 * rotation may wait for the new key of another one).
 * @throws SentcError `invalid_server_response` for an entry without its key ids, and whatever the party's calls throw
 * @example
 * const { pending } = await finishPendingKeyRotations(party);
 */
export async function finishPendingKeyRotations(party: KeyRotationParty): Promise<KeyRotationOutcome> {
  let pending = await party.fetchPending();
  let changed = false;
  for (let round = 0; round < KEY_ROTATION_ROUNDS && pending.length > 0; round++) {
    const left: JsonObject[] = [];
    for (const entry of pending) {
      const previousId = entry.previous_group_key_id;
      const newId = entry.new_group_key_id;
      const ephKeyId = entry.encrypted_eph_key_key_id;
      if (
        typeof previousId !== "string" ||
        typeof newId !== "string" ||
        (party.needsEphKeyId && typeof ephKeyId !== "string")
      ) {
        throw invalidServerResponse(`${party.pendingRoute}: missing key ids`);
      }
      const previous = await party.previousKey(previousId);
      if (previous === undefined) {
        left.push(entry);
        continue;
      }
      const previousKey = importSymKey(previous);
      const privateKey = await party.privateKey(typeof ephKeyId === "string" ? ephKeyId : "");
      try {
        const { newGroupKey, serverInput } = protocolFinishKeyRotation(
          entry,
          previousKey,
          party.publicKey(),
          privateKey,
        );
        newGroupKey.key.fill(0);
        await party.finishOne(newId, serverInput);
      } finally {
        wipeKey(previousKey);
        wipeKey(privateKey);
      }
      await party.fetchNewKey(newId);
      changed = true;
    }
    if (left.length === pending.length) break;
    pending = left;
  }
  return { pending: pending.length, changed };
}

/**
 * One run at a time: calls while a run is under way share it (concurrent decrypts that miss a key, or an app's
 * `finishKeyRotation()` during the automatic one).
 */
export class SharedRun {
  #running: Promise<void> | null = null;

  /**
   * The run under way, else a new one of `start`.
   * @throws whatever `start` rejects with (to every caller that shares the run)
   * @example
   * return this.#rotations.run(() => this.#finish());
   */
  run(start: () => Promise<void>): Promise<void> {
    if (this.#running === null) {
      this.#running = start().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }
}
