import { beforeAll, describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { eciesDecrypt } from "../../src/protocol/ecies.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import { prepareCreateGroup } from "../../src/protocol/group-create.js";
import { extractGroupData } from "../../src/protocol/group-data.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../../src/protocol/group-keys.js";
import { prepareKeysForNewMember } from "../../src/protocol/group-member.js";
import {
  encryptEphemeralKeyForMember,
  finishKeyRotation,
  prepareKeyRotation,
} from "../../src/protocol/key-rotation.js";
import * as keys from "../../src/protocol/keys.js";
import { parseUserPublicKeyData, parseUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import {
  decryptSymKeyByMasterKey,
  decryptSymKeyByPrivateKey,
  generateSymKeyWrappedByMasterKey,
  generateSymKeyWrappedByPublicKey,
} from "../../src/protocol/sym-key-wrap.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

/** What the server stores and hands back for a created group (the fields GroupKeyServerOutput adds). */
function serverKeyOutput(createData: string, ids: { groupKeyId: string; keyPairId: string; userPublicKeyId: string }) {
  const data = JSON.parse(createData);
  return {
    encrypted_group_key: data.encrypted_group_key,
    group_key_alg: data.group_key_alg,
    group_key_id: ids.groupKeyId,
    encrypted_private_group_key: data.encrypted_private_group_key,
    public_group_key: data.public_group_key,
    keypair_encrypt_alg: data.keypair_encrypt_alg,
    key_pair_id: ids.keyPairId,
    user_public_key_id: ids.userPublicKeyId,
    time: 0,
    ...(data.group_key_sig
      ? {
          signed_by_user_id: data.signed_by_user_id,
          signed_by_user_sign_key_id: data.signed_by_user_sign_key_id,
          group_key_sig: data.group_key_sig,
        }
      : {}),
  };
}

describe.runIf(vectorsAvailable("sentc"))("groups made by the real sentc_wasm (group.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "group.json");
  const k1 = file.keys.K1.exported;

  it("decrypts both real groups, their HMAC and sortable keys, and checks the group key signature", () => {
    expect(file.vectors).toHaveLength(2);
    for (const vector of file.vectors) {
      const privateKey = keys.importPrivateKey(vector.creator_private_key);
      const verifyKey = parseUserVerifyKeyData(k1.user_verify_key_data);
      const data = decryptGroupKey(privateKey, vector.group_key_server_output_json, verifyKey);
      const expected = vector.group_decrypt_key_output;
      expect(keys.exportSymKey(data.groupKey)).toBe(expected.group_key);
      expect(keys.exportPrivateKey(data.privateGroupKey)).toBe(expected.private_group_key);
      expect(data.publicGroupKey.alg).toBe(ALG.eciesKyberHybrid);
      expect(decryptHmacKey(data.groupKey, vector.hmac.group_hmac_data)).toEqual(
        keys.importHmacKey(vector.hmac.group_decrypt_hmac_key_output),
      );
      expect(decryptSortableKey(data.groupKey, vector.sortable.group_sortable_data)).toEqual(
        keys.importSortableKey(vector.sortable.group_decrypt_sortable_key_output),
      );
    }
    const signed = file.vectors[1];
    expect(signed.decrypt_with_wrong_verify_key_real.ok).toBe(false);
    const wrongVerifyKey = parseUserVerifyKeyData(file.keys.K2.exported.user_verify_key_data);
    expect(
      codeOf(() =>
        decryptGroupKey(
          keys.importPrivateKey(signed.creator_private_key),
          signed.group_key_server_output_json,
          wrongVerifyKey,
        ),
      ),
    ).toBe("verification_failed");
  });

  it("keys for a new member: the real output opens with the member's key; ours has the same shape and opens too", () => {
    const vector = file.keys_for_new_member;
    const member = parseUserPublicKeyData(file.keys.K2.exported.user_public_key_data).publicKey;
    const memberPrivate = keys.importPrivateKey(file.keys.K2.exported.private_key);
    const groupKeys = (JSON.parse(vector.group_keys_input) as unknown[]).map((k) =>
      keys.importSymKey(JSON.stringify(k)),
    );
    const ours = JSON.parse(prepareKeysForNewMember(member, groupKeys, 2, 3, 1));
    const real = JSON.parse(vector.output_json);
    for (const output of [real, ours]) {
      expect(output.rank).toBe(3);
      expect(output.key_session).toBe(false);
      output.keys.forEach((entry: Record<string, string>, i: number) => {
        expect({ ...entry, encrypted_group_key: "" }).toEqual({ ...real.keys[i], encrypted_group_key: "" });
        const raw = eciesDecrypt((memberPrivate as keys.SingleKey<string>).key, fromBase64(entry.encrypted_group_key!));
        expect(keys.exportSymKey(keys.symKeyFromRaw(ALG.aesGcm, raw, entry.key_id!))).toBe(
          vector.decrypted_by_K2_private_key[i],
        );
      });
    }
    expect(JSON.parse(vector.key_count_51_output_json).key_session).toBe(true);
    expect(JSON.parse(prepareKeysForNewMember(member, groupKeys, 51, null, 0)).key_session).toBe(true);
    expect(vector.admin_rank_3_error_real.ok).toBe(false);
    expect(codeOf(() => prepareKeysForNewMember(member, groupKeys, 2, 3, 3))).toBe("permission_denied");
  });

  it("our created group (signed, and a user group) decrypts and verifies with our code", () => {
    const creator = parseUserPublicKeyData(k1.user_public_key_data).publicKey;
    const creatorPrivate = keys.importPrivateKey(k1.private_key);
    const signKey = keys.importSignKey(k1.sign_key);
    const verifyKey = parseUserVerifyKeyData(k1.user_verify_key_data);
    const created = prepareCreateGroup({ creatorPublicKey: creator, signKey, starter: "user_1", userGroup: true });
    const real = JSON.parse(file.vectors[1].create_data_json);
    const ours = JSON.parse(created.serverInput);
    expect(Object.keys(ours)).toEqual([
      ...Object.keys(real),
      "encrypted_sign_key",
      "verify_key",
      "keypair_sign_alg",
      "public_key_sig",
    ]);
    const data = decryptGroupKey(
      creatorPrivate,
      serverKeyOutput(created.serverInput, { groupKeyId: "g", keyPairId: "p", userPublicKeyId: creator.keyId }),
      verifyKey,
    );
    expect(data.groupKey.key).toEqual(created.keys.groupKey.key);
    expect(rawOf(data.privateGroupKey)).toEqual(rawOf(created.keys.privateKey));
    expect(fromBase64(ours.encrypted_group_key)).toHaveLength(92);
  });
});

describe.runIf(vectorsAvailable("sentc"))("group data (group.json group_extract_group_data)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "group.json");

  it("re-serializes every key exactly as the real package and reads the group's fields", () => {
    const real = file.group_extract_group_data;
    const serverKey = JSON.parse(real.keys[0].key_data);
    const data = extractGroupData({
      group_id: real.group_id,
      parent_group_id: null,
      keys: [{ ...serverKey }],
      hmac_keys: [],
      sortable_keys: [],
      key_update: false,
      rank: 0,
      created_time: Number(real.created_time),
      joined_time: Number(real.created_time),
      access_by: "User",
      is_connected_group: false,
    });
    expect(
      data.keys.map((k) => ({
        private_key_id: k.privateKeyId,
        key_data: k.keyData,
        signed_by_user_id: k.signedByUserId,
        signed_by_user_sign_key_id: k.signedByUserSignKeyId,
      })),
    ).toEqual(real.keys);
    expect(data.groupId).toBe(real.group_id);
    expect(String(data.createdTime)).toBe(real.created_time);
    expect(data.accessBy).toEqual({ kind: "user" });
    // Reordered input fields come out in sentc's order.
    const reordered = Object.fromEntries(Object.entries(serverKey).reverse());
    expect(
      extractGroupData({
        ...JSON.parse(
          JSON.stringify({
            group_id: "g",
            parent_group_id: "p",
            keys: [reordered],
            hmac_keys: [],
            sortable_keys: [],
            key_update: true,
            rank: 2,
            created_time: 1,
            joined_time: 2,
            access_by: { GroupAsUserAsParent: { parent: "p", group_as_user: "m" } },
            is_connected_group: true,
          }),
        ),
      }).keys[0]!.keyData,
    ).toBe(real.keys[0].key_data);
    expect(codeOf(() => extractGroupData({ group_id: "g" }))).toBe("invalid_format");
    expect(
      codeOf(() =>
        extractGroupData({
          ...JSON.parse(
            JSON.stringify({
              group_id: "g",
              parent_group_id: null,
              keys: [],
              hmac_keys: [],
              sortable_keys: [],
              key_update: false,
              rank: 0,
              created_time: 1,
              joined_time: 1,
              access_by: "Nobody",
              is_connected_group: false,
            }),
          ),
        }),
      ),
    ).toBe("invalid_format");
  });
});

