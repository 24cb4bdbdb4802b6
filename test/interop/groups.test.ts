/**
 * Live interop, groups (classical creator/member keys K1/K2): group creation, keys for a new member and key
 * rotation, each made by one side and opened by the other, with the REAL sentc client.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import { prepareCreateGroup } from "../../src/protocol/group-create.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../../src/protocol/group-keys.js";
import { prepareKeysForNewMember } from "../../src/protocol/group-member.js";
import { decryptWithPrivateKey } from "../../src/protocol/kem.js";
import {
  encryptEphemeralKeyForMember,
  finishKeyRotation,
  prepareKeyRotation,
} from "../../src/protocol/key-rotation.js";
import * as keys from "../../src/protocol/keys.js";
import { parseUserPublicKeyData, parseUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import {
  APP_TOKEN,
  BASE_URL,
  JWT,
  loadRealSentc,
  ok,
  real,
  realErrorCode,
  withServer,
  type VectorKeys,
} from "./real-sentc.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

const { sentc, server } = loadRealSentc();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const json = (text: string) => JSON.parse(text) as Record<string, any>;

/** What sentc-api answers for a group key (GroupKeyServerOutput) made from CreateData or KeyRotationData. */
function groupKeyServerOutput(
  create: Record<string, any>,
  ids: { groupKeyId: string; keyPairId: string; userPublicKeyId: string },
) {
  const out: Record<string, unknown> = {
    encrypted_group_key: create.encrypted_group_key ?? create.encrypted_group_key_by_user,
    group_key_alg: create.group_key_alg,
    group_key_id: ids.groupKeyId,
    encrypted_private_group_key: create.encrypted_private_group_key,
    public_group_key: create.public_group_key,
    keypair_encrypt_alg: create.keypair_encrypt_alg,
    key_pair_id: ids.keyPairId,
    user_public_key_id: ids.userPublicKeyId,
    time: 1700000000001,
  };
  for (const field of ["signed_by_user_id", "signed_by_user_sign_key_id", "group_key_sig"])
    if (create[field] !== undefined) out[field] = create[field];
  return out;
}

/** The `GeneratedSymKeyHeadServerOutput` the real decrypt_sym_key_by_private_key reads, for a key wrapped to a public key. */
const symKeyInfo = (encrypted: string, masterKeyId: string, keyId: string) =>
  JSON.stringify({
    alg: ALG.aesGcm,
    encrypted_key_string: encrypted,
    master_key_id: masterKeyId,
    key_id: keyId,
    time: 0,
  });

