// Puts the release core beside the library build: dist/core.wasm.
import { copyFileSync } from "node:fs";
copyFileSync("build/core.wasm", "dist/core.wasm");
console.log("dist/core.wasm");