const rawOf = (key: keys.PrivateKey | keys.PublicKey) => (key as keys.SingleKey<string>).key;

describe.runIf(vectorsAvailable("sentc"))("key rotation (key_rotation.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "key_rotation.json");
  const k1 = file.keys.K1.exported;
  const k2 = file.keys.K2.exported;

  it("finishes the real rotation to the same key as the real member, with the same body shape", () => {
    const finish = file.group_finish_key_rotation;
    const { newGroupKey, serverInput } = finishKeyRotation(
      file.server_side_simulated.key_rotation_input_json,
      keys.importSymKey(k1.sym_key),
      keys.importPublicKey(k2.public_key),
      keys.importPrivateKey(k2.private_key),
    );
    expect(keys.exportSymKey(newGroupKey)).toBe(finish.new_group_key_decrypted_by_member);
    const body = JSON.parse(serverInput);
    expect(Object.keys(body)).toEqual(Object.keys(finish.done_key_rotation_data));
    expect(body.public_key_id).toBe(finish.done_key_rotation_data.public_key_id);
    const reopened = eciesDecrypt(
      rawOf(keys.importPrivateKey(k2.private_key)),
      fromBase64(body.encrypted_new_group_key),
    );
    expect(reopened).toEqual(newGroupKey.key);
  });

  it("our rotation: invoker and member end with the same new key; a server error is typed", () => {
    const previous = keys.importSymKey(k1.sym_key);
    const { serverInput, keys: rotated } = prepareKeyRotation({
      previousGroupKey: previous,
      invokerPublicKey: keys.importPublicKey(k1.public_key),
      signKey: keys.importSignKey(k1.sign_key),
      starter: "starter_user_id",
    });
    const data = JSON.parse(serverInput);
    expect(Object.keys(data)).toEqual(Object.keys(JSON.parse(file.group_prepare_key_rotation.output_json)));
    const input = {
      error: null,
      encrypted_ephemeral_key_by_group_key_and_public_key: encryptEphemeralKeyForMember(
        keys.importPublicKey(k2.public_key),
        data.encrypted_ephemeral_key,
      ),
      encrypted_group_key_by_ephemeral: data.encrypted_group_key_by_ephemeral,
      ephemeral_alg: data.ephemeral_alg,
      encrypted_eph_key_key_id: previous.keyId,
      previous_group_key_id: previous.keyId,
      time: 1,
      new_group_key_id: "new_key",
    };
    const { newGroupKey } = finishKeyRotation(
      input,
      previous,
      keys.importPublicKey(k2.public_key),
      keys.importPrivateKey(k2.private_key),
    );
    expect(newGroupKey.key).toEqual(rotated.groupKey.key);
    expect(rotated.hmacKey).toBeUndefined();
    expect(
      codeOf(() =>
        finishKeyRotation(
          { ...input, error: "no key" },
          previous,
          keys.importPublicKey(k2.public_key),
          keys.importPrivateKey(k2.private_key),
        ),
      ),
    ).toBe("key_rotation_failed");
    expect(
      codeOf(() =>
        finishKeyRotation(
          input,
          keys.importSymKey(k2.sym_key),
          keys.importPublicKey(k2.public_key),
          keys.importPrivateKey(k2.private_key),
        ),
      ),
    ).toBe("decryption_failed");
  });

  it("user key rotation bodies carry the sign key fields", () => {
    const real = file.user_key_rotation.key_rotation_data;
    const ours = JSON.parse(
      prepareKeyRotation({
        previousGroupKey: keys.importSymKey(k1.sym_key),
        invokerPublicKey: keys.importPublicKey(k1.public_key),
        starter: "",
        userGroup: true,
      }).serverInput,
    );
    expect(Object.keys(ours)).toEqual(Object.keys(real));
  });
});

