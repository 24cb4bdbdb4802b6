// Compiles assembly/ into build/core.wasm with the options in asconfig.json, then checks the ABI rules:
// no imports, and no i64 in an exported signature.
//
//   node scripts/build-core.mjs                 release build of the whole core -> build/core.wasm
//   node scripts/build-core.mjs --debug         debug build -> build/core.debug.wasm
//   node scripts/build-core.mjs --area NAME     only assembly/abi/NAME.ts (plus arena and ct) -> build/area-NAME.wasm
import asc from "assemblyscript/asc";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const args = process.argv.slice(2);
const debug = args.includes("--debug");
const areaIndex = args.indexOf("--area");
const area = areaIndex >= 0 ? args[areaIndex + 1] : undefined;
if (areaIndex >= 0 && !/^[a-z0-9_]+$/.test(area ?? "")) {
  console.error("build-core: --area takes the name of a file in assembly/abi/");
  process.exit(1);
}

let outFile = debug ? "build/core.debug.wasm" : "build/core.wasm";
let textFile = debug ? undefined : "build/core.wat";
let ascArgs = ["--config", "asconfig.json", "--target", debug ? "debug" : "release"];
if (area) {
  // asconfig.json's entries would pull in every area; an area build passes the same options itself.
  const config = JSON.parse(await readFile("asconfig.json", "utf8"));
  const options = { ...config.options, ...config.targets.release };
  await mkdir("build/entries", { recursive: true });
  await writeFile("build/entries/asconfig.area.json", "{}\n");
  ascArgs = [
    "--config",
    "build/entries/asconfig.area.json",
    "--runtime",
    options.runtime,
    ...options.use.flatMap((use) => ["--use", use]),
    ...options.enable.flatMap((feature) => ["--enable", feature]),
    "--optimizeLevel",
    String(options.optimizeLevel),
    "--shrinkLevel",
    String(options.shrinkLevel),
    ...(options.converge ? ["--converge"] : []),
  ];
  await mkdir("build/entries", { recursive: true });
  const entry = `build/entries/area-${area}.ts`;
  await writeFile(
    entry,
    [
      `import "../../assembly/abort";`,
      `export { alloc, arena_reset } from "../../assembly/arena";`,
      `export { ct_equal, wipe } from "../../assembly/ct";`,
      `export * from "../../assembly/abi/${area}";`,
      "",
    ].join("\n"),
  );
  outFile = `build/area-${area}.wasm`;
  textFile = `build/area-${area}.wat`;
  ascArgs.push(entry, "--outFile", outFile, "--textFile", textFile);
}

const { error } = await asc.main(ascArgs, { stdout: process.stdout, stderr: process.stderr });
if (error) {
  console.error(`build-core: ${error.message}`);
  process.exit(1);
}

const module = new WebAssembly.Module(await readFile(outFile));
const imports = WebAssembly.Module.imports(module);
if (imports.length > 0) {
  console.error(
    `build-core: the core must have no imports, found ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}`,
  );
  process.exit(1);
}
if (textFile) {
  const wat = await readFile(textFile, "utf8");
  const exported = new Set(
    WebAssembly.Module.exports(module)
      .filter((e) => e.kind === "function")
      .map((e) => e.name),
  );
  for (const match of wat.matchAll(/\(export "([^"]+)" \(func (\$[^)]+)\)\)/g)) {
    const [, name, internal] = match;
    if (!exported.has(name)) continue;
    const signature = wat.split("\n").find((line) => line.trimStart().startsWith(`(func ${internal} `));
    if (signature && /\bi64\b/.test(signature)) {
      console.error(`build-core: export ${name} uses i64 at the boundary: ${signature.trim()}`);
      process.exit(1);
    }
  }
}
