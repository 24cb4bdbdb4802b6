/**
 * The two packages as a user installs them: `npm pack` of the SDK (sentc-as, the repository root) and of the
 * server (sentc-as-server, server/), each installed into an empty folder from its tarball, offline (from npm's
 * cache, which the repository's own install filled), then used:
 *   - the SDK from Node (`import Sentc from "sentc-as"`, `sentc-as/core`) and from a Vite build of a tiny app
 *     (the build must emit the core as a wasm asset);
 *   - the server through its `sentc-server` bin: it starts, and `POST /api/v1/exists` answers about a user
 *     registered with the installed SDK.
 * Runs with `npm run test:package` (vitest.package.config.ts), after `npm run build:lib` (built here when missing).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const work = mkdtempSync(join(tmpdir(), "sentc-packed-"));
const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : undefined;
const children: ChildProcess[] = [];

/** Runs npm (the one running `npm test` when there is one) and returns its stdout. */
function npm(args: string[], cwd: string, env: Record<string, string> = {}): string {
  const options = { cwd, encoding: "utf8" as const, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 };
  return npmCli ? execFileSync(process.execPath, [npmCli, ...args], options) : execFileSync("npm", args, options);
}

/** `npm pack` into `work`; returns the tarball's path. */
function pack(args: string[]): string {
  const [info] = JSON.parse(npm(["pack", "--json", "--pack-destination", work, ...args], ROOT)) as Array<{ filename: string }>;
  const file = join(work, info!.filename);
  expect(existsSync(file)).toBe(true);
  return file;
}

/** An empty project with the tarball installed offline; returns its folder, the install time and package count. */
function installOffline(name: string, tarball: string, extraArgs: string[] = []): { dir: string; seconds: number; packages: number } {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `${name}-probe`, version: "1.0.0", private: true, type: "module" }));
  const started = performance.now();
  npm(["install", "--offline", "--no-audit", "--no-fund", "--no-update-notifier", ...extraArgs, tarball], dir);
  const seconds = (performance.now() - started) / 1000;
  const lock = JSON.parse(readFileSync(join(dir, "node_modules/.package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
  return { dir, seconds, packages: Object.keys(lock.packages).filter((key) => key.startsWith("node_modules/")).length };
}

function runModule(dir: string, code: string): string {
  writeFileSync(join(dir, "probe.mjs"), code);
  return execFileSync(process.execPath, ["probe.mjs"], { cwd: dir, encoding: "utf8" }).trim();
}

let sdkTarball: string;
let serverTarball: string;
let sdk: { dir: string; seconds: number; packages: number };

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/sentc.js"))) execFileSync(process.execPath, [join(ROOT, "scripts/build-lib.mjs")], { cwd: ROOT, stdio: "inherit" });
  sdkTarball = pack([]);
  serverTarball = pack(["--workspace", "sentc-as-server"]);
  sdk = installOffline("sdk", sdkTarball);
  console.log(
    `sentc-as: tarball ${(statSync(sdkTarball).size / 1024).toFixed(1)} KB, installed offline in ${sdk.seconds.toFixed(1)} s, ` +
      `${sdk.packages} package${sdk.packages === 1 ? "" : "s"} in node_modules`,
  );
}, 300_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("the SDK package (sentc-as)", () => {
  it("ships the builds, the core and the declarations, and nothing of the server or source maps", () => {
    const listing = execFileSync("tar", ["-tzf", sdkTarball], { encoding: "utf8" }).trim().split("\n");
    for (const file of ["package/dist/sentc.js", "package/dist/core.js", "package/dist/sentc.umd.js", "package/dist/core.wasm", "package/dist/types/index.d.ts", "package/dist/types/core.d.ts"]) {
      expect(listing).toContain(file);
    }
    expect(listing.filter((file) => /^package\/(dist\/)?server\/|\.map$|-internal\.d\.ts$|\.ts$(?<!\.d\.ts)/.test(file))).toEqual([]);
  });

  it("installs with no dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(sdk.dir, "node_modules/sentc-as/package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(sdk.packages).toBe(1);
  });

  it("works from Node: the SDK at the root, the crypto primitives at sentc-as/core, one shared core", () => {
    const out = runModule(
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

  it("type-checks in a TypeScript project (NodeNext), with the internals left out of the declarations", () => {
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
      JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022", "DOM"], strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ["typed.ts"] }),
    );
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: sdk.dir, stdio: "inherit" });
    const declarations = readdirSync(join(sdk.dir, "node_modules/sentc-as/dist/types"));
    const text = declarations.map((file) => readFileSync(join(sdk.dir, "node_modules/sentc-as/dist/types", file), "utf8")).join("\n");
    expect(text).toContain("declare class Sentc");
    expect(text).not.toContain("@internal");
    expect(text).not.toMatch(/declare function (readServerOutput|loginStart|restoreUserData)\b/);
  });

  it("builds into a Vite app, which emits the core as a wasm asset", () => {
    const app = sdk.dir;
    writeFileSync(join(app, "index.html"), `<!doctype html><script type="module" src="./main.js"></script>`);
    writeFileSync(
      join(app, "main.js"),
      `import Sentc from "sentc-as";\nimport { sha256 } from "sentc-as/core";\nSentc.init({ app_token: "probe" }).then(() => { document.title = String(sha256(new Uint8Array(1))[0]); });\n`,
    );
    execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: app, stdio: "inherit" });
    const assets = readdirSync(join(app, "dist/assets"));
    const wasm = assets.filter((file) => file.endsWith(".wasm"));
    expect(wasm).toHaveLength(1);
    expect(readFileSync(join(app, "dist/assets", wasm[0]!))).toEqual(readFileSync(join(ROOT, "build/core.wasm")));
    const scripts = assets.filter((file) => file.endsWith(".js")).map((file) => readFileSync(join(app, "dist/assets", file), "utf8"));
    expect(scripts.some((text) => text.includes(wasm[0]!))).toBe(true);
  });
});

