/**
 * Reading `GroupServerData` (spec crypto.md §7.2, `group_extract_group_data`; api.md §3.0): the group's ids,
 * its keys (each re-serialized as the `GroupKeyServerOutput` JSON that `decryptGroupKey` takes), HMAC and
 * sortable key data, the member's rank and how the member has access.
 */
import { invalidFormat } from "../errors.js";
import { isRecord, numberField, optionalStringField, readObject, stringField } from "./json.js";

/** `GroupKeyServerOutput` fields in sentc's declaration order; the optional ones are omitted when absent. */
const GROUP_KEY_FIELDS = [
  ["encrypted_group_key", "string"],
  ["group_key_alg", "string"],
  ["group_key_id", "string"],
  ["encrypted_private_group_key", "string"],
  ["public_group_key", "string"],
  ["keypair_encrypt_alg", "string"],
  ["key_pair_id", "string"],
  ["user_public_key_id", "string"],
  ["time", "number"],
] as const;
const OPTIONAL_GROUP_KEY_FIELDS = [
  "signed_by_user_id",
  "signed_by_user_sign_key_id",
  "group_key_sig",
  "encrypted_sign_key",
  "verify_key",
  "keypair_sign_alg",
  "keypair_sign_id",
  "public_key_sig",
  "public_key_sig_key_id",
] as const;

export type GroupAccess =
  | { kind: "user" }
  | { kind: "parent"; parent: string }
  | { kind: "group_as_user"; groupAsUser: string }
  | { kind: "group_as_user_as_parent"; parent: string; groupAsUser: string };

export interface GroupKeyEntry {
  /** The id of the member's key pair that the group key is encrypted to. */
  privateKeyId: string;
  /** The key as `GroupKeyServerOutput` JSON, ready for `decryptGroupKey`. */
  keyData: string;
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
}

export interface GroupData {
  groupId: string;
  parentGroupId: string | null;
  keys: GroupKeyEntry[];
  hmacKeys: Record<string, unknown>[];
  sortableKeys: Record<string, unknown>[];
  keyUpdate: boolean;
  rank: number;
  createdTime: number;
  joinedTime: number;
  accessBy: GroupAccess;
  isConnectedGroup: boolean;
}

/** Validates one `GroupKeyServerOutput` and writes it back in sentc's field order. */
export function serializeGroupKeyServerOutput(key: Record<string, unknown>): string {
  const what = "group key";
  const out: Record<string, unknown> = {};
  for (const [field, type] of GROUP_KEY_FIELDS) {
    out[field] = type === "number" ? numberField(key, field, what) : stringField(key, field, what);
  }
  for (const field of OPTIONAL_GROUP_KEY_FIELDS) {
    const value = optionalStringField(key, field, what);
    if (value !== null) out[field] = value;
  }
  return JSON.stringify(out);
}

function readAccess(value: unknown): GroupAccess {
  if (value === "User") return { kind: "user" };
  if (isRecord(value)) {
    if (typeof value.Parent === "string") return { kind: "parent", parent: value.Parent };
    if (typeof value.GroupAsUser === "string") return { kind: "group_as_user", groupAsUser: value.GroupAsUser };
    const both = value.GroupAsUserAsParent;
    if (isRecord(both) && typeof both.parent === "string" && typeof both.group_as_user === "string") {
      return { kind: "group_as_user_as_parent", parent: both.parent, groupAsUser: both.group_as_user };
    }
  }
  throw invalidFormat("group data: unknown access_by");
}

function objectArray(data: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const value = data[field];
  if (!Array.isArray(value) || !value.every(isRecord))
    throw invalidFormat(`group data: "${field}" must be an array of objects`);
  return value;
}

export function extractGroupData(serverOutput: string | Record<string, unknown>): GroupData {
  const what = "group data";
  const data = readObject(serverOutput, what);
  if (typeof data.key_update !== "boolean" || typeof data.is_connected_group !== "boolean") {
    throw invalidFormat(`${what}: key_update and is_connected_group must be booleans`);
  }
  return {
    groupId: stringField(data, "group_id", what),
    parentGroupId: optionalStringField(data, "parent_group_id", what),
    keys: objectArray(data, "keys").map((key) => ({
      privateKeyId: stringField(key, "user_public_key_id", what),
      keyData: serializeGroupKeyServerOutput(key),
      signedByUserId: optionalStringField(key, "signed_by_user_id", what),
      signedByUserSignKeyId: optionalStringField(key, "signed_by_user_sign_key_id", what),
    })),
    hmacKeys: objectArray(data, "hmac_keys"),
    sortableKeys: objectArray(data, "sortable_keys"),
    keyUpdate: data.key_update,
    rank: numberField(data, "rank", what),
    createdTime: numberField(data, "created_time", what),
    joinedTime: numberField(data, "joined_time", what),
    accessBy: readAccess(data.access_by),
    isConnectedGroup: data.is_connected_group,
  };
}
