/**
 * App management (the admin API, the `sentc-server app …` commands and the dashboard): create, list,
 * read, rename, delete and reset apps, renew their tokens, manage their ES384 JWT keys and change their
 * options. Shapes follow sentc's customer app API (api.md §2.1 step 4–5) without customer accounts.
 * Everything works on the store directly: the HTTP layer reads the app of every request from the store
 * again, so a change is seen at once by every process on the same database.
 */
import type { SecretBox } from "../secrets.js";
import {
  APP_OPTION_NAMES,
  DEFAULT_FILE_OPTIONS,
  DEFAULT_GROUP_OPTIONS,
  defaultAppOptions,
  parseAppOptions,
  parseRequireDeviceProof,
  type AppOptionName,
  type AppOptions,
  type FileOptions,
  type GroupOptions,
} from "../config.js";
import { generateEs384KeyPair, hashAppToken, isUuid, newId, randomBase64 } from "../crypto.js";
import { ApiError } from "../errors.js";
import { StoreConflictError, type AppRecord, type JwtKeyRecord, type Store } from "../store/types.js";

/** The option presets of sentc (`AppOptions::default()`, `default_lax()`, `default_closed()`). */
export const OPTION_PRESETS = ["default", "lax", "closed"] as const;
export type OptionPreset = (typeof OPTION_PRESETS)[number];

/** Errors of the admin API: a wrong input (422/11), an unknown app or key (404/404). */
export const AdminErrors = {
  input: (detail: string) => new ApiError(422, 11, `Wrong input: ${detail}`),
  appNotFound: () => new ApiError(404, 404, "App not found"),
  jwtKeyNotFound: () => new ApiError(404, 404, "JWT key not found"),
  lastJwtKey: () => new ApiError(400, 11, "Wrong input: an app keeps at least one JWT key (add a new one first)"),
} as const;

/** An app as the admin API shows it (no token hashes, no sign keys). */
export interface AppView {
  app_id: string;
  identifier: string;
  /** The public token in clear when known (it ships in browsers); the secret token is never shown again. */
  public_token: string | null;
  disabled: boolean;
  time: number;
  options: AppOptions;
  group_options: GroupOptions;
  file_options: FileOptions;
}

/** sentc's `AppJwtRegisterOutput`. */
export interface JwtKeyOutput {
  app_id: string;
  jwt_id: string;
  jwt_verify_key: string;
  jwt_sign_key: string;
  jwt_alg: "ES384";
}

/** sentc's `AppRegisterOutput`: the only time the secret token is shown. */
export interface AppCreated {
  app_id: string;
  secret_token: string;
  public_token: string;
  jwt_data: JwtKeyOutput;
}

/** A JWT key as listed (public part only). */
export interface JwtKeyView {
  jwt_key_id: string;
  jwt_alg: string;
  time: number;
  verify_key: string;
}

/** What `createApp` takes (sentc's `AppRegisterInput`, every field optional; `options` may be a preset name). */
export interface AppCreateInput {
  identifier?: string | null;
  options?: unknown;
  group_options?: unknown;
  file_options?: unknown;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw AdminErrors.input(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function identifierOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string" || value.length > 200)
    throw AdminErrors.input("identifier must be a string of at most 200 characters");
  return value;
}

/**
 * Options from a preset name or an object of option names (`current` fills the missing ones).
 * @throws ApiError 422/11 for an unknown preset or option name, or a value other than 0, 1, 2.
 * @example parseOptionsInput({ user_register: 1 }, defaultAppOptions()).user_register; // 1
 */
export function parseOptionsInput(input: unknown, current: AppOptions): AppOptions {
  if (typeof input === "string") {
    if (!(OPTION_PRESETS as readonly string[]).includes(input))
      throw AdminErrors.input(`unknown options preset "${input}" (default, lax, closed)`);
    return defaultAppOptions(input as OptionPreset);
  }
  const options = { ...current };
  for (const [name, value] of Object.entries(record(input, "options"))) {
    if (!(APP_OPTION_NAMES as readonly string[]).includes(name)) throw AdminErrors.input(`unknown option "${name}"`);
    if (value !== 0 && value !== 1 && value !== 2) throw AdminErrors.input(`option ${name} must be 0, 1 or 2`);
    options[name as AppOptionName] = value;
  }
  return options;
}

/**
 * Group options, `current` filling the missing fields.
 * @throws ApiError 422/11 when a field is not an integer ≥ 0 or unknown.
 * @example parseGroupOptionsInput({ max_key_rotation_month: 5 }, DEFAULT_GROUP_OPTIONS);
 */
export function parseGroupOptionsInput(input: unknown, current: GroupOptions): GroupOptions {
  const next = { ...current };
  for (const [name, value] of Object.entries(record(input, "group_options"))) {
    if (name !== "max_key_rotation_month" && name !== "min_rank_key_rotation")
      throw AdminErrors.input(`unknown group option "${name}"`);
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 1_000_000)
      throw AdminErrors.input(`group option ${name} must be an integer ≥ 0`);
    next[name] = value as number;
  }
  return next;
}

