import { defineConfig } from "vite";

/**
 * Library build: dist/sentc.js (ESM). The crypto core ships beside it as dist/core.wasm; `initCore()` finds
 * it next to the module, or takes bytes, a URL, a Response or a compiled module for strict-CSP apps.
 */
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    lib: {
      entry: "src/index.ts",
      formats: ["es"],
      fileName: () => "sentc.js",
    },
    rollupOptions: {
      external: [/^node:/],
    },
  },
});
