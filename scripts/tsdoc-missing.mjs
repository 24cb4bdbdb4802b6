// Prints the missing TSDoc of a public entry point as a sorted TypeScript array, the form of the allowlists in
// test/docs/tsdoc-known-missing.ts (KNOWN_MISSING_SDK for the SDK entry). Rules: test/docs/tsdoc-coverage.ts.
//   node scripts/tsdoc-missing.mjs        SDK entry (src/index.ts)
//   node scripts/tsdoc-missing.mjs core   crypto entry (src/core/index.ts)
import { tsImport } from "tsx/esm/api";

const { TSDOC_ENTRIES, findMissingDocs, loadProgram, sentcErrorCodes } = await tsImport(
  "../test/docs/tsdoc-coverage.ts",
  import.meta.url,
);
const which = process.argv[2] ?? "sdk";
const entry = TSDOC_ENTRIES[which];
if (entry === undefined) {
  console.error(`unknown entry "${which}"; one of: ${Object.keys(TSDOC_ENTRIES).join(", ")}`);
  process.exit(2);
}
const program = loadProgram([entry]);
const missing = findMissingDocs(program, entry, sentcErrorCodes(program));
console.log(`// ${missing.length} missing in ${entry}`);
console.log(missing.length === 0 ? "[]" : `[\n${missing.map((item) => `  ${JSON.stringify(item)},`).join("\n")}\n]`);
