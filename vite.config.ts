import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compress as lzmaCompress } from "lzma";
import { defineConfig, type Plugin } from "vite";

/**
 * The library builds (`npm run build:lib`):
 *   vite build --mode esm   dist/sentc.js (the SDK) and dist/core.js (`sentc-as/core`, the crypto primitives), ESM,
 *                           readable (not minified; application bundlers minify); both share one copy of the core
 *                           loader (a chunk beside them), so `Sentc.init()` also initialises `sentc-as/core`. The
 *                           core is fetched from dist/core.wasm beside the modules.
 *   vite build --mode umd   dist/sentc.umd.js  minified <script> build exposing window.Sentc; the core is inlined
 *                           LZMA-compressed (base64) and decompressed by src/core/lzma.ts when it is loaded
 * Both replace src/core/default-source.ts (which points at build/core.wasm for the source tree) with a module
 * that says where the shipped core is.
 */
const defaultSource = fileURLToPath(new URL("./src/core/default-source.ts", import.meta.url));
const VIRTUAL_SOURCE = "\0sentc-default-core-source";
/** The variable holding the inlined core in the UMD build. */
const CORE_BASE64 = "__sentcCoreLzmaBase64";
const lzmaModule = fileURLToPath(new URL("./src/core/lzma.ts", import.meta.url));
const spawnModule = fileURLToPath(new URL("./src/sdk/worker/spawn.ts", import.meta.url));
const workerHostModule = fileURLToPath(new URL("./src/sdk/worker/host.ts", import.meta.url));
const VIRTUAL_SPAWN = "\0sentc-crypto-worker-spawn";
/** Placeholders in the spawn module, replaced in the output (Vite's own worker transform must not see them). */
const WORKER_URL = "__sentcWorkerUrl";
const UMD_FACTORY = "__sentcUmd";

/**
 * build/core.wasm LZMA-compressed (the `.lzma` format, level 9: about 15 % smaller than Zopfli's gzip), kept in
 * build/ per content hash: the compression takes a second or two.
 */
async function compressedCore(): Promise<Uint8Array> {
  const wasm = readFileSync(new URL("./build/core.wasm", import.meta.url));
  const cached = new URL(
    `./build/lzma/core-${createHash("sha256").update(wasm).digest("hex").slice(0, 32)}.wasm.lzma`,
    import.meta.url,
  );
  if (existsSync(cached)) return readFileSync(cached);
  const compressed = await new Promise<Uint8Array>((resolve, reject) =>
    lzmaCompress(wasm, 9, (result, error) => (error ? reject(error) : resolve(Uint8Array.from(result as number[])))),
  );
  mkdirSync(new URL("./build/lzma/", import.meta.url), { recursive: true });
  writeFileSync(cached, compressed);
  return compressed;
}