describe.runIf(vectorsAvailable("sentc"))("stand-alone sym keys (sym_key_generation.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "sym_key_generation.json");
  const k1 = file.keys.K1.exported;

  it("opens the real wrapped keys and wraps ours the same way", () => {
    const [byMaster, byPublic] = file.vectors;
    const master = keys.importSymKey(k1.sym_key);
    const privateKey = keys.importPrivateKey(k1.private_key);
    expect(keys.exportSymKey(decryptSymKeyByMasterKey(master, byMaster.encrypted_key))).toBe(
      byMaster.decrypt_sym_key_output,
    );
    expect(keys.exportSymKey(decryptSymKeyByPrivateKey(privateKey, byPublic.encrypted_key))).toBe(
      byPublic.decrypt_sym_key_by_private_key_output,
    );

    const ours = generateSymKeyWrappedByMasterKey(master);
    expect(Object.keys(JSON.parse(ours.encryptedKey))).toEqual(Object.keys(JSON.parse(byMaster.encrypted_key)));
    expect(ours.key.keyId).toBe("");
    expect(decryptSymKeyByMasterKey(master, ours.encryptedKey).key).toEqual(ours.key.key);
    const oursByPublic = generateSymKeyWrappedByPublicKey(parseUserPublicKeyData(k1.user_public_key_data).publicKey);
    expect(JSON.parse(oursByPublic.encryptedKey).master_key_id).toBe(JSON.parse(byPublic.encrypted_key).master_key_id);
    expect(decryptSymKeyByPrivateKey(privateKey, oursByPublic.encryptedKey).key).toEqual(oursByPublic.key.key);
  });
});
