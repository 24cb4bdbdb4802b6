/**
 * App options (api.md §2.3), group/file options (§2.4) and the server configuration file.
 */
import { readFileSync } from "node:fs";

/** Every `AppOptions` field of sentc, in sentc's order. 0 = blocked, 1 = public or secret token, 2 = secret token only. */
export const APP_OPTION_NAMES = [
  "group_create",
  "group_get",
  "group_user_keys",
  "group_user_update_check",
  "group_invite",
  "group_auto_invite",
  "group_accept_invite",
  "group_reject_invite",
  "group_join_req",
  "group_accept_join_req",
  "group_reject_join_req",
  "group_key_rotation",
  "group_user_delete",
  "group_delete",
  "group_leave",
  "group_change_rank",
  "group_list",
  "group_invite_stop",
  "user_exists",
  "user_register",
  "user_delete",
  "user_update",
  "user_change_password",
  "user_reset_password",
  "user_prepare_login",
  "user_done_login",
  "user_public_data",
  "user_jwt_refresh",
  "user_device_register",
  "user_device_delete",
  "user_device_list",
  "user_key_update",
  "user_register_otp",
  "user_reset_otp",
  "user_disable_otp",
  "user_get_otp_recovery_keys",
  "key_register",
  "key_get",
  "file_register",
  "file_part_upload",
  "file_get",
  "file_part_download",
  "file_delete",
  "content",
  "content_small",
  "content_med",
  "content_large",
  "content_x_large",
] as const;

export type AppOptionName = (typeof APP_OPTION_NAMES)[number];
export type AppOptions = Record<AppOptionName, number>;

/** Options that need the secret token by default (sentc's `AppOptions::default()`). */
const SECRET_BY_DEFAULT: ReadonlySet<string> = new Set([
  "user_register",
  "user_delete",
  "content_small",
  "content_med",
  "content_large",
  "content_x_large",
]);

export function defaultAppOptions(preset: "default" | "lax" | "closed" = "default"): AppOptions {
  const options = {} as AppOptions;
  for (const name of APP_OPTION_NAMES) {
    options[name] = preset === "closed" ? 0 : preset === "lax" ? 1 : SECRET_BY_DEFAULT.has(name) ? 2 : 1;
  }
  return options;
}

export interface GroupOptions {
  max_key_rotation_month: number;
  min_rank_key_rotation: number;
}
export interface FileOptions {
  file_storage: -1 | 0 | 1;
  storage_url: string | null;
  auth_token: string | null;
}

export const DEFAULT_GROUP_OPTIONS: GroupOptions = { max_key_rotation_month: 100, min_rank_key_rotation: 4 };
export const DEFAULT_FILE_OPTIONS: FileOptions = { file_storage: 0, storage_url: null, auth_token: null };

/** Reads stored options by name; unknown or missing names fall back to the default (never to "allowed"). */
export function parseAppOptions(json: string): AppOptions {
  const options = defaultAppOptions();
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    return defaultAppOptions("closed");
  }
  if (typeof stored !== "object" || stored === null) return defaultAppOptions("closed");
  for (const name of APP_OPTION_NAMES) {
    const value = (stored as Record<string, unknown>)[name];
    if (value === 0 || value === 1 || value === 2) options[name] = value;
  }
  return options;
}

export interface AppConfig {
  id: string;
  identifier: string;
  public_token: string;
  secret_token: string;
  options: AppOptions;
  group_options: GroupOptions;
  file_options: FileOptions;
  disabled: boolean;
  /**
   * The device-secret proof on sensitive routes (docs/server.md "Sessions"): on by default; false lets apps
   * that still run the reference client register devices, reset passwords, change identifiers and rotate
   * user keys with a refreshed JWT alone.
   */
  require_device_proof: boolean;
  /** ES384 keys; the newest (last) signs new JWTs. Generated when empty. */
  jwt_keys: Array<{ id: string; sign_key: string; verify_key: string }>;
}

export interface LoginLimitConfig {
  /** Failed login attempts per identifier allowed within the window; 0 turns the limit off. */
  max_failures: number;
  window_seconds: number;
  /** Failed login attempts per client address within the window (any identifier); 0 turns it off. Default 100. */
  client_max_failures?: number;
  /** How long a client that logged in successfully stays exempt from its identifier's limit. Default 30. */
  known_client_days?: number;
}

export interface ServerConfig {
  apps: AppConfig[];
  login_rate_limit: LoginLimitConfig;
  /** How long a login challenge can be answered. */
  challenge_ttl_seconds: number;
  /** Idle lifetime of a refresh token: unused this long, it stops working (and so do JWTs this old at /refresh). */
  refresh_token_idle_days: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimitConfig = { max_failures: 10, window_seconds: 300 };
export const DEFAULT_CHALLENGE_TTL_SECONDS = 300;
export const DEFAULT_REFRESH_TOKEN_IDLE_DAYS = 30;

function fail(message: string): never {
  throw new Error(`config: ${message}`);
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) fail(`${what} must be a non-empty string`);
  return value;
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") fail(`${what} must be true or false`);
  return value;
}

/**
 * The device-proof switch of an app, kept beside sentc's options in the stored options JSON (default on;
 * never throws: unreadable JSON keeps it on).
 * @example parseRequireDeviceProof('{"require_device_proof":false}'); // false
 */
