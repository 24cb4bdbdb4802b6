import { beforeAll, describe, expect, it } from "vitest";
import { symDecrypt } from "../../src/protocol/aead.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import * as keys from "../../src/protocol/keys.js";
import { deriveKeys, generateSalt, hashAuthKey } from "../../src/protocol/password.js";
import { prepareChangePassword, prepareResetPassword } from "../../src/protocol/password-change.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, toHex, vectorsAvailable } from "../helpers/vectors.js";
import { errorCode as codeOf } from "../helpers/assert.js";

interface Argon2File {
  salt_derivation: Array<{ client_random_value_b64: string; add_str: string; salt_b64: string }>;
  vectors: Array<{
    password: string;
    salt_b64: string;
    master_key_encryption_key_b64: string;
    auth_key_b64: string;
    hashed_auth_key_b64: string;
    argon2id_64_byte_output_hex: string;
  }>;
}

beforeAll(loadReleaseCore);

describe.runIf(vectorsAvailable("sentc"))("password derivation as the real sentc_wasm does it (argon2.json)", () => {
  const file = readVectorJson<Argon2File>("sentc", "argon2.json");

  it("derives every salt, including the server's fake salt for unknown users and non-ASCII add_str", () => {
    expect(file.salt_derivation).toHaveLength(4);
    for (const c of file.salt_derivation) {
      expect(toBase64(generateSalt(fromBase64(c.client_random_value_b64), c.add_str))).toBe(c.salt_b64);
    }
  });

  it("derives the master-key encryption key, the auth key and its hash for every vector", () => {
    expect(file.vectors).toHaveLength(5);
    for (const v of file.vectors) {
      const derived = deriveKeys(v.password, fromBase64(v.salt_b64));
      expect(toHex(derived.masterKeyEncryptionKey) + toHex(derived.authKey)).toBe(v.argon2id_64_byte_output_hex);
      expect(toBase64(derived.masterKeyEncryptionKey)).toBe(v.master_key_encryption_key_b64);
      expect(toBase64(derived.authKey)).toBe(v.auth_key_b64);
      expect(toBase64(hashAuthKey(derived.authKey))).toBe(v.hashed_auth_key_b64);
    }
  });

  it("rejects a non-string password and an unknown alg with typed errors", () => {
    expect(codeOf(() => deriveKeys(undefined as unknown as string, new Uint8Array(32)))).toBe("invalid_input");
    expect(codeOf(() => deriveKeys("pw", new Uint8Array(32), "SCRYPT"))).toBe("unsupported_algorithm");
  });
});

describe.runIf(vectorsAvailable("sentc"))("password change and reset (password_change.json)", () => {
  const login = readVectorJson<Record<string, any>>("sentc", "login.json");
  const change = readVectorJson<Record<string, any>>("sentc", "password_change.json");
  const masterKeyOf = (password: string, saltB64: string, encryptedMasterKeyB64: string) =>
    symDecrypt(deriveKeys(password, fromBase64(saltB64)).masterKeyEncryptionKey, fromBase64(encryptedMasterKeyB64));

  it("the real change keeps the master key; ours does the same and proves the old password", () => {
    const oldMasterKey = masterKeyOf(
      login.password,
      login.server.salt_string,
      login.register_output.device.master_key.encrypted_master_key,
    );
    const data = change.change_password.change_password_data;
    const newSalt = toBase64(generateSalt(fromBase64(data.new_client_random_value)));
    expect(masterKeyOf(change.change_password.new_password, newSalt, data.new_encrypted_master_key)).toEqual(
      oldMasterKey,
    );

    const oldAuthKey = deriveKeys(login.password, fromBase64(login.server.salt_string)).authKey;
    expect(toBase64(oldAuthKey)).toBe(data.old_auth_key);
    const ours = JSON.parse(prepareChangePassword("another new password", oldMasterKey, oldAuthKey));
    expect(Object.keys(ours)).toEqual(Object.keys(data));
    expect(ours.old_auth_key).toBe(data.old_auth_key);
    const oursSalt = toBase64(generateSalt(fromBase64(ours.new_client_random_value)));
    expect(masterKeyOf("another new password", oursSalt, ours.new_encrypted_master_key)).toEqual(oldMasterKey);
    const newAuthKey = deriveKeys("another new password", fromBase64(oursSalt)).authKey;
    expect(toBase64(hashAuthKey(newAuthKey))).toBe(ours.new_hashed_authentication_key);
  });

  it("reset: the new master key wraps the same device keys, in the real package's field order", () => {
    const reset = change.reset_password;
    const privateKey = keys.importPrivateKey(reset.inputs.decrypted_private_key);
    const signKey = keys.importSignKey(reset.inputs.decrypted_sign_key);
    for (const [data, password] of [
      [reset.reset_password_data, "reset password"],
      [JSON.parse(prepareResetPassword("our reset password", privateKey, signKey)), "our reset password"],
    ] as const) {
      expect(Object.keys(data)).toEqual(Object.keys(reset.reset_password_data));
      const salt = toBase64(generateSalt(fromBase64(data.client_random_value)));
      const masterKey = masterKeyOf(password, salt, data.master_key.encrypted_master_key);
      expect(symDecrypt(masterKey, fromBase64(data.encrypted_private_key))).toEqual(
        (privateKey as keys.SingleKey<string>).key,
      );
      expect(symDecrypt(masterKey, fromBase64(data.encrypted_sign_key))).toEqual(
        (signKey as keys.SingleKey<string>).key,
      );
    }
  });
});