/**
 * File options, `current` filling the missing fields.
 * @throws ApiError 422/11 for a bad `file_storage` (-1, 0, 1), a non-string url/token, or storage 1 without a url.
 * @example parseFileOptionsInput({ file_storage: -1 }, DEFAULT_FILE_OPTIONS);
 */
export function parseFileOptionsInput(input: unknown, current: FileOptions): FileOptions {
  const next = { ...current };
  for (const [name, value] of Object.entries(record(input, "file_options"))) {
    if (name === "file_storage") {
      if (value !== -1 && value !== 0 && value !== 1) throw AdminErrors.input("file_storage must be -1, 0 or 1");
      next.file_storage = value;
    } else if (name === "storage_url" || name === "auth_token") {
      if (value !== null && (typeof value !== "string" || value.length > (name === "auth_token" ? 50 : 2000)))
        throw AdminErrors.input(`${name} must be a string or null`);
      next[name] = value as string | null;
    } else throw AdminErrors.input(`unknown file option "${name}"`);
  }
  if (next.file_storage === 1 && !next.storage_url) throw AdminErrors.input("file_storage 1 needs a storage_url");
  return next;
}

function parseJson<T>(json: string, fallback: T): T {
  try {
    const value = JSON.parse(json) as unknown;
    return typeof value === "object" && value !== null ? { ...fallback, ...(value as object) } : fallback;
  } catch {
    return fallback;
  }
}

function viewOf(app: AppRecord): AppView {
  return {
    app_id: app.id,
    identifier: app.identifier,
    public_token: app.publicToken,
    disabled: app.disabled,
    time: app.time,
    options: parseAppOptions(app.options),
    group_options: parseJson(app.groupOptions, DEFAULT_GROUP_OPTIONS),
    file_options: parseJson(app.fileOptions, DEFAULT_FILE_OPTIONS),
  };
}

function newTokens(): {
  publicToken: string;
  secretToken: string;
  hashedPublicToken: string;
  hashedSecretToken: string;
} {
  const publicToken = randomBase64(30);
  const secretToken = randomBase64(50);
  return {
    publicToken,
    secretToken,
    hashedPublicToken: hashAppToken(publicToken)!,
    hashedSecretToken: hashAppToken(secretToken)!,
  };
}

function jwtOutput(key: JwtKeyRecord): JwtKeyOutput {
  return {
    app_id: key.appId,
    jwt_id: key.id,
    jwt_verify_key: key.verifyKey,
    jwt_sign_key: key.signKey,
    jwt_alg: "ES384",
  };
}

/**
 * The app management operations on one store.
 * @example
 * const admin = new AppAdmin(store, secrets);
 * const created = await admin.createApp({ identifier: "shop", options: "lax" });
 */
