// Compiles assembly/ into build/core.wasm with the options in asconfig.json, then checks the ABI rules:
// no imports, and only i32/f64-free numeric signatures (no i64 at the boundary).
import asc from "assemblyscript/asc";
import { readFile } from "node:fs/promises";

const target = process.argv.includes("--debug") ? "debug" : "release";
const { error, stderr } = await asc.main(["--config", "asconfig.json", "--target", target], {
  stdout: process.stdout,
  stderr: process.stderr,
});
if (error) {
  console.error(`build-core: ${error.message}`);
  process.exit(1);
}

const outFile = target === "release" ? "build/core.wasm" : "build/core.debug.wasm";
const module = new WebAssembly.Module(await readFile(outFile));
const imports = WebAssembly.Module.imports(module);
if (imports.length > 0) {
  console.error(`build-core: the core must have no imports, found ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}`);
  process.exit(1);
}
const wat = target === "release" ? await readFile("build/core.wat", "utf8") : "";
const i64Export = wat.split("\n").find((line) => /^\s*\(func \$assembly\/index\//.test(line) && /i64/.test(line));
if (i64Export) {
  console.error(`build-core: an exported function uses i64 at the boundary: ${i64Export.trim()}`);
  process.exit(1);
}
void stderr;
