/**
 * TSDoc coverage of the public entries (rules in test/docs/tsdoc-coverage.ts): every export of the crypto entry
 * is fully documented and its `@example`s type-check and run; the SDK entry may only lack what
 * KNOWN_MISSING_SDK lists (regenerate it with `node scripts/tsdoc-missing.mjs`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWN_MISSING_SDK } from "./tsdoc-known-missing.js";
import {
  examplesOf,
  findMissingDocs,
  loadProgram,
  REPO_ROOT,
  sentcErrorCodes,
  TSDOC_ENTRIES,
} from "./tsdoc-coverage.js";

/**
 * The checked entries with what each may still lack. `count` is the allowlist's length, stated explicitly: lower
 * it whenever members get documented, never raise it. A new entry is one more line here.
 */
const ENTRIES: readonly { entry: string; knownMissing: readonly string[]; count: number }[] = [
  { entry: TSDOC_ENTRIES.core, knownMissing: [], count: 0 },
  { entry: TSDOC_ENTRIES.sdk, knownMissing: KNOWN_MISSING_SDK, count: 0 },
];

// Building a checker over the whole SDK takes several seconds on a busy machine: done once, with room to spare.
const SLOW = 240_000;

let program: ts.Program;
let errorCodes: Set<string>;
beforeAll(() => {
  program = loadProgram(Object.values(TSDOC_ENTRIES));
  errorCodes = sentcErrorCodes(program);
}, SLOW);

describe("the checker", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports what is missing, following re-exports to the declaring file", { timeout: SLOW }, () => {
    dir = mkdtempSync(join(tmpdir(), "tsdoc-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, module: "ESNext", moduleResolution: "Bundler", target: "ES2022" },
      }),
    );
    writeFileSync(
      join(dir, "src", "index.ts"),
      'export { complete, noExample, noThrows, badCode, silent, arrow, Box, LIMIT } from "./impl.js";\nexport type { Shape } from "./impl.js";\nexport * from "./more.js";\n',
    );
    writeFileSync(
      join(dir, "src", "more.ts"),
      "export function starred(): void {}\nexport default function fallback(): void {}\n",
    );
    writeFileSync(
      join(dir, "src", "impl.ts"),
      [
        "/**\n * Fully documented.\n * @throws {SentcError} `invalid_input` when x is negative.\n * @example\n * complete(1);\n */",
        "export function complete(x: number): number { if (x < 0) throw new Error(); return x; }",
        "/**\n * Has no example.\n * @throws {SentcError} `invalid_input` always.\n */",
        "export function noExample(): void { throw new Error(); }",
        "/**\n * Has no throws tag.\n * @example\n * noThrows();\n */",
        "export function noThrows(): void {}",
        "/**\n * Names no known code.\n * @throws {SentcError} `no_such_code` always.\n * @example\n * badCode();\n */",
        "export function badCode(): void {}",
        "/**\n * Returns 1. Never throws.\n * @example\n * silent();\n */",
        "export function silent(): number { return 1; }",
        "export const arrow = (): number => 2;",
        "export const LIMIT = 3;",
        "/** A shape. */\nexport interface Shape { side: number }",
        "/** A box. */",
        "export class Box {",
        "  /**\n   * The size. Never throws.\n   * @example\n   * new Box().size;\n   */\n  get size(): number { return 1; }",
        "  get weight(): number { throw new Error(); }",
        "  /** Opens it. */\n  open(): void {}",
        "  static make(): Box { return new Box(); }",
        "  private hidden(): void {}",
        "  #secret(): void {}",
        "}",
      ].join("\n"),
    );
    const tempProgram = loadProgram([join(dir, "src", "index.ts")], join(dir, "tsconfig.json"));
    expect(findMissingDocs(tempProgram, join(dir, "src", "index.ts"), new Set(["invalid_input"]))).toEqual([
      "Box.open @example",
      "Box.open @throws",
      "Box.static make @example",
      "Box.static make @throws",
      "Box.static make description",
      "Box.weight @example",
      "Box.weight @throws",
      "Box.weight description",
      "LIMIT description",
      "arrow @example",
      "arrow @throws",
      "arrow description",
      "badCode @throws code",
      "noExample @example",
      "noThrows @throws",
      "starred @example",
      "starred @throws",
      "starred description",
    ]);
  });
});

describe.each(ENTRIES)("the entry $entry", ({ entry, knownMissing, count }) => {
  it("lacks exactly the TSDoc its sorted, shrink-only allowlist names (none for the crypto entry)", () => {
    expect(errorCodes.has("invalid_input")).toBe(true);
    expect([...knownMissing]).toEqual([...new Set(knownMissing)].sort());
    expect(knownMissing).toHaveLength(count);
    expect(findMissingDocs(program, entry, errorCodes)).toEqual(knownMissing);
  });
});

describe("the examples of the crypto entry (src/core/index.ts)", () => {
  it(
    "has one or more examples for each of its functions, and they type-check",
    () => {
      const examples = examplesOf(program, TSDOC_ENTRIES.core, "src/core/");
      expect(examples.length).toBeGreaterThanOrEqual(25);
      for (const example of examples) expect(example.code, example.name).toMatch(/from "sentc-as\/core";/);

      const files = new Map(examples.map((example, i) => [resolve(REPO_ROOT, `test/docs/example-${i}.ts`), example]));
      const options: ts.CompilerOptions = {
        ...program.getCompilerOptions(),
        paths: { "sentc-as/core": [resolve(REPO_ROOT, TSDOC_ENTRIES.core)] },
        noUnusedLocals: false,
      };
      const host = ts.createCompilerHost(options);
      const { getSourceFile, fileExists, readFile } = host;
      host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
      host.readFile = (name) => files.get(name)?.code ?? readFile.call(host, name);
      host.getSourceFile = (name, version, onError) => {
        const example = files.get(name);
        return example
          ? ts.createSourceFile(name, example.code, version, true)
          : getSourceFile.call(host, name, version, onError);
      };
      const exampleProgram = ts.createProgram({ rootNames: [...files.keys()], options, host, oldProgram: program });
      const errors = [...files].flatMap(([file, example]) =>
        ts
          .getPreEmitDiagnostics(exampleProgram, exampleProgram.getSourceFile(file))
          .map((d) => `${example.name}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
      );
      expect(errors).toEqual([]);
    },
    SLOW,
  );

  it(
    "has examples that run",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsdoc-examples-"));
      const coreEntry = JSON.stringify(resolve(REPO_ROOT, TSDOC_ENTRIES.core));
      const failures: string[] = [];
      try {
        const examples = examplesOf(program, TSDOC_ENTRIES.core, "src/core/");
        for (const [i, example] of examples.entries()) {
          const file = join(dir, `example-${i}.ts`);
          writeFileSync(file, example.code.replaceAll('"sentc-as/core"', coreEntry));
          await import(/* @vite-ignore */ pathToFileURL(file).href).catch((error: unknown) =>
            failures.push(`${example.name}: ${String(error)}`),
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(failures).toEqual([]);
    },
    SLOW,
  );
});