export class AppAdmin {
  constructor(
    private readonly store: Store,
    /** Seals the sign keys of new JWT key pairs before they are stored (secrets at rest). */
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** The record as stored: its sign key sealed with the server key. */
  private sealed(key: JwtKeyRecord): JwtKeyRecord {
    return { ...key, signKey: this.secrets.seal(key.signKey, "jwt-sign-key") };
  }

  private async load(appId: string): Promise<AppRecord> {
    if (!isUuid(appId)) throw AdminErrors.appNotFound();
    const app = await this.store.getApp(appId);
    if (!app) throw AdminErrors.appNotFound();
    return app;
  }

  /**
   * Creates an app with new tokens and one ES384 key pair.
   * @throws ApiError 422/11 for bad options.
   * @example await admin.createApp({ identifier: "shop" }); // { app_id, secret_token, public_token, jwt_data }
   */
  async createApp(input: AppCreateInput = {}): Promise<AppCreated> {
    const options =
      input.options === undefined ? defaultAppOptions() : parseOptionsInput(input.options, defaultAppOptions());
    const groupOptions =
      input.group_options === undefined
        ? DEFAULT_GROUP_OPTIONS
        : parseGroupOptionsInput(input.group_options, DEFAULT_GROUP_OPTIONS);
    const fileOptions =
      input.file_options === undefined
        ? DEFAULT_FILE_OPTIONS
        : parseFileOptionsInput(input.file_options, DEFAULT_FILE_OPTIONS);
    const identifier = identifierOf(input.identifier);
    const tokens = newTokens();
    const time = this.now();
    const pair = generateEs384KeyPair();
    const key: JwtKeyRecord = {
      id: newId(),
      appId: newId(),
      signKey: pair.signKey,
      verifyKey: pair.verifyKey,
      alg: "ES384",
      time,
    };
    await this.store.transaction(async (tx) => {
      await tx.upsertApp({
        id: key.appId,
        identifier,
        hashedPublicToken: tokens.hashedPublicToken,
        hashedSecretToken: tokens.hashedSecretToken,
        publicToken: tokens.publicToken,
        options: JSON.stringify(options),
        groupOptions: JSON.stringify(groupOptions),
        fileOptions: JSON.stringify(fileOptions),
        disabled: false,
        time,
      });
      await tx.insertJwtKey(this.sealed(key));
    });
    return {
      app_id: key.appId,
      secret_token: tokens.secretToken,
      public_token: tokens.publicToken,
      jwt_data: jwtOutput(key),
    };
  }

  /** Every app, oldest first. @example await admin.listApps(); // [{ app_id, identifier, … }] */
  async listApps(): Promise<AppView[]> {
    return (await this.store.listApps()).map(viewOf);
  }

  /** One app. @throws ApiError 404 when there is no such app. @example await admin.getApp(id); */
  async getApp(appId: string): Promise<AppView> {
    return viewOf(await this.load(appId));
  }

  /** Changes the identifier (a name for people). @throws ApiError 404, 422. @example await admin.renameApp(id, "shop"); */
  async renameApp(appId: string, identifier: unknown): Promise<AppView> {
    const name = identifierOf(identifier);
    return this.update(appId, (app) => ({ ...app, identifier: name }));
  }

  /** Disables or enables the app (a disabled app's tokens are refused). @throws ApiError 404. @example await admin.setDisabled(id, true); */
  async setDisabled(appId: string, disabled: boolean): Promise<AppView> {
    return this.update(appId, (app) => ({ ...app, disabled }));
  }

  /**
   * Replaces options (a preset name, or option names → 0/1/2 merged onto the current ones).
   * @throws ApiError 404, 422. @example await admin.setOptions(id, { user_register: 1 });
   */
  async setOptions(appId: string, input: unknown): Promise<AppView> {
    return this.update(appId, (app) => {
      const options = parseOptionsInput(input, parseAppOptions(app.options));
      // The app's relaxed device proof (docs/server.md, "Sessions") lives in the same JSON: keep it.
      const stored = parseRequireDeviceProof(app.options) ? options : { ...options, require_device_proof: false };
      return { ...app, options: JSON.stringify(stored) };
    });
  }

  /** Changes group options. @throws ApiError 404, 422. @example await admin.setGroupOptions(id, { min_rank_key_rotation: 1 }); */
  async setGroupOptions(appId: string, input: unknown): Promise<AppView> {
    return this.update(appId, (app) => ({
      ...app,
      groupOptions: JSON.stringify(parseGroupOptionsInput(input, parseJson(app.groupOptions, DEFAULT_GROUP_OPTIONS))),
    }));
  }

  /** Changes file options. @throws ApiError 404, 422. @example await admin.setFileOptions(id, { file_storage: -1 }); */
  async setFileOptions(appId: string, input: unknown): Promise<AppView> {
    return this.update(appId, (app) => ({
      ...app,
      fileOptions: JSON.stringify(parseFileOptionsInput(input, parseJson(app.fileOptions, DEFAULT_FILE_OPTIONS))),
    }));
  }

  /**
   * New public and secret tokens; the old ones are refused from the next request on.
   * @throws ApiError 404. @example await admin.renewTokens(id); // { secret_token, public_token }
   */
  async renewTokens(appId: string): Promise<{ secret_token: string; public_token: string }> {
    const tokens = newTokens();
    await this.update(appId, (app) => ({
      ...app,
      hashedPublicToken: tokens.hashedPublicToken,
      hashedSecretToken: tokens.hashedSecretToken,
      publicToken: tokens.publicToken,
    }));
    return { secret_token: tokens.secretToken, public_token: tokens.publicToken };
  }

  /** Deletes the app, its keys and all its data. @throws ApiError 404. @example await admin.deleteApp(id); */
  async deleteApp(appId: string): Promise<void> {
    await this.load(appId);
    await this.store.transaction(async (tx) => {
      await tx.deleteAppData(appId, this.now());
      if (!(await tx.deleteApp(appId))) throw AdminErrors.appNotFound();
    });
  }

  /** Deletes every user, group, key and file of the app; the app, tokens, options and JWT keys stay. @throws ApiError 404. @example await admin.resetApp(id); */
  async resetApp(appId: string): Promise<void> {
    await this.load(appId);
    await this.store.deleteAppData(appId, this.now());
  }

  /** A new ES384 key pair; new JWTs are signed with it. @throws ApiError 404. @example await admin.addJwtKey(id); */
  async addJwtKey(appId: string): Promise<JwtKeyOutput> {
    await this.load(appId);
    const newest = await this.store.getNewestJwtKey(appId);
    const pair = generateEs384KeyPair();
    // Strictly newer than the newest key, so that it signs from now on even within the same millisecond.
    const time = Math.max(this.now(), (newest?.time ?? 0) + 1);
    const key: JwtKeyRecord = {
      id: newId(),
      appId,
      signKey: pair.signKey,
      verifyKey: pair.verifyKey,
      alg: "ES384",
      time,
    };
    await this.store.insertJwtKey(this.sealed(key));
    return jwtOutput(key);
  }

  /** The app's JWT keys (public parts), oldest first. @throws ApiError 404. @example await admin.listJwtKeys(id); */
  async listJwtKeys(appId: string): Promise<JwtKeyView[]> {
    await this.load(appId);
    return (await this.store.listJwtKeys(appId)).map((k) => ({
      jwt_key_id: k.id,
      jwt_alg: k.alg,
      time: k.time,
      verify_key: k.verifyKey,
    }));
  }

  /**
   * Deletes a JWT key: JWTs it signed are refused at once (every process reads the key per request).
   * The last key of an app stays.
   * @throws ApiError 404 (app or key), 400/11 for the last key. @example await admin.deleteJwtKey(id, keyId);
   */
  async deleteJwtKey(appId: string, keyId: string): Promise<void> {
    await this.load(appId);
    await this.store.transaction(async (tx) => {
      const keys = await tx.listJwtKeys(appId);
      if (!keys.some((k) => k.id === keyId)) throw AdminErrors.jwtKeyNotFound();
      if (keys.length === 1) throw AdminErrors.lastJwtKey();
      await tx.deleteJwtKey(appId, keyId);
    });
  }

  private async update(appId: string, change: (app: AppRecord) => AppRecord): Promise<AppView> {
    const app = await this.load(appId);
    const next = change(app);
    try {
      await this.store.upsertApp(next);
    } catch (error) {
      if (error instanceof StoreConflictError) throw AdminErrors.input(error.message);
      throw error;
    }
    return viewOf(next);
  }
}
