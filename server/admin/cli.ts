/**
 * `sentc-server app …`: app management on the database itself (the same `--db` / `SENTC_DB` as the
 * server; it works while the server is down, and running servers see the changes at once). Every
 * command prints JSON on stdout; errors go to stderr with exit code 1 (2 for a wrong command line).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readServerConfig } from "../config.js";
import { ApiError } from "../errors.js";
import { applyConfigApps } from "../services/apps.js";
import type { ServiceContext } from "../services/context.js";
import { isPostgresUrl, openPostgresStore } from "../store/postgres.js";
import { openSqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { defaultFilesDir } from "../main.js";
import { resolveSecretBox } from "../secrets.js";
import { AppAdmin } from "./service.js";

/** The text of `sentc-server app --help`. */
export const APP_COMMAND_HELP = `usage: sentc-server app COMMAND [--db PATH|URL] [--files DIR]

Manages the apps in the database of --db (default: SENTC_DB, else ./data/sentc.sqlite); prints JSON.
New JWT sign keys are stored encrypted with the server key the server uses (SENTC_SECRET_KEY,
SENTC_SECRET_KEY_FILE, else .secret-key in the files folder: --files, SENTC_FILES, else the server's default).

commands:
  create [--identifier NAME] [--options PRESET|JSON] [--group-options JSON] [--file-options JSON]
                                  a new app; prints its tokens and JWT key once
  list                            every app
  get APP_ID                      one app with its options
  rename APP_ID NAME              a new identifier
  disable APP_ID | enable APP_ID  refuse or accept the app's tokens
  delete APP_ID                   the app and all its data
  reset APP_ID                    deletes all users, groups, keys and files of the app
  tokens renew APP_ID             new public and secret tokens (the old ones stop at once)
  options get APP_ID              endpoint, group and file options
  options set APP_ID [PRESET | NAME=0|1|2 …] [--group-options JSON] [--file-options JSON]
                                  PRESET: default, lax, closed (sentc's presets)
  jwt add APP_ID                  a new ES384 key pair (signs new JWTs from now on)
  jwt list APP_ID                 the public keys
  jwt delete APP_ID KEY_ID        removes a key (not the last one)
  import FILE                     creates or updates the apps of a config file
`;