export function parseRequireDeviceProof(json: string): boolean {
  try {
    const stored = JSON.parse(json) as Record<string, unknown> | null;
    return !(typeof stored === "object" && stored !== null && stored.require_device_proof === false);
  } catch {
    return true;
  }
}

function int(value: unknown, what: string, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) fail(`${what} must be an integer ≥ ${min}`);
  return value as number;
}

/** Validates a parsed config object (see docs/server.md for the format). */
export function parseServerConfig(raw: unknown): ServerConfig {
  if (typeof raw !== "object" || raw === null) fail("expected a JSON object");
  const root = raw as Record<string, unknown>;
  const appsRaw = root.apps ?? [];
  if (!Array.isArray(appsRaw)) fail("apps must be an array");
  const apps = appsRaw.map((entry: unknown, i): AppConfig => {
    if (typeof entry !== "object" || entry === null) fail(`apps[${i}] must be an object`);
    const a = entry as Record<string, unknown>;
    let options: AppOptions;
    if (a.options === undefined || typeof a.options === "string") {
      const preset = (a.options ?? "default") as string;
      if (!["default", "lax", "closed"].includes(preset)) fail(`apps[${i}].options: unknown preset "${preset}"`);
      options = defaultAppOptions(preset as "default");
    } else if (typeof a.options === "object" && a.options !== null) {
      options = defaultAppOptions();
      for (const [name, value] of Object.entries(a.options)) {
        if (!(APP_OPTION_NAMES as readonly string[]).includes(name))
          fail(`apps[${i}].options: unknown option "${name}"`);
        if (value !== 0 && value !== 1 && value !== 2) fail(`apps[${i}].options.${name} must be 0, 1 or 2`);
        options[name as AppOptionName] = value;
      }
    } else fail(`apps[${i}].options must be an object or a preset name`);
    const g = (a.group_options ?? {}) as Record<string, unknown>;
    const f = (a.file_options ?? {}) as Record<string, unknown>;
    const storage = f.file_storage ?? DEFAULT_FILE_OPTIONS.file_storage;
    if (storage !== -1 && storage !== 0 && storage !== 1)
      fail(`apps[${i}].file_options.file_storage must be -1, 0 or 1`);
    const jwtKeys = (a.jwt_keys ?? []) as unknown;
    if (!Array.isArray(jwtKeys)) fail(`apps[${i}].jwt_keys must be an array`);
    return {
      id: str(a.id, `apps[${i}].id`),
      identifier: typeof a.identifier === "string" ? a.identifier : "",
      public_token: str(a.public_token, `apps[${i}].public_token`),
      secret_token: str(a.secret_token, `apps[${i}].secret_token`),
      options,
      group_options: {
        max_key_rotation_month: int(
          g.max_key_rotation_month ?? DEFAULT_GROUP_OPTIONS.max_key_rotation_month,
          "max_key_rotation_month",
          0,
        ),
        min_rank_key_rotation: int(
          g.min_rank_key_rotation ?? DEFAULT_GROUP_OPTIONS.min_rank_key_rotation,
          "min_rank_key_rotation",
          0,
        ),
      },
      file_options: {
        file_storage: storage,
        storage_url: typeof f.storage_url === "string" ? f.storage_url : null,
        auth_token: typeof f.auth_token === "string" ? f.auth_token : null,
      },
      disabled: a.disabled === true,
      require_device_proof:
        a.require_device_proof === undefined ? true : bool(a.require_device_proof, `apps[${i}].require_device_proof`),
      jwt_keys: jwtKeys.map((k: unknown, j) => {
        const key = (k ?? {}) as Record<string, unknown>;
        return {
          id: str(key.id, `apps[${i}].jwt_keys[${j}].id`),
          sign_key: str(key.sign_key, `apps[${i}].jwt_keys[${j}].sign_key`),
          verify_key: str(key.verify_key, `apps[${i}].jwt_keys[${j}].verify_key`),
        };
      }),
    };
  });
  const limit = (root.login_rate_limit ?? {}) as Record<string, unknown>;
  return {
    apps,
    login_rate_limit: {
      max_failures: int(limit.max_failures ?? DEFAULT_LOGIN_LIMIT.max_failures, "login_rate_limit.max_failures", 0),
      window_seconds: int(
        limit.window_seconds ?? DEFAULT_LOGIN_LIMIT.window_seconds,
        "login_rate_limit.window_seconds",
        1,
      ),
      client_max_failures: int(limit.client_max_failures ?? 100, "login_rate_limit.client_max_failures", 0),
      known_client_days: int(limit.known_client_days ?? 30, "login_rate_limit.known_client_days", 0),
    },
    challenge_ttl_seconds: int(root.challenge_ttl_seconds ?? DEFAULT_CHALLENGE_TTL_SECONDS, "challenge_ttl_seconds", 1),
    refresh_token_idle_days: int(
      root.refresh_token_idle_days ?? DEFAULT_REFRESH_TOKEN_IDLE_DAYS,
      "refresh_token_idle_days",
      1,
    ),
  };
}

export function readServerConfig(path: string): ServerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new Error(`config: cannot read ${path}: ${(cause as Error).message}`);
  }
  return parseServerConfig(raw);
}
