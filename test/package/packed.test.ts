/**
 * The two packages as a user installs them: `npm pack` of the SDK (sentc-as, the repository root) and of the
 * server (sentc-as-server, server/), each installed into an empty folder from its tarball, offline (from npm's
 * cache, which the repository's own install filled), then used:
 *   - the SDK from Node (`import Sentc from "sentc-as"`, `sentc-as/core`), from a TypeScript project and in a
 *     Vite build of a tiny app (the build must emit the core as a wasm asset);
 *   - the server through its `sentc-server` bin: it starts, and `POST /api/v1/exists` answers about a user
 *     registered with the installed SDK. (The server's native better-sqlite3 addon: see that test.)
 * Runs with `npm run test:package` (vitest.package.config.ts), after `npm run build:lib` (built here when missing).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const work = mkdtempSync(join(tmpdir(), "sentc-packed-"));
const npmCli =
  process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : undefined;
const children: ChildProcess[] = [];
/** SENTC_PACKAGE_BUILD_NATIVE=1: the server's install compiles better-sqlite3 from source (see that test). */
const compileNative = process.env.SENTC_PACKAGE_BUILD_NATIVE === "1";

// Child processes run asynchronously: a blocked event loop would stall the test runner's own messages.
async function run(file: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(file, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Runs npm (the one running `npm test` when there is one) and returns its stdout. */
function npm(args: string[], cwd: string): Promise<string> {
  return npmCli ? run(process.execPath, [npmCli, ...args], cwd) : run("npm", args, cwd);
}

/** `npm pack` into `work`; returns the tarball's path. */
async function pack(args: string[]): Promise<string> {
  const [info] = JSON.parse(await npm(["pack", "--json", "--pack-destination", work, ...args], ROOT)) as Array<{
    filename: string;
  }>;
  const file = join(work, info!.filename);
  expect(existsSync(file)).toBe(true);
  return file;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/**
 * The lockfile entries of `names` and everything they depend on, at the places the repository's lockfile has
 * them: with them npm installs a tarball offline from its cache (resolving version ranges would need the
 * registry's package documents, which a lockfile-driven install never stores).
 */
function lockClosure(names: string[]): Record<string, LockEntry> {
  const packages = (
    JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> }
  ).packages;
  const found: Record<string, LockEntry> = {};
  const locate = (from: string, name: string): string | undefined => {
    for (let base = from; ; base = base.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, "")) {
      const path = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (packages[path]) return path;
      if (!base) return undefined;
    }
  };
  const visit = (path: string) => {
    if (found[path]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[path]!;
    found[path] = entry;
    const optional = new Set([
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([name]) => name),
    ]);
    for (const name of Object.keys({
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...entry.peerDependencies,
    })) {
      const target = locate(path, name);
      if (target) visit(target);
      else if (!optional.has(name)) throw new Error(`package-lock.json has no ${name} for ${path}`);
    }
  };
  for (const name of names) visit(`node_modules/${name}`);
  return found;
}

interface Manifest {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}
const sdkManifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
const serverManifest = JSON.parse(readFileSync(join(ROOT, "server/package.json"), "utf8")) as Manifest;

const integrity = (file: string) => `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;

/**
 * An empty project with the tarballs installed by `npm ci --offline` from a lockfile listing them and their
 * dependencies; returns its folder, the install time and the number of installed packages.
 */
async function installOffline(
  name: string,
  tarballs: Array<{ file: string; manifest: Manifest }>,
  extraArgs: string[] = [],
) {
  const dir = join(work, name);
  mkdirSync(dir);
  const dependencies = Object.fromEntries(
    tarballs.map(({ file, manifest }) => [manifest.name, `file:../${basename(file)}`]),
  );
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `${name}-probe`, version: "1.0.0", private: true, type: "module", dependencies }, null, 2),
  );
  const packages: Record<string, LockEntry> = { "": { name: `${name}-probe`, version: "1.0.0", dependencies } };
  for (const { file, manifest } of tarballs) {
    const deps = manifest.dependencies ?? {};
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: `file:../${basename(file)}`,
      integrity: integrity(file),
      license: manifest.license,
      ...(Object.keys(deps).length > 0 ? { dependencies: deps } : {}),
      ...(manifest.bin ? { bin: manifest.bin } : {}),
      ...(manifest.engines ? { engines: manifest.engines } : {}),
    };
    Object.assign(packages, lockClosure(Object.keys(deps)));
  }
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: `${name}-probe`, version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  const started = performance.now();
  await npm(["ci", "--offline", "--no-audit", "--no-fund", "--no-update-notifier", ...extraArgs], dir);
  const seconds = (performance.now() - started) / 1000;
  const installed = JSON.parse(readFileSync(join(dir, "node_modules/.package-lock.json"), "utf8")) as {
    packages: Record<string, unknown>;
  };
  return {
    dir,
    seconds,
    packages: Object.keys(installed.packages).filter((key) => key.startsWith("node_modules/")).length,
  };
}

async function runModule(dir: string, code: string): Promise<string> {
  writeFileSync(join(dir, "probe.mjs"), code);
  return run(process.execPath, ["probe.mjs"], dir);
}

let sdkTarball: string;
let serverTarball: string;
let sdk: { dir: string; seconds: number; packages: number };

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/sentc.js")))
    await run(process.execPath, [join(ROOT, "scripts/build-lib.mjs")], ROOT);
  sdkTarball = await pack([]);
  serverTarball = await pack(["--workspace", "sentc-as-server"]);
  sdk = await installOffline("sdk", [{ file: sdkTarball, manifest: sdkManifest }]);
  console.log(
    `sentc-as: tarball ${(statSync(sdkTarball).size / 1024).toFixed(1)} KB, installed offline in ${sdk.seconds.toFixed(1)} s, ` +
      `${sdk.packages} package${sdk.packages === 1 ? "" : "s"} in node_modules`,
  );
}, 300_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

const listing = async (tarball: string) => (await run("tar", ["-tzf", tarball], work)).split("\n");

describe("the SDK package (sentc-as)", () => {
  it("ships the builds, the core and the declarations, and nothing of the server or source maps", async () => {
    const files = await listing(sdkTarball);
    for (const file of [
      "package/dist/sentc.js",
      "package/dist/core.js",
      "package/dist/sentc.umd.js",
      "package/dist/core.wasm",
      "package/dist/types/index.d.ts",
      "package/dist/types/core.d.ts",
    ]) {
      expect(files).toContain(file);
    }
    expect(
      files.filter((file) => /^package\/(dist\/)?server\/|\.map$|-internal\.d\.ts$|\.ts$(?<!\.d\.ts)/.test(file)),
    ).toEqual([]);
  });

  it("installs with no dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(sdk.dir, "node_modules/sentc-as/package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(sdk.packages).toBe(1);
  });

  it("works from Node: the SDK at the root, the crypto primitives at sentc-as/core, one shared core", async () => {
    const out = await runModule(
      sdk.dir,
      `import Sentc, * as root from "sentc-as";
import * as core from "sentc-as/core";
import { createHash } from "node:crypto";
const before = core.isCoreReady();
await Sentc.init({ app_token: "probe", storage: new root.MemoryStorage() });
const digest = Buffer.from(core.sha256(new TextEncoder().encode("abc"))).toString("hex");
console.log(JSON.stringify({
  defaultIsSentc: Sentc === root.Sentc && typeof Sentc.init === "function",
  sdk: ["User", "Group", "SymKey", "SentcError", "isSentcError"].filter((name) => typeof root[name] === "function"),
  rootHasCore: ["sha256", "initCore", "x25519"].filter((name) => name in root),
  before,
  shared: core.isCoreReady(),
  sha256: digest === createHash("sha256").update("abc").digest("hex"),
  error: new core.SentcError("invalid_input", "x") instanceof root.SentcError,
}));`,
    );
    expect(JSON.parse(out)).toEqual({
      defaultIsSentc: true,
      sdk: ["User", "Group", "SymKey", "SentcError", "isSentcError"],
      rootHasCore: [],
      before: false,
      shared: true,
      sha256: true,
      error: true,
    });
  });

  it("type-checks in a TypeScript project (NodeNext), with the internals left out of the declarations", async () => {
    writeFileSync(
      join(sdk.dir, "typed.ts"),
      `import Sentc, { SentcError, type User } from "sentc-as";
import { initCore, sha256 } from "sentc-as/core";
export async function start(): Promise<User | undefined> {
  await initCore();
  const digest: Uint8Array = sha256(new Uint8Array(1));
  if (digest.length !== 32) throw new SentcError("invalid_input", "unexpected digest");
  return Sentc.init({ app_token: "probe" });
}
`,
    );
    writeFileSync(
      join(sdk.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ["typed.ts"],
      }),
    );
    await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], sdk.dir);
    const typesDir = join(sdk.dir, "node_modules/sentc-as/dist/types");
    const text = readdirSync(typesDir)
      .map((file) => readFileSync(join(typesDir, file), "utf8"))
      .join("\n");
    expect(text).toContain("declare class Sentc");
    expect(text).not.toContain("@internal");
    expect(text).not.toMatch(/declare function (readServerOutput|loginStart|restoreUserData)\b/);
  });

  it("builds into a Vite app, which emits the core as a wasm asset", async () => {
    const app = sdk.dir;
    writeFileSync(join(app, "index.html"), `<!doctype html><script type="module" src="./main.js"></script>`);
    writeFileSync(
      join(app, "main.js"),
      `import Sentc from "sentc-as";\nimport { sha256 } from "sentc-as/core";\nSentc.init({ app_token: "probe" }).then(() => { document.title = String(sha256(new Uint8Array(1))[0]); });\n`,
    );
    await run(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], app);
    const assets = readdirSync(join(app, "dist/assets"));
    const wasm = assets.filter((file) => file.endsWith(".wasm"));
    expect(wasm).toHaveLength(1);
    expect(readFileSync(join(app, "dist/assets", wasm[0]!))).toEqual(readFileSync(join(ROOT, "build/core.wasm")));
    const scripts = assets
      .filter((file) => file.endsWith(".js"))
      .map((file) => readFileSync(join(app, "dist/assets", file), "utf8"));
    expect(scripts.some((text) => text.includes(wasm[0]!))).toBe(true);
  });
});

describe("the server package (sentc-as-server)", () => {
  it("ships the compiled server, the SDK layers it uses and the core, nothing else of src/", async () => {
    const files = await listing(serverTarball);
    for (const file of [
      "package/dist/server/cli.js",
      "package/dist/server/main.js",
      "package/dist/core.wasm",
      "package/dist/src/core/loader.js",
      "package/dist/server/dashboard/index.html",
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => file.startsWith("package/dist/src/protocol/")).length).toBeGreaterThan(0);
    expect(files.filter((file) => /\/src\/(sdk|api)\/|\.ts$|\.map$/.test(file))).toEqual([]);
  });

  it(
    "installs offline, starts with its bin and answers /api/v1/exists",
    async () => {
      expect(Object.keys(serverManifest.dependencies ?? {})).toContain("better-sqlite3");
      // The SDK beside it registers the test user below. better-sqlite3 has no prebuilt addon to download here
      // and compiles one from source in its install script: minutes on a busy machine. So unless
      // SENTC_PACKAGE_BUILD_NATIVE=1 asks for that compile, the install skips scripts and the addon is the one
      // the repository's npm install built (same better-sqlite3 version, same Node and machine: checked).
      const server = await installOffline(
        "server",
        [
          { file: serverTarball, manifest: serverManifest },
          { file: sdkTarball, manifest: sdkManifest },
        ],
        compileNative ? [] : ["--ignore-scripts"],
      );
      const addon = "node_modules/better-sqlite3/build/Release/better_sqlite3.node";
      if (!compileNative) {
        const version = (dir: string) =>
          (
            JSON.parse(readFileSync(join(dir, "node_modules/better-sqlite3/package.json"), "utf8")) as {
              version: string;
            }
          ).version;
        expect(version(server.dir)).toBe(version(ROOT));
        expect(existsSync(join(server.dir, addon))).toBe(false);
        mkdirSync(dirname(join(server.dir, addon)), { recursive: true });
        copyFileSync(join(ROOT, addon), join(server.dir, addon));
      }
      expect(existsSync(join(server.dir, addon))).toBe(true);
      console.log(
        `sentc-as-server: tarball ${(statSync(serverTarball).size / 1024).toFixed(1)} KB, installed offline in ${server.seconds.toFixed(1)} s ` +
          `(${compileNative ? "better-sqlite3 compiled from source" : "install scripts skipped, better-sqlite3's addon reused"}), ${server.packages} packages`,
      );

      const app = {
        id: randomUUID(),
        identifier: "probe",
        public_token: randomBytes(30).toString("base64"),
        secret_token: randomBytes(50).toString("base64"),
        options: "default",
        jwt_keys: [],
      };
      writeFileSync(join(server.dir, "apps.json"), JSON.stringify({ apps: [app] }));
      const bin = join(server.dir, "node_modules/.bin/sentc-server");
      expect(existsSync(bin)).toBe(true);
      const child = spawn(
        bin,
        ["--port", "0", "--db", join(server.dir, "data/sentc.sqlite"), "--config", "apps.json"],
        { cwd: server.dir, stdio: ["ignore", "pipe", "inherit"] },
      );
      children.push(child);
      const line = await new Promise<Record<string, unknown>>((done, fail) => {
        createInterface({ input: child.stdout! }).once("line", (text) =>
          done(JSON.parse(text) as Record<string, unknown>),
        );
        child.once("exit", (code) => fail(new Error(`sentc-server exited (${code}) before it printed its address`)));
      });
      expect(line.app_ids).toEqual([app.id]);
      const baseUrl = String(line.base_url);
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // A user registered with the installed SDK (its prepareRegister, the server's secret-token route) …
      const identifier = `user-${randomUUID()}`;
      const body = await runModule(
        server.dir,
        `import Sentc from "sentc-as";\nimport { initCore } from "sentc-as/core";\nawait initCore();\nconsole.log(Sentc.prepareRegister(${JSON.stringify(identifier)}, "a password"));`,
      );
      const registered = await fetch(`${baseUrl}/api/v1/register`, {
        method: "POST",
        headers: { "x-sentc-app-token": app.secret_token },
        body,
      });
      expect(((await registered.json()) as { status: boolean }).status).toBe(true);
      // … exists; an unknown one does not; an unknown app token is refused.
      const exists = async (token: string, user: string) => {
        const response = await fetch(`${baseUrl}/api/v1/exists`, {
          method: "POST",
          headers: { "x-sentc-app-token": token },
          body: JSON.stringify({ user_identifier: user }),
        });
        return {
          status: response.status,
          body: (await response.json()) as { status: boolean; result?: { available: boolean } },
        };
      };
      expect((await exists(app.public_token, identifier)).body).toEqual({
        status: true,
        result: { user_identifier: identifier, available: false },
      });
      const other = `other-${randomUUID()}`;
      expect((await exists(app.public_token, other)).body).toEqual({
        status: true,
        result: { user_identifier: other, available: true },
      });
      const refused = await exists("not-a-token", identifier);
      expect(refused.status).toBe(401);
      expect(refused.body.status).toBe(false);

      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    },
    compileNative ? 1_800_000 : 600_000,
  );
});
