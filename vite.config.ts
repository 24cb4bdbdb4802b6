import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/**
 * The library builds (`npm run build:lib`):
 *   vite build --mode esm   dist/sentc.js      ESM; the core is fetched from dist/core.wasm beside the module
 *   vite build --mode umd   dist/sentc.umd.js  <script> build exposing window.Sentc; the core is inlined
 * Both replace src/core/default-source.ts (which points at build/core.wasm for the source tree) with a module
 * that says where the shipped core is.
 */
const defaultSource = fileURLToPath(new URL("./src/core/default-source.ts", import.meta.url));
const VIRTUAL_SOURCE = "\0sentc-default-core-source";

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
      const base64 = readFileSync(new URL("./build/core.wasm", import.meta.url)).toString("base64");
      return [
        `const CORE = "${base64}";`,
        "export function defaultCoreSource() {",
        "  const text = atob(CORE);",
        "  const bytes = new Uint8Array(text.length);",
        "  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);",
        "  return bytes;",
        "}",
      ].join("\n");
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
      sourcemap: true,
      minify: true,
      lib:
        mode === "esm"
          ? { entry: "src/index.ts", formats: ["es"], fileName: () => "sentc.js" }
          : { entry: "src/index.ts", formats: ["umd"], name: "Sentc", fileName: () => "sentc.umd.js" },
      rollupOptions: { external: [/^node:/], output: mode === "umd" ? { exports: "named" } : {} },
    },
  };
});