function defaultCoreSource(mode: "esm" | "umd"): Plugin {
  return {
    name: "sentc-default-core-source",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (!importer || !source.endsWith("default-source.js")) return null;
      const resolved = await this.resolve(source.replace(/\.js$/, ".ts"), importer, { ...options, skipSelf: true });
      return resolved?.id === defaultSource ? VIRTUAL_SOURCE : null;
    },
    load(id) {
      if (id !== VIRTUAL_SOURCE) return null;
      if (mode === "esm") {
        // A literal `new URL("./core.wasm", import.meta.url)`: application bundlers (Vite, webpack 5, Parcel,
        // Rollup) recognise it and emit the core as an asset; unbundled, the browser resolves it beside
        // dist/sentc.js. This virtual module has no folder, so the library build itself leaves it alone.
        return `export function defaultCoreSource() { return new URL("./core.wasm", import.meta.url); }\n`;
      }
      // The core is inlined LZMA-compressed: base64 of the raw wasm gzips badly (about 38 KB against 22 KB), and
      // LZMA beats gzip by about 4 KB, 3 KB with its decoder (src/core/lzma.ts, 1.1 KB gzip) counted, and needs no
      // DecompressionStream. The base64 text itself is declared at the end of the UMD wrapper (the `outro` below),
      // so that terser leaves it alone, and then moved to the start of the wrapper (`generateBundle`): in the
      // middle it would stand between code that gzip could otherwise match across, and last gzip finds short
      // matches for the random base64 in the code before it (0.2–0.4 KB more than first).
      return [
        `import { lzmaDecompress } from ${JSON.stringify(lzmaModule)};`,
        "export function defaultCoreSource() {",
        `  const text = atob(${CORE_BASE64});`,
        "  const bytes = new Uint8Array(text.length);",
        "  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);",
        "  return lzmaDecompress(bytes);",
        "}",
      ].join("\n");
    },
    async outro() {
      if (mode !== "umd") return "";
      return `var ${CORE_BASE64} = "${Buffer.from(await compressedCore()).toString("base64")}";`;
    },
    generateBundle(_options, bundle) {
      if (mode !== "umd") return;
      // After minification: `var <name>="<base64>";` (the outro, renamed) moves to the wrapper's first statement.
      // A var is hoisted, so declaring it earlier changes nothing but the order of the bytes.
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        const declaration = /var [\w$]+="[A-Za-z0-9+/=]{1000,}";?/.exec(chunk.code);
        const start = chunk.code.indexOf('"use strict";') + '"use strict";'.length;
        if (!declaration || start < '"use strict";'.length || start > declaration.index)
          throw new Error("sentc-default-core-source: the inlined core's declaration was not found after minification");
        const text = declaration[0].endsWith(";") ? declaration[0] : `${declaration[0]};`;
        chunk.code =
          chunk.code.slice(0, start) +
          text +
          chunk.code.slice(start, declaration.index) +
          chunk.code.slice(declaration.index + declaration[0].length);
      }
    },
  };
}

/**
 * How the crypto worker (`Sentc.init({ worker: true })`) starts; replaces src/sdk/worker/spawn.ts.
 *   esm  `new Worker(new URL("./sentc-worker.js", import.meta.url), { type: "module" })`, literally, so application
 *        bundlers bundle dist/sentc-worker.js (an entry of this build) as a worker. Written into the output in
 *        `renderChunk`: at transform time Vite's worker plugin would try to bundle it into the library itself.
 *   umd  no file to host: a `blob:` worker whose code is the UMD factory function itself (`factory.toString()`),
 *        which serves the worker when it runs under the worker's name. `generateBundle` (after minification) names
 *        the factory so the bundle can refer to itself.
 */
