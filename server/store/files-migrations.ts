/**
 * Tables for symmetric keys and files (api.md §5: sentc_sym_key_management, sentc_file, sentc_file_part,
 * sentc_file_session). Same SQL subset as migrations.ts. The version is given where the migration is
 * appended to `MIGRATIONS`: `{ version: N, ...FILES_MIGRATION }`.
 */
import type { Migration } from "./migrations.js";

export const FILES_MIGRATION: Omit<Migration, "version"> = {
  name: "sym keys, files, file parts, upload sessions",
  statements: [
    `CREATE TABLE sym_keys (
      id TEXT PRIMARY KEY,
      app_id TEXT NOT NULL,
      master_key_id TEXT NOT NULL,
      creator_id TEXT NOT NULL,
      encrypted_key TEXT NOT NULL,
      master_key_alg TEXT NOT NULL,
      time BIGINT NOT NULL
    )`,
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
    `CREATE TABLE file_parts (
      id TEXT PRIMARY KEY,
      file_id TEXT NOT NULL,
      app_id TEXT NOT NULL,
      size BIGINT NOT NULL,
      sequence INTEGER NOT NULL,
      extern INTEGER NOT NULL,
      UNIQUE (file_id, sequence)
    )`,
    `CREATE TABLE file_sessions (
      id TEXT PRIMARY KEY,
      file_id TEXT NOT NULL,
      app_id TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      expected_size BIGINT NOT NULL,
      max_chunk_size BIGINT NOT NULL
    )`,
    `CREATE INDEX file_sessions_file ON file_sessions (file_id)`,
    `CREATE INDEX file_sessions_created ON file_sessions (created_at)`,
  ],
};
