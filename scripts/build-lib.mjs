// Builds what the package ships, from src/index.ts:
//   dist/sentc.js      ESM for bundlers and modern browsers; loads dist/core.wasm beside it (streaming when the
//                      server sends application/wasm, otherwise from the bytes)
//   dist/sentc.umd.js  a <script> build exposing window.Sentc (window.Sentc.default is the Sentc API); the core
//                      is inlined, so the one file is all a page needs
//   dist/core.wasm     the release core
//   dist/types/        .d.ts for the ESM entry
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "vite";

const root = resolve(import.meta.dirname, "..");
const at = (path) => resolve(root, path);
const defaultSource = at("src/core/default-source.ts");

// Only this build's outputs: dist/server/ (the compiled API server) stays.
for (const output of ["dist/sentc.js", "dist/sentc.js.map", "dist/sentc.umd.js", "dist/sentc.umd.js.map", "dist/core.wasm", "dist/types"]) {
  rmSync(at(output), { recursive: true, force: true });
}
mkdirSync(at("build/entries"), { recursive: true });

// The ESM build finds the core beside itself. The URL is built from a variable so that the library build
// leaves it alone (Vite's library mode would inline the file); the application's own bundler or the browser
// resolves it at run time.
writeFileSync(
  at("build/entries/default-source.esm.ts"),
  `const file = "./core.wasm";\nexport function defaultCoreSource() {\n  return new URL(file, import.meta.url);\n}\n`,
);
// The UMD build carries the core inlined as base64.
const wasmBase64 = readFileSync(at("build/core.wasm")).toString("base64");
writeFileSync(
  at("build/entries/default-source.umd.ts"),
  [
    `const CORE = "${wasmBase64}";`,
    "export function defaultCoreSource() {",
    "  const text = atob(CORE);",
    "  const bytes = new Uint8Array(text.length);",
    "  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);",
    "  return bytes;",
    "}",
    "",
  ].join("\n"),
);

/** Replaces src/core/default-source.ts with one of the generated modules. */
const swapDefaultSource = (replacement) => ({
  name: "sentc-default-core-source",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (!source.endsWith("default-source.js") || !importer) return null;
    const resolved = await this.resolve(source.replace(/\.js$/, ".ts"), importer, { ...options, skipSelf: true });
    return resolved?.id === defaultSource ? replacement : null;
  },
});

const common = { configFile: false, logLevel: "warn", root };
await build({
  ...common,
  plugins: [swapDefaultSource(at("build/entries/default-source.esm.ts"))],
  build: {
    outDir: at("dist"),
    emptyOutDir: false,
    target: "es2022",
    sourcemap: true,
    minify: true,
    lib: { entry: at("src/index.ts"), formats: ["es"], fileName: () => "sentc.js" },
    rollupOptions: { external: [/^node:/] },
  },
});
await build({
  ...common,
  plugins: [swapDefaultSource(at("build/entries/default-source.umd.ts"))],
  build: {
    outDir: at("dist"),
    emptyOutDir: false,
    target: "es2022",
    sourcemap: true,
    minify: true,
    lib: { entry: at("src/index.ts"), formats: ["umd"], name: "Sentc", fileName: () => "sentc.umd.js" },
    rollupOptions: { external: [/^node:/], output: { exports: "named" } },
  },
});
copyFileSync(at("build/core.wasm"), at("dist/core.wasm"));
execFileSync(process.execPath, [at("node_modules/typescript/bin/tsc"), "-p", at("tsconfig.build.json")], { stdio: "inherit" });
console.log("dist/sentc.js, dist/sentc.umd.js, dist/core.wasm, dist/types/");
