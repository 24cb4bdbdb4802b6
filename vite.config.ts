import { gzipAsync } from "@gfx/zopfli";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/**
 * The library builds (`npm run build:lib`):
 *   vite build --mode esm   dist/sentc.js (the SDK) and dist/core.js (`sentc-as/core`, the crypto primitives), ESM,
 *                           readable (not minified; application bundlers minify); both share one copy of the core
 *                           loader (a chunk beside them), so `Sentc.init()` also initialises `sentc-as/core`. The
 *                           core is fetched from dist/core.wasm beside the modules.
 *   vite build --mode umd   dist/sentc.umd.js  minified <script> build exposing window.Sentc; the core is inlined
 *                           gzip-compressed (base64) and inflated with `DecompressionStream` when it is loaded
 * Both replace src/core/default-source.ts (which points at build/core.wasm for the source tree) with a module
 * that says where the shipped core is.
 */
const defaultSource = fileURLToPath(new URL("./src/core/default-source.ts", import.meta.url));
const VIRTUAL_SOURCE = "\0sentc-default-core-source";
/** The variable holding the inlined core in the UMD build. */
const CORE_BASE64 = "__sentcCoreGzipBase64";
const errorsModule = fileURLToPath(new URL("./src/errors.ts", import.meta.url));

/**
 * build/core.wasm gzip-compressed with Zopfli (a standard gzip stream, about 7 % smaller than zlib's level 9),
 * kept in build/ per content hash: the compression takes seconds.
 */
async function gzippedCore(): Promise<Uint8Array> {
  const wasm = readFileSync(new URL("./build/core.wasm", import.meta.url));
  const cached = new URL(
    `./build/gzip/core-${createHash("sha256").update(wasm).digest("hex").slice(0, 32)}.wasm.gz`,
    import.meta.url,
  );
  if (existsSync(cached)) return readFileSync(cached);
  const gzipped = await gzipAsync(wasm, { numiterations: 15 });
  mkdirSync(new URL("./build/gzip/", import.meta.url), { recursive: true });
  writeFileSync(cached, gzipped);
  return gzipped;
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
      // The core is inlined gzip-compressed: base64 of the raw wasm gzips badly (about 38 KB against 26 KB).
      // The base64 text itself is declared at the end of the UMD wrapper (the `outro` below), so that terser
      // leaves it alone, and then moved to the start of the wrapper (`generateBundle`): in the middle it would
      // stand between code that gzip could otherwise match across, and last gzip finds short matches for the
      // random base64 in the code before it (0.2–0.4 KB more than first).
      return [
        `import { SentcError } from ${JSON.stringify(errorsModule)};`,
        "export function defaultCoreSource() {",
        '  if (typeof DecompressionStream !== "function" || typeof Response !== "function" || typeof Blob !== "function") {',
        '    throw new SentcError("unsupported_environment", "this runtime lacks DecompressionStream to unpack the inlined core: pass the core to initCore() / Sentc.init({ wasm_path })");',
        "  }",
        `  const text = atob(${CORE_BASE64});`,
        "  const bytes = new Uint8Array(text.length);",
        "  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);",
        '  return Promise.resolve(new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))));',
        "}",
      ].join("\n");
    },
    async outro() {
      if (mode !== "umd") return "";
      return `var ${CORE_BASE64} = "${Buffer.from(await gzippedCore()).toString("base64")}";`;
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

export default defineConfig(({ mode }) => {
  if (mode !== "esm" && mode !== "umd") throw new Error("build with --mode esm or --mode umd");
  return {
    plugins: [defaultCoreSource(mode)],
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
              entry: { sentc: "src/index.ts", core: "src/core/index.ts" },
              formats: ["es"],
              fileName: (_format, name) => `${name}.js`,
            }
          : { entry: "src/index.ts", formats: ["umd"], name: "Sentc", fileName: () => "sentc.umd.js" },
      rollupOptions: {
        external: [/^node:/],
        output: mode === "umd" ? { exports: "named" } : { chunkFileNames: "sentc-shared-[hash].js" },
      },
    },
  };
});