function cryptoWorkerSpawn(mode: "esm" | "umd"): Plugin {
  return {
    name: "sentc-crypto-worker-spawn",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (!importer || !source.endsWith("/spawn.js")) return null;
      const resolved = await this.resolve(source.replace(/\.js$/, ".ts"), importer, { ...options, skipSelf: true });
      return resolved?.id === spawnModule ? VIRTUAL_SPAWN : null;
    },
    load(id) {
      if (id !== VIRTUAL_SPAWN) return null;
      const host = JSON.stringify(workerHostModule);
      if (mode === "esm") {
        return `import { WORKER_NAME } from ${host};\nexport function spawnCryptoWorker() { return new Worker(${WORKER_URL}, { type: "module", name: WORKER_NAME }); }\n`;
      }
      return [
        `import { WORKER_NAME, serveCryptoWorker } from ${host};`,
        "export function spawnCryptoWorker() {",
        `  const url = URL.createObjectURL(new Blob(["(" + ${UMD_FACTORY} + ")({})"], { type: "text/javascript" }));`,
        "  try { return new Worker(url, { name: WORKER_NAME }); } finally { URL.revokeObjectURL(url); }",
        "}",
        'if (typeof WorkerGlobalScope == "function" && self.name === WORKER_NAME) serveCryptoWorker();',
      ].join("\n");
    },
    renderChunk(code) {
      if (mode !== "esm" || !code.includes(WORKER_URL)) return null;
      return code.replace(WORKER_URL, 'new URL("./sentc-worker.js", import.meta.url)');
    },
    generateBundle(_options, bundle) {
      if (mode !== "umd") return;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        // Rollup's UMD wrapper: `…}(this, (function (exports) {…` (terser keeps the shape, renames `exports`).
        const factory = /\(this,\s*\(?function\s*\(/g;
        if ((chunk.code.match(factory) ?? []).length !== 1) throw new Error("the UMD factory was not found once");
        chunk.code = chunk.code.replace(factory, (found) => found.replace(/function\s*\(/, `function ${UMD_FACTORY}(`));
      }
    },
  };
}

/**
 * UMD only: after minification, every `const` declaration becomes `let` (terser keeps `const`). In code that never
 * assigns to a constant (tsc guarantees that) the two behave the same, and the shorter, more frequent keyword saves
 * about 0.2 KB gzip. The declarations are found in the parsed bundle, not by matching text.
 */
function constToLet(mode: "esm" | "umd"): Plugin {
  return {
    name: "sentc-const-to-let",
    generateBundle(_options, bundle) {
      if (mode !== "umd") return;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        const starts: number[] = [];
        const visit = (node: unknown): void => {
          if (typeof node !== "object" || node === null) return;
          const record = node as { type?: unknown; kind?: unknown; start?: number };
          if (record.type === "VariableDeclaration" && record.kind === "const") starts.push(record.start as number);
          for (const value of Object.values(node)) if (typeof value === "object") visit(value);
        };
        visit(this.parse(chunk.code));
        let code = chunk.code;
        for (const start of starts.sort((a, b) => b - a)) {
          if (code.slice(start, start + 5) !== "const")
            throw new Error("sentc-const-to-let: a const declaration moved");
          code = `${code.slice(0, start)}let${code.slice(start + 5)}`;
        }
        chunk.code = code;
      }
    },
  };
}

/**
 * UMD only: `import.meta.url` (src/core/loader.ts's base for relative core URLs where there is no `location`) becomes
 * the module's file URL under CommonJS. Rollup's own UMD replacement also handles a page (`document.currentScript`),
 * but the loader asks for `import.meta.url` only where `location` is missing: in Node's `require`, never on a page or
 * in a worker. About 0.1 KB gzip.
 */
function umdImportMetaUrl(mode: "esm" | "umd"): Plugin {
  return {
    name: "sentc-umd-import-meta-url",
    resolveImportMeta(property) {
      // The module name is computed (terser would fold `"u" + "rl"`): a bundler that reads the UMD (webpack 5 has no
      // Node polyfills) must not try to resolve Node's url module, which only Node's `require` ever loads here.
      return mode === "umd" && property === "url"
        ? 'require(["u", "rl"].join("")).pathToFileURL(__filename).href'
        : null;
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode !== "esm" && mode !== "umd") throw new Error("build with --mode esm or --mode umd");
  return {
    plugins: [constToLet(mode), umdImportMetaUrl(mode), defaultCoreSource(mode), cryptoWorkerSpawn(mode)],
    build: {
      outDir: "dist",
      emptyOutDir: false,
      target: "es2022",
      sourcemap: false,
      // The UMD is what a page downloads as is (terser: about 1 KB gzip smaller than esbuild's minifier); the ESM
      // build is read by application bundlers, which minify.
      minify: mode === "umd" ? "terser" : false,
      terserOptions: { compress: { passes: 2 }, format: { comments: false } },
      lib:
        mode === "esm"
          ? {
              // sentc-worker: the crypto worker's module (src/sdk/worker/entry.ts), see cryptoWorkerSpawn.
              entry: { sentc: "src/index.ts", core: "src/core/index.ts", "sentc-worker": "src/sdk/worker/entry.ts" },
              formats: ["es"],
              fileName: (_format, name) => `${name}.js`,
            }
          : { entry: "src/index.ts", formats: ["umd"], name: "Sentc", fileName: () => "sentc.umd.js" },
      rollupOptions: {
        external: [/^node:/],
        output:
          mode === "umd"
            ? { exports: "named" }
            : {
                chunkFileNames: "sentc-shared-[hash].js",
                // Two shared chunks whatever the entries share: the core (also dist/core.js's) and the SDK layers
                // (also the worker's). Left to itself, rollup splits the SDK into more chunks, each gzipped alone.
                manualChunks: (id) =>
                  /[\\/]src[\\/](core[\\/]|errors\.ts)/.test(id)
                    ? "core"
                    : /[\\/]src[\\/](protocol|api|sdk)[\\/]/.test(id) && !id.endsWith("entry.ts")
                      ? "sdk"
                      : null,
              },
      },
    },
  };
});
