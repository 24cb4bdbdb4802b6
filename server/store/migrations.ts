/**
 * Schema migrations, applied in order and recorded in `schema_migrations`. The SQL is kept to the common
 * subset of SQLite and PostgreSQL (TEXT ids, BIGINT millisecond times, INTEGER flags). Short tables are
 * written on one line each.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "apps, users, devices, tokens, user groups",
    statements: [
      `CREATE TABLE apps (
        id TEXT PRIMARY KEY,
        identifier TEXT NOT NULL,
        hashed_public_token TEXT NOT NULL UNIQUE,
        hashed_secret_token TEXT NOT NULL UNIQUE,
        public_token TEXT,
        options TEXT NOT NULL,
        group_options TEXT NOT NULL,
        file_options TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        time BIGINT NOT NULL
      )`,
      `CREATE TABLE app_jwt_keys (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, sign_key TEXT NOT NULL, verify_key TEXT NOT NULL, alg TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX app_jwt_keys_app ON app_jwt_keys (app_id, time)`,
      `CREATE TABLE users (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, user_group_id TEXT NOT NULL, time BIGINT NOT NULL, otp_secret TEXT, otp_alg TEXT)`,
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        user_id TEXT,
        app_id TEXT NOT NULL,
        device_identifier TEXT NOT NULL,
        client_random_value TEXT NOT NULL,
        hashed_auth_key TEXT NOT NULL,
        derived_alg TEXT NOT NULL,
        encrypted_master_key TEXT NOT NULL,
        master_key_alg TEXT NOT NULL,
        encrypted_master_key_alg TEXT NOT NULL,
        public_key TEXT NOT NULL,
        encrypted_private_key TEXT NOT NULL,
        keypair_encrypt_alg TEXT NOT NULL,
        verify_key TEXT NOT NULL,
        encrypted_sign_key TEXT NOT NULL,
        keypair_sign_alg TEXT NOT NULL,
        time BIGINT NOT NULL,
        register_token_hash TEXT,
        UNIQUE (app_id, device_identifier)
      )`,
      `CREATE INDEX devices_user ON devices (user_id, time, id)`,
      `CREATE INDEX devices_token ON devices (app_id, register_token_hash)`,
      `CREATE TABLE refresh_tokens (token_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, app_id TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id)`,
      `CREATE TABLE login_challenges (challenge_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, app_id TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX login_challenges_device ON login_challenges (device_id)`,
      `CREATE INDEX login_challenges_time ON login_challenges (time)`,
      `CREATE TABLE otp_recovery_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, token TEXT NOT NULL, token_hash TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX otp_recovery_keys_user ON otp_recovery_keys (user_id, token_hash)`,
      `CREATE TABLE groups_ (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, parent TEXT, type INTEGER NOT NULL, invite INTEGER NOT NULL, is_connected_group INTEGER NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX groups_app ON groups_ (app_id)`,
      `CREATE INDEX groups_parent ON groups_ (parent)`,
      `CREATE TABLE group_keys (
        id TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        app_id TEXT NOT NULL,
        private_key_pair_alg TEXT NOT NULL,
        encrypted_private_key TEXT NOT NULL,
        public_key TEXT NOT NULL,
        group_key_alg TEXT NOT NULL,
        encrypted_ephemeral_key TEXT,
        encrypted_group_key_by_eph_key TEXT,
        previous_group_key_id TEXT,
        ephemeral_alg TEXT,
        time BIGINT NOT NULL,
        encrypted_sign_key TEXT,
        verify_key TEXT,
        keypair_sign_alg TEXT,
        signed_by_user_id TEXT,
        signed_by_user_sign_key_id TEXT,
        group_key_sig TEXT,
        public_key_sig TEXT,
        public_key_sig_key_id TEXT
      )`,
      `CREATE INDEX group_keys_group ON group_keys (group_id, time)`,
      `CREATE TABLE group_members (user_id TEXT NOT NULL, group_id TEXT NOT NULL, time BIGINT NOT NULL, rank INTEGER NOT NULL, key_upload_session_id TEXT, type INTEGER NOT NULL, PRIMARY KEY (user_id, group_id))`,
      `CREATE INDEX group_members_group ON group_members (group_id, time)`,
      `CREATE TABLE group_member_keys (
        k_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        encrypted_group_key TEXT NOT NULL,
        encrypted_alg TEXT NOT NULL,
        encrypted_group_key_key_id TEXT NOT NULL,
        time BIGINT NOT NULL,
        PRIMARY KEY (k_id, user_id)
      )`,
      `CREATE INDEX group_member_keys_member ON group_member_keys (group_id, user_id)`,
      `CREATE TABLE group_key_rotations (key_id TEXT NOT NULL, user_id TEXT NOT NULL, group_id TEXT NOT NULL, encrypted_ephemeral_key TEXT NOT NULL, encrypted_eph_key_key_id TEXT NOT NULL, error TEXT, PRIMARY KEY (key_id, user_id))`,
      `CREATE INDEX group_key_rotations_member ON group_key_rotations (group_id, user_id)`,
      `CREATE TABLE group_hmac_keys (id TEXT PRIMARY KEY, group_id TEXT NOT NULL, app_id TEXT NOT NULL, encrypted_hmac_key TEXT NOT NULL, encrypted_hmac_alg TEXT NOT NULL, encrypted_hmac_encryption_key_id TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX group_hmac_keys_group ON group_hmac_keys (group_id, time)`,
      `CREATE TABLE group_sortable_keys (id TEXT PRIMARY KEY, group_id TEXT NOT NULL, app_id TEXT NOT NULL, encrypted_sortable_key TEXT NOT NULL, encrypted_sortable_alg TEXT NOT NULL, encrypted_sortable_encryption_key_id TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX group_sortable_keys_group ON group_sortable_keys (group_id, time)`,
      `CREATE TABLE group_invites_and_join_reqs (
        user_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        type INTEGER NOT NULL,
        time BIGINT NOT NULL,
        key_upload_session_id TEXT,
        user_type INTEGER NOT NULL,
        new_user_rank INTEGER NOT NULL,
        PRIMARY KEY (user_id, group_id)
      )`,
      `CREATE INDEX group_invites_group ON group_invites_and_join_reqs (group_id)`,
    ],
  },
  {
    version: 2,
    name: "group lists, invites and key rotation lookups",
    statements: [
      `CREATE INDEX group_members_user ON group_members (user_id, type)`,
      `CREATE INDEX group_invites_user ON group_invites_and_join_reqs (user_id, type, time)`,
      `CREATE INDEX group_invites_group_type ON group_invites_and_join_reqs (group_id, type, time)`,
      `CREATE INDEX group_key_rotations_key ON group_key_rotations (key_id)`,
    ],
  },
  {
    version: 3,
    // api.md §5: sentc_sym_key_management, sentc_file, sentc_file_part, sentc_file_session.
    name: "sym keys, files, file parts, upload sessions",
    statements: [
      `CREATE TABLE sym_keys (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, master_key_id TEXT NOT NULL, creator_id TEXT NOT NULL, encrypted_key TEXT NOT NULL, master_key_alg TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX sym_keys_master_key ON sym_keys (app_id, master_key_id, time, id)`,
      `CREATE TABLE files (
        id TEXT PRIMARY KEY,
        app_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        belongs_to TEXT,
        belongs_to_type INTEGER NOT NULL,
        encrypted_key TEXT NOT NULL,
        encrypted_key_alg TEXT NOT NULL,
        master_key_id TEXT NOT NULL,
        encrypted_file_name TEXT,
        time BIGINT NOT NULL,
        status INTEGER NOT NULL,
        delete_at BIGINT
      )`,
      `CREATE INDEX files_status ON files (status)`,
      `CREATE TABLE file_parts (id TEXT PRIMARY KEY, file_id TEXT NOT NULL, app_id TEXT NOT NULL, size BIGINT NOT NULL, sequence INTEGER NOT NULL, extern INTEGER NOT NULL, UNIQUE (file_id, sequence))`,
      `CREATE TABLE file_sessions (id TEXT PRIMARY KEY, file_id TEXT NOT NULL, app_id TEXT NOT NULL, created_at BIGINT NOT NULL, expected_size BIGINT NOT NULL, max_chunk_size BIGINT NOT NULL)`,
      `CREATE INDEX file_sessions_file ON file_sessions (file_id)`,
      `CREATE INDEX file_sessions_created ON file_sessions (created_at)`,
    ],
  },
  {
    version: 10,
    name: "session lifetimes: refresh token last use, last accepted TOTP step",
    statements: [
      `ALTER TABLE refresh_tokens ADD COLUMN last_used BIGINT`,
      `ALTER TABLE users ADD COLUMN otp_last_step BIGINT`,
    ],
  },
  {
    version: 20,
    // The monthly rotation quota is counted per member who started the rotation (docs/server.md, "Abuse limits").
    name: "who started each group key rotation",
    statements: [
      `CREATE TABLE group_key_rotation_starts (key_id TEXT PRIMARY KEY, group_id TEXT NOT NULL, started_by TEXT NOT NULL, time BIGINT NOT NULL)`,
      `CREATE INDEX group_key_rotation_starts_member ON group_key_rotation_starts (group_id, started_by, time)`,
    ],
  },
  {
    version: 21,
    // Group and user deletes mark the files of the group or user deleted.
    name: "files by owner and by group or user",
    statements: [`CREATE INDEX files_belongs_to ON files (belongs_to)`, `CREATE INDEX files_owner ON files (owner)`],
  },
  {
    version: 22,
    // User, device and group deletes remove a member's key rows and rotations by member id alone.
    name: "member key rows and rotations by member",
    statements: [
      `CREATE INDEX group_member_keys_user ON group_member_keys (user_id)`,
      `CREATE INDEX group_key_rotations_user ON group_key_rotations (user_id)`,
    ],
  },
  {
    version: 40,
    // The failed-login limit per client address and per identifier, shared by every process on one database
    // (docs/server.md, "Failed logins"). Rows are independent and pruned by time.
    name: "failed-login counters and known-good login clients",
    statements: [
      `CREATE TABLE login_failures (scope TEXT NOT NULL, app_id TEXT NOT NULL, subject TEXT NOT NULL, window_start BIGINT NOT NULL, failures INTEGER NOT NULL, PRIMARY KEY (scope, app_id, subject))`,
      `CREATE INDEX login_failures_window ON login_failures (window_start)`,
      `CREATE TABLE login_clients (app_id TEXT NOT NULL, identifier TEXT NOT NULL, client TEXT NOT NULL, time BIGINT NOT NULL, PRIMARY KEY (app_id, identifier, client))`,
      `CREATE INDEX login_clients_time ON login_clients (time)`,
    ],
  },
  {
    version: 50,
    // The key transparency log (docs/server.md "Key transparency log"): one append-only Merkle log per app. Leaves
    // and perfect-subtree node hashes are base64 (the common subset has no shared byte type); `kt_trees` holds the
    // size and is the row an append locks; `kt_heads` keeps every signed tree head.
    name: "key transparency log",
    statements: [
      `CREATE TABLE kt_trees (app_id TEXT PRIMARY KEY, tree_size BIGINT NOT NULL)`,
      `CREATE TABLE kt_leaves (
        app_id TEXT NOT NULL,
        idx BIGINT NOT NULL,
        leaf TEXT NOT NULL,
        leaf_hash TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        key_type TEXT NOT NULL,
        key_id TEXT NOT NULL,
        PRIMARY KEY (app_id, idx)
      )`,
      `CREATE INDEX kt_leaves_subject ON kt_leaves (app_id, subject_type, subject_id, idx)`,
      // A key is logged once (per key type).
      `CREATE UNIQUE INDEX kt_leaves_key ON kt_leaves (app_id, key_id, key_type)`,
      `CREATE TABLE kt_nodes (app_id TEXT NOT NULL, level INTEGER NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (app_id, level, idx))`,
      `CREATE TABLE kt_heads (app_id TEXT NOT NULL, tree_size BIGINT NOT NULL, root_hash TEXT NOT NULL, signed_at BIGINT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (app_id, tree_size))`,
      `CREATE TABLE kt_log_keys (app_id TEXT PRIMARY KEY, sign_key TEXT NOT NULL, verify_key TEXT NOT NULL, time BIGINT NOT NULL)`,
    ],
  },
  {
    version: 51,
    // A user key rotation's new verify key signed with the previous sign key (a sentc-as extra, null for keys of
    // reference clients and for every first key), answered with the verify and public key so clients that pinned
    // an earlier key can follow the rotation (docs/protocol.md "Pinned keys").
    name: "cross-signatures of rotated verify keys",
    statements: [`ALTER TABLE group_keys ADD COLUMN verify_key_cross_sig TEXT`],
  },
  {
    version: 52,
    // A group public key signed by the user who created or rotated it (a sentc-as extra, null for keys of reference
    // clients and for user groups), answered with the group's public key so outsiders that pinned the group accept
    // a new key only from its signers (docs/protocol.md "Pinned keys").
    name: "signatures of group public keys",
    statements: [
      `ALTER TABLE group_keys ADD COLUMN public_group_key_sig TEXT`,
      `ALTER TABLE group_keys ADD COLUMN public_group_key_sig_user_id TEXT`,
      `ALTER TABLE group_keys ADD COLUMN public_group_key_sig_key_id TEXT`,
    ],
  },
];