describe.runIf(vectorsAvailable("sentc"))("groups with classical keys against the REAL client", () => {
  const { K1, K2 } = readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "group.json").keys;
  const k1Private = keys.importPrivateKey(K1.exported.private_key);
  const k1Public = keys.importPublicKey(K1.exported.public_key);
  const k1Sign = keys.importSignKey(K1.exported.sign_key);
  const k1Verify = parseUserVerifyKeyData(K1.exported.user_verify_key_data);
  const k2Verify = parseUserVerifyKeyData(K2.exported.user_verify_key_data);
  const k2Private = keys.importPrivateKey(K2.exported.private_key);
  const k2Public = parseUserPublicKeyData(K2.exported.user_public_key_data).publicKey;
  const ids = { groupKeyId: "group_key_id_interop", keyPairId: "key_pair_id_interop", userPublicKeyId: K1.ids.ecies };

  for (const signed of [false, true]) {
    const label = signed ? "signed by K1" : "unsigned";

    it(`our prepareCreateGroup (${label}) → real group_decrypt_key${signed ? " with the verify key" : ""} gives our group key, key pair, HMAC and sortable keys`, () => {
      const ours = prepareCreateGroup({
        creatorPublicKey: k1Public,
        signKey: signed ? k1Sign : null,
        starter: "starter_user",
      });
      const create = json(ours.serverInput);
      const sko = JSON.stringify(groupKeyServerOutput(create, ids));
      const decrypted = real(() =>
        sentc.group_decrypt_key(K1.exported.private_key, sko, signed ? K1.exported.user_verify_key_data : undefined),
      );
      expect(decrypted.get_group_key()).toBe(keys.exportSymKey({ ...ours.keys.groupKey, keyId: ids.groupKeyId }));
      expect(decrypted.get_private_group_key()).toBe(
        keys.exportPrivateKey({ ...ours.keys.privateKey, keyId: ids.keyPairId }),
      );
      expect(decrypted.get_public_group_key()).toBe(
        keys.exportPublicKey({ ...ours.keys.publicKey, keyId: ids.keyPairId }),
      );
      expect(decrypted.get_group_key_id()).toBe(ids.groupKeyId);
      const hmacData = {
        id: "hmac_id",
        encrypted_hmac_key: create.encrypted_hmac_key,
        encrypted_hmac_alg: create.encrypted_hmac_alg,
        encrypted_hmac_encryption_key_id: ids.groupKeyId,
        time: 0,
      };
      const sortableData = {
        id: "sortable_id",
        encrypted_sortable_key: create.encrypted_sortable_key,
        encrypted_sortable_alg: create.encrypted_sortable_alg,
        encrypted_sortable_encryption_key_id: ids.groupKeyId,
        time: 0,
      };
      expect(real(() => sentc.group_decrypt_hmac_key(decrypted.get_group_key(), JSON.stringify(hmacData)))).toBe(
        keys.exportHmacKey({ ...ours.keys.hmacKey!, keyId: "hmac_id" }),
      );
      expect(
        real(() => sentc.group_decrypt_sortable_key(decrypted.get_group_key(), JSON.stringify(sortableData))),
      ).toBe(keys.exportSortableKey({ ...ours.keys.sortableKey!, keyId: "sortable_id" }));
      if (signed) {
        expect(create.signed_by_user_id).toBe("starter_user");
        expect(create.signed_by_user_sign_key_id).toBe(K1.ids.sign);
        // The real client checks our group key signature: the wrong verify key is refused.
        expect(
          realErrorCode(() => sentc.group_decrypt_key(K1.exported.private_key, sko, K2.exported.user_verify_key_data)),
        ).toBe("client_31");
      }
      // Same field set and order as the real CreateData for the same inputs.
      const theirs = json(
        sentc.group_prepare_create_group(
          K1.exported.public_key,
          signed ? K1.exported.sign_key : undefined,
          "starter_user",
        ),
      );
      expect(Object.keys(create)).toEqual(Object.keys(theirs));
    });

    it(`real group_prepare_create_group (${label}) → our decryptGroupKey equals the real group_decrypt_key`, () => {
      const create = json(
        real(() =>
          sentc.group_prepare_create_group(
            K1.exported.public_key,
            signed ? K1.exported.sign_key : undefined,
            "starter_user",
          ),
        ),
      );
      const sko = groupKeyServerOutput(create, ids);
      const theirs = real(() => sentc.group_decrypt_key(K1.exported.private_key, JSON.stringify(sko), undefined));
      const ours = decryptGroupKey(k1Private, JSON.stringify(sko), signed ? k1Verify : null);
      expect(keys.exportSymKey(ours.groupKey)).toBe(theirs.get_group_key());
      // The real group key pair is hybrid (ECIES-ed25519_KYBER_768): we parse and re-export it unchanged.
      expect(keys.exportPrivateKey(ours.privateGroupKey)).toBe(theirs.get_private_group_key());
      expect(keys.exportPublicKey(ours.publicGroupKey)).toBe(theirs.get_public_group_key());
      expect(ours.userPublicKeyId).toBe(K1.ids.ecies);
      const hmacData = {
        id: "h",
        encrypted_hmac_key: create.encrypted_hmac_key,
        encrypted_hmac_alg: create.encrypted_hmac_alg,
        encrypted_hmac_encryption_key_id: ids.groupKeyId,
        time: 0,
      };
      expect(keys.exportHmacKey(decryptHmacKey(ours.groupKey, hmacData))).toBe(
        sentc.group_decrypt_hmac_key(theirs.get_group_key(), JSON.stringify(hmacData)),
      );
      const sortableData = {
        id: "s",
        encrypted_sortable_key: create.encrypted_sortable_key,
        encrypted_sortable_alg: create.encrypted_sortable_alg,
        encrypted_sortable_encryption_key_id: ids.groupKeyId,
        time: 0,
      };
      expect(keys.exportSortableKey(decryptSortableKey(ours.groupKey, sortableData))).toBe(
        sentc.group_decrypt_sortable_key(theirs.get_group_key(), JSON.stringify(sortableData)),
      );
      if (signed) {
        expect(ours.signedByUserId).toBe("starter_user");
        expect(ours.signedByUserSignKeyId).toBe(K1.ids.sign);
        // The real group key signature verifies for us, and the wrong verify key is refused.
        expect(codeOf(() => decryptGroupKey(k1Private, JSON.stringify(sko), k2Verify))).toBe("verification_failed");
      }
    });
  }

  it("real group_prepare_keys_for_new_member → our member (K2) decrypts every group key; ours → real decrypt_sym_key_by_private_key", () => {
    const groupKeys = [
      K1.exported.sym_key,
      K2.exported.sym_key,
      keys.exportSymKey({ alg: ALG.aesGcm, key: randomBytes(32), keyId: "random_key" }),
    ];
    const groupKeysJson = JSON.stringify(groupKeys.map((k) => JSON.parse(k)));
    const theirs = json(
      real(() => sentc.group_prepare_keys_for_new_member(K2.exported.user_public_key_data, groupKeysJson, 3, 3, 1)),
    );
    expect(theirs.keys).toHaveLength(3);
    theirs.keys.forEach((entry: Record<string, string>, i: number) => {
      const raw = decryptWithPrivateKey(k2Private, fromBase64(entry.encrypted_group_key!));
      expect(keys.exportSymKey(keys.symKeyFromRaw(entry.alg!, raw, entry.key_id!))).toBe(groupKeys[i]);
      expect(entry.user_public_key_id).toBe(K2.ids.ecies);
    });

    const mine = json(prepareKeysForNewMember(k2Public, groupKeys.map(keys.importSymKey), 3, 3, 1));
    expect({ ...mine, keys: [] }).toEqual({ ...theirs, keys: [] });
    mine.keys.forEach((entry: Record<string, string>, i: number) => {
      expect({ ...entry, encrypted_group_key: "" }).toEqual({ ...theirs.keys[i], encrypted_group_key: "" });
      expect(
        real(() =>
          sentc.decrypt_sym_key_by_private_key(
            K2.exported.private_key,
            symKeyInfo(entry.encrypted_group_key!, entry.user_public_key_id!, entry.key_id!),
          ),
        ),
      ).toBe(groupKeys[i]);
    });
    // key sessions start at the same count; only admins may add members on both sides
    expect(
      json(prepareKeysForNewMember(k2Public, [keys.importSymKey(K1.exported.sym_key)], 51, null, 0)).key_session,
    ).toBe(
      json(
        sentc.group_prepare_keys_for_new_member(
          K2.exported.user_public_key_data,
          JSON.stringify([JSON.parse(K1.exported.sym_key)]),
          51,
          undefined,
          0,
        ),
      ).key_session,
    );
    expect(
      realErrorCode(() =>
        sentc.group_prepare_keys_for_new_member(K2.exported.user_public_key_data, groupKeysJson, 3, 3, 3),
      ),
    ).toBe("client_201");
    expect(codeOf(() => prepareKeysForNewMember(k2Public, groupKeys.map(keys.importSymKey), 3, 3, 3))).toBe(
      "permission_denied",
    );
  });

  it("key rotation, real invoker: real group_prepare_key_rotation → our server step + our finishKeyRotation (member K2) → the new key the real invoker holds", async () => {
    const rotation = json(
      real(() =>
        sentc.group_prepare_key_rotation(
          K1.exported.sym_key,
          K1.exported.public_key,
          K1.exported.sign_key,
          "starter_user",
        ),
      ),
    );
    const serverOutput = {
      error: null,
      encrypted_ephemeral_key_by_group_key_and_public_key: encryptEphemeralKeyForMember(
        k2Public,
        rotation.encrypted_ephemeral_key,
      ),
      encrypted_group_key_by_ephemeral: rotation.encrypted_group_key_by_ephemeral,
      ephemeral_alg: rotation.ephemeral_alg,
      encrypted_eph_key_key_id: K2.ids.ecies,
      previous_group_key_id: K1.ids.sym,
      time: 1700000000002,
      new_group_key_id: "new_group_key_id",
    };
    const ours = finishKeyRotation(
      JSON.stringify(serverOutput),
      keys.importSymKey(K1.exported.sym_key),
      k2Public,
      k2Private,
    );
    // The invoker's copy of the new key, opened by the real client.
    const invokerKey = real(() =>
      sentc.decrypt_sym_key_by_private_key(
        K1.exported.private_key,
        symKeyInfo(rotation.encrypted_group_key_by_user, K1.ids.ecies, "new_group_key_id"),
      ),
    );
    expect(keys.exportSymKey(ours.newGroupKey)).toBe(invokerKey);
    // Our DoneKeyRotationData: the new key encrypted to K2, which the real client opens.
    const done = json(ours.serverInput);
    expect(done.public_key_id).toBe(K2.ids.ecies);
    expect(done.encrypted_alg).toBe(ALG.ecies);
    expect(
      real(() =>
        sentc.decrypt_sym_key_by_private_key(
          K2.exported.private_key,
          symKeyInfo(done.encrypted_new_group_key, K2.ids.ecies, "new_group_key_id"),
        ),
      ),
    ).toBe(invokerKey);

    // The real member on the same server output sends the same DoneKeyRotationData fields and key.
    const { requests } = await withServer(server, [() => ok("ok")], () =>
      sentc.group_finish_key_rotation(
        BASE_URL,
        APP_TOKEN,
        JWT,
        "group_id_1",
        JSON.stringify(serverOutput),
        K1.exported.sym_key,
        K2.exported.public_key,
        K2.exported.private_key,
        undefined,
      ),
    );
    expect(`${requests[0]!.method} ${requests[0]!.path}`).toBe(
      "PUT /api/v1/group/group_id_1/key_rotation/new_group_key_id",
    );
    const realDone = json(requests[0]!.body);
    expect(Object.keys(done)).toEqual(Object.keys(realDone));
    expect({ ...done, encrypted_new_group_key: "" }).toEqual({ ...realDone, encrypted_new_group_key: "" });
    expect(b64(decryptWithPrivateKey(k2Private, fromBase64(realDone.encrypted_new_group_key)))).toBe(
      b64(ours.newGroupKey.key),
    );

    // The real new group key data (signed by K1) opens with our decryptGroupKey and the verify key.
    const sko = groupKeyServerOutput(rotation, {
      groupKeyId: "new_group_key_id",
      keyPairId: "new_pair",
      userPublicKeyId: K1.ids.ecies,
    });
    expect(decryptGroupKey(k1Private, JSON.stringify(sko), k1Verify).groupKey).toEqual(ours.newGroupKey);
  });

  it("key rotation, our invoker: our prepareKeyRotation → server step → the REAL group_finish_key_rotation (via the fake server) recovers our new key", async () => {
    const previous = keys.importSymKey(K1.exported.sym_key);
    const ours = prepareKeyRotation({
      previousGroupKey: previous,
      invokerPublicKey: k1Public,
      signKey: k1Sign,
      starter: "starter_user",
    });
    const rotation = json(ours.serverInput);
    expect(Object.keys(rotation)).toEqual(
      Object.keys(
        json(sentc.group_prepare_key_rotation(K1.exported.sym_key, K1.exported.public_key, K1.exported.sign_key, "s")),
      ),
    );
    // sentc-api's worker: the still-wrapped ephemeral key encrypted to the member's public key, no head.
    const forK2 = b64(
      real(() =>
        sentc.encrypt_raw_asymmetric(
          K2.exported.user_public_key_data,
          fromBase64(rotation.encrypted_ephemeral_key),
          undefined,
        ),
      ).get_data(),
    );
    const serverOutput = JSON.stringify({
      error: null,
      encrypted_ephemeral_key_by_group_key_and_public_key: forK2,
      encrypted_group_key_by_ephemeral: rotation.encrypted_group_key_by_ephemeral,
      ephemeral_alg: rotation.ephemeral_alg,
      encrypted_eph_key_key_id: K2.ids.ecies,
      previous_group_key_id: rotation.previous_group_key_id,
      time: 1700000000003,
      new_group_key_id: "our_new_group_key",
    });
    const input = real(() => sentc.group_get_done_key_rotation_server_input(serverOutput));
    expect(input.get_previous_group_key_id()).toBe(K1.ids.sym);
    expect(input.get_ephemeral_alg()).toBe(ALG.aesGcm);

    const { requests } = await withServer(server, [() => ok("ok")], () =>
      sentc.group_finish_key_rotation(
        BASE_URL,
        APP_TOKEN,
        JWT,
        "group_id_2",
        serverOutput,
        K1.exported.sym_key,
        K2.exported.public_key,
        K2.exported.private_key,
        undefined,
      ),
    );
    const done = json(requests[0]!.body);
    expect(requests[0]!.path).toBe("/api/v1/group/group_id_2/key_rotation/our_new_group_key");
    expect(b64(decryptWithPrivateKey(k2Private, fromBase64(done.encrypted_new_group_key)))).toBe(
      b64(ours.keys.groupKey.key),
    );

    // The invoker's own copy and the new key pair open with the real group_decrypt_key, our signature verifying.
    const sko = JSON.stringify(
      groupKeyServerOutput(rotation, {
        groupKeyId: "our_new_group_key",
        keyPairId: "our_new_pair",
        userPublicKeyId: K1.ids.ecies,
      }),
    );
    const theirs = real(() => sentc.group_decrypt_key(K1.exported.private_key, sko, K1.exported.user_verify_key_data));
    expect(theirs.get_group_key()).toBe(keys.exportSymKey({ ...ours.keys.groupKey, keyId: "our_new_group_key" }));
    expect(theirs.get_private_group_key()).toBe(
      keys.exportPrivateKey({ ...ours.keys.privateKey, keyId: "our_new_pair" }),
    );
    // A member with the wrong previous group key fails on both sides.
    await expect(
      withServer(server, [], () =>
        sentc.group_finish_key_rotation(
          BASE_URL,
          APP_TOKEN,
          JWT,
          "g",
          serverOutput,
          K2.exported.sym_key,
          K2.exported.public_key,
          K2.exported.private_key,
          undefined,
        ),
      ),
    ).rejects.toThrow(/client_14/);
    expect(
      codeOf(() => finishKeyRotation(serverOutput, keys.importSymKey(K2.exported.sym_key), k2Public, k2Private)),
    ).toBe("decryption_failed");
  });
});
