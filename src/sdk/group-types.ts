/**
 * The Group half's public data shapes, named and laid out as in the reference JS SDK (sdk.md §3.1) so existing
 * code keeps compiling. Keys are held as sentc's exported key strings (JSON), like the reference.
 */

/** One decrypted group key. */
export interface GroupKey {
  private_group_key: string;
  public_group_key: string;
  /** `UserPublicKeyData` JSON of the group's public key (to encrypt keys for this group as a member). */
  exported_public_key: string;
  group_key: string;
  time: string;
  group_key_id: string;
}

/**
 * A group's decrypted keys and this member's view of it (`group.data`, sdk.md §3.1).
 */
export interface GroupData {
  group_id: string;
  parent_group_id?: string;
  /** Loaded through `getChildGroup` (from the parent). */
  from_parent: boolean;
  rank: number;
  key_update: boolean;
  create_time: string;
  joined_time: string;
  /** Index 0 is the newest; keys fetched later are appended. */
  keys: GroupKey[];
  /** group_key_id → index in `keys`. */
  key_map: Map<string, number>;
  newest_key_id: string;
  /** The ancestor through which the member has access (keys are the direct parent's). */
  access_by_parent_group: string | undefined;
  /** The connected group the user acts as (`x-sentc-group-access-id`). */
  access_by_group_as_member?: string;
  is_connected_group: boolean;
  /** Exported HMAC keys, newest first. */
  hmac_keys: string[];
  /** Exported sortable (OPE) keys, newest first. */
  sortable_keys: string[];
  /** When `update_check` last ran (ms). */
  last_check_time: number;
}

/** `user_type`: 0 user, 1 group from the parent group, 2 group as member. */
export interface GroupUserListItem {
  user_id: string;
  rank: number;
  joined_time: number;
  user_type: number;
}

/** `user_type`: 0 user, 2 group. */
export interface GroupJoinReqListItem {
  user_id: string;
  time: number;
  user_type: number;
}

/**
 * A direct child group, as `group.getChildren` lists them.
 */
export interface GroupChildrenListItem {
  group_id: string;
  time: number;
  parent?: string;
}

/** A group the user (or a group) is a member of. */
export interface GroupList {
  group_id: string;
  time: number;
  joined_time: number;
  rank: number;
  parent?: string;
}

/** A pending key rotation for this member (`GroupKeyUpdate` as the reference names its parts). */
export interface GroupKeyRotationOut {
  pre_group_key_id: string;
  server_output: string;
  new_group_key_id: string;
  encrypted_eph_key_key_id: string;
}

/** `verify` of `getGroup`: 0 no check, 1 check signed keys (verify key fetch errors ignored), 2 check and throw on every fetch error. */
export type GroupVerify = 0 | 1 | 2;

/** A group key as `fetchKeys` reads it from the server (the reference's `GroupOutDataKeys`) for `decryptKey`. */
export interface GroupOutDataKeys {
  /** The id of the key pair the group key is encrypted to (the user's, the parent's or the connected group's). */
  private_key_id: string;
  /** The key's `GroupKeyServerOutput` JSON. */
  key_data: string;
  signed_by_user_id?: string;
  signed_by_user_sign_key_id?: string;
}

/** An encrypted HMAC key (the reference's `GroupOutDataHmacKeys`): the id of the group key wrapping it and its data. */
export interface GroupOutDataHmacKeys {
  group_key_id: string;
  /** The `GroupHmacData` JSON (or object). */
  key_data: string | Record<string, unknown>;
}

/** An encrypted sortable key (the reference's `GroupOutDataSortableKeys`). */
export interface GroupOutDataSortableKeys {
  group_key_id: string;
  /** The `GroupSortableData` JSON (or object). */
  key_data: string | Record<string, unknown>;
}