class UsageError extends Error {}

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} must be JSON`);
  }
}

async function openStore(db: string): Promise<Store> {
  if (isPostgresUrl(db)) return openPostgresStore({ url: db });
  if (db !== ":memory:") mkdirSync(dirname(resolve(db)), { recursive: true });
  return openSqliteStore({ path: db });
}

/** NAME=VALUE pairs or one preset name → what `setOptions` takes. */
function optionsArgument(words: string[]): unknown {
  if (words.length === 1 && /^[a-z]+$/.test(words[0]!)) return words[0];
  const options: Record<string, unknown> = {};
  for (const word of words) {
    const match = /^([a-z_]+)=(\d+)$/.exec(word);
    if (!match) throw new UsageError(`expected NAME=0|1|2 or a preset, not ${JSON.stringify(word)}`);
    options[match[1]!] = Number(match[2]);
  }
  return options;
}

/**
 * Runs one `app` command; returns the exit code.
 * @example process.exitCode = await runAppCommand(["list", "--db", "data/sentc.sqlite"], process.env);
 */
export async function runAppCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: the type is parseArgs' own, inferred from its options below
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: "string" },
        files: { type: "string" },
        identifier: { type: "string" },
        options: { type: "string" },
        "group-options": { type: "string" },
        "file-options": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`sentc-server app: ${(error as Error).message}\n\n${APP_COMMAND_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(APP_COMMAND_HELP);
    return values.help ? 0 : 2;
  }
  const db = values.db ?? (env.SENTC_DB || "./data/sentc.sqlite");
  let store: Store | null = null;
  try {
    const [command, ...args] = positionals;
    const arg = (i: number, what: string): string => {
      const value = args[i];
      if (value === undefined) throw new UsageError(`${command} needs ${what}`);
      return value;
    };
    const known = [
      "create",
      "list",
      "get",
      "rename",
      "disable",
      "enable",
      "delete",
      "reset",
      "tokens",
      "options",
      "jwt",
      "import",
    ];
    if (!known.includes(command!)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    store = await openStore(db);
    const postgres = isPostgresUrl(db);
    const filesDir = values.files ?? (env.SENTC_FILES || defaultFilesDir(db, postgres, !postgres && db !== ":memory:"));
    const secrets = resolveSecretBox(undefined, db === ":memory:", filesDir);
    const admin = new AppAdmin(store, secrets);
    let result: unknown;
    switch (command) {
      case "create":
        result = await admin.createApp({
          identifier: values.identifier,
          options:
            values.options === undefined
              ? undefined
              : values.options.trim().startsWith("{")
                ? json(values.options, "--options")
                : values.options,
          group_options: json(values["group-options"], "--group-options"),
          file_options: json(values["file-options"], "--file-options"),
        });
        break;
      case "list":
        result = await admin.listApps();
        break;
      case "get":
        result = await admin.getApp(arg(0, "APP_ID"));
        break;
      case "rename":
        result = await admin.renameApp(arg(0, "APP_ID"), arg(1, "NAME"));
        break;
      case "disable":
      case "enable":
        result = await admin.setDisabled(arg(0, "APP_ID"), command === "disable");
        break;
      case "delete":
        await admin.deleteApp(arg(0, "APP_ID"));
        result = { deleted: args[0] };
        break;
      case "reset":
        await admin.resetApp(arg(0, "APP_ID"));
        result = { reset: args[0] };
        break;
      case "tokens":
        if (args[0] !== "renew") throw new UsageError("tokens: expected `tokens renew APP_ID`");
        result = { app_id: arg(1, "APP_ID"), ...(await admin.renewTokens(arg(1, "APP_ID"))) };
        break;
      case "options": {
        const appId = arg(1, "APP_ID");
        if (args[0] === "set") {
          const words = args.slice(2);
          if (words.length === 0 && !values["group-options"] && !values["file-options"])
            throw new UsageError("options set needs a preset, NAME=VALUE pairs, --group-options or --file-options");
          // Validated before anything is written, so that a bad part changes nothing.
          const groupOptions = json(values["group-options"], "--group-options");
          const fileOptions = json(values["file-options"], "--file-options");
          if (words.length > 0) await admin.setOptions(appId, optionsArgument(words));
          if (groupOptions !== undefined) await admin.setGroupOptions(appId, groupOptions);
          if (fileOptions !== undefined) await admin.setFileOptions(appId, fileOptions);
        } else if (args[0] !== "get")
          throw new UsageError("options: expected `options get APP_ID` or `options set APP_ID …`");
        const view = await admin.getApp(appId);
        result = {
          app_id: appId,
          options: view.options,
          group_options: view.group_options,
          file_options: view.file_options,
        };
        break;
      }
      case "jwt": {
        const appId = arg(1, "APP_ID");
        if (args[0] === "add") result = await admin.addJwtKey(appId);
        else if (args[0] === "list") result = await admin.listJwtKeys(appId);
        else if (args[0] === "delete") {
          await admin.deleteJwtKey(appId, arg(2, "KEY_ID"));
          result = { deleted: args[2] };
        } else throw new UsageError("jwt: expected add, list or delete");
        break;
      }
      case "import": {
        const config = readServerConfig(arg(0, "FILE"));
        const s = store;
        await applyConfigApps({ store: s, now: Date.now, secrets } as unknown as ServiceContext, config.apps);
        result = { imported: config.apps.map((a) => a.id) };
        break;
      }
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sentc-server app: ${error.message}\n\n${APP_COMMAND_HELP}`);
      return 2;
    }
    const message = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`sentc-server app: ${message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