describe("the server package (sentc-as-server)", () => {
  it("ships the compiled server, the SDK layers it uses and the core", () => {
    const listing = execFileSync("tar", ["-tzf", serverTarball], { encoding: "utf8" }).trim().split("\n");
    for (const file of ["package/dist/server/cli.js", "package/dist/server/main.js", "package/dist/core.wasm", "package/dist/src/core/loader.js", "package/dist/src/protocol/register.js"]) {
      expect(listing).toContain(file);
    }
    expect(listing.filter((file) => /\/src\/(sdk|api)\/|\.ts$|\.map$/.test(file))).toEqual([]);
  });

  it("installs offline, starts with its bin and answers /api/v1/exists", async () => {
    const server = installOffline("server", serverTarball, ["sentc-as@file:" + sdkTarball]);
    console.log(`sentc-as-server: tarball ${(statSync(serverTarball).size / 1024).toFixed(1)} KB, installed offline in ${server.seconds.toFixed(1)} s, ${server.packages} packages`);
    const app = { id: randomUUID(), identifier: "probe", public_token: `pub-${randomUUID()}`, secret_token: `sec-${randomUUID()}`, options: "default", jwt_keys: [] };
    writeFileSync(join(server.dir, "apps.json"), JSON.stringify({ apps: [app] }));
    const bin = join(server.dir, "node_modules/.bin/sentc-server");
    expect(existsSync(bin)).toBe(true);
    const child = spawn(bin, ["--port", "0", "--db", join(server.dir, "data/sentc.sqlite"), "--config", "apps.json"], { cwd: server.dir, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    const line = await new Promise<Record<string, unknown>>((done, fail) => {
      createInterface({ input: child.stdout! }).once("line", (text) => done(JSON.parse(text) as Record<string, unknown>));
      child.once("exit", (code) => fail(new Error(`sentc-server exited (${code}) before it printed its address`)));
    });
    expect(line.app_ids).toEqual([app.id]);
    const baseUrl = String(line.base_url);
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // A user registered with the installed SDK (its prepareRegister, the server's secret-token route) …
    const identifier = `user-${randomUUID()}`;
    const body = runModule(server.dir, `import Sentc from "sentc-as";\nimport { initCore } from "sentc-as/core";\nawait initCore();\nconsole.log(Sentc.prepareRegister(${JSON.stringify(identifier)}, "a password"));`);
    const registered = await fetch(`${baseUrl}/api/v1/register`, { method: "POST", headers: { "x-sentc-app-token": app.secret_token }, body });
    expect(((await registered.json()) as { status: boolean }).status).toBe(true);
    // … exists; an unknown one does not; an unknown app token is refused.
    const exists = async (token: string, user: string) => {
      const response = await fetch(`${baseUrl}/api/v1/exists`, { method: "POST", headers: { "x-sentc-app-token": token }, body: JSON.stringify({ user_identifier: user }) });
      return { status: response.status, body: (await response.json()) as { status: boolean; result?: { available: boolean } } };
    };
    expect((await exists(app.public_token, identifier)).body).toEqual({ status: true, result: { available: false } });
    expect((await exists(app.public_token, `other-${randomUUID()}`)).body).toEqual({ status: true, result: { available: true } });
    const refused = await exists("not-a-token", identifier);
    expect(refused.status).toBe(401);
    expect(refused.body.status).toBe(false);

    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 600_000);
});
