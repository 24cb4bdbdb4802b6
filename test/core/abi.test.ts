import { readdirSync, readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CORE_ABI } from "../../src/core/abi.js";
import type { ExportSpec } from "../../src/core/abi/spec.js";
import { readExportedSignatures, type ExportedSignature } from "../helpers/wasm-signatures.js";

// The declaration of the core's exports (src/core/abi.ts) against the compiled module (build/core.wasm,
// made by `npm run build:core`) and against the sources that define the areas (assembly/index.ts,
// assembly/abi/*.ts). An export added, removed, renamed, moved to another area or given another
// signature on either side fails here.

const root = new URL("../../", import.meta.url);
const wasm = readFileSync(new URL("build/core.wasm", root));

interface Declared {
  area: string;
  spec: ExportSpec;
}

function declaredExports(): Map<string, Declared> {
  const declared = new Map<string, Declared>();
  for (const [area, exports] of Object.entries(CORE_ABI)) {
    for (const [name, spec] of Object.entries<ExportSpec>(exports)) {
      const earlier = declared.get(name);
      if (earlier) throw new Error(`${name} is declared in both ${earlier.area} and ${area}`);
      declared.set(name, { area, spec });
    }
  }
  return declared;
}

/** The names an AssemblyScript file re-exports with `export { a, b } from "./x"`, by module specifier. */
function namedReExports(path: string): { from: string; names: string[] }[] {
  const source = ts.createSourceFile(path, readFileSync(new URL(path, root), "utf8"), ts.ScriptTarget.ES2022);
  const found: { from: string; names: string[] }[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier) continue;
    if (!ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    const names = clause && ts.isNamedExports(clause) ? clause.elements.map((element) => element.name.text) : ["*"];
    found.push({ from: statement.moduleSpecifier.text, names });
  }
  return found;
}

/** Export names per area as the AssemblyScript sources define them; `base` is assembly/index.ts's own. */
function sourceAreas(): Record<string, string[]> {
  const areas: Record<string, string[]> = { base: ["memory"] };
  for (const { from, names } of namedReExports("assembly/index.ts")) {
    const area = /^\.\/abi\/([a-z0-9_]+)$/.exec(from)?.[1];
    if (area) {
      expect(names, `assembly/index.ts re-exports all of ${from}`).toEqual(["*"]);
      areas[area] = namedReExports(`assembly/abi/${area}.ts`).flatMap((entry) => entry.names);
    } else {
      areas.base?.push(...names);
    }
  }
  return areas;
}

function signatureOf(spec: ExportSpec): Omit<ExportedSignature, "name"> {
  if (spec.kind !== "function") return { kind: spec.kind };
  return { kind: "function", params: spec.params.map(() => "i32"), results: spec.result === "i32" ? ["i32"] : [] };
}

describe("core ABI declaration", () => {
  it("declares each export once", () => {
    expect(() => declaredExports()).not.toThrow();
    expect(declaredExports().size).toBeGreaterThan(30);
  });

  it("matches the names and kinds of build/core.wasm (WebAssembly.Module.exports)", async () => {
    const module = await WebAssembly.compile(wasm);
    const actual = WebAssembly.Module.exports(module).map(({ name, kind }) => ({ name, kind }));
    const expected = [...declaredExports()].map(([name, { spec }]) => ({ name, kind: spec.kind }));
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    expect(actual.sort(byName)).toEqual(expected.sort(byName));
  });

  it("matches the parameter and result types of every exported function (all i32, docs/core.md)", () => {
    const declared = declaredExports();
    const signatures = readExportedSignatures(wasm);
    expect(signatures.map((signature) => signature.name).sort()).toEqual([...declared.keys()].sort());
    for (const signature of signatures) {
      const { name, ...actual } = signature;
      const entry = declared.get(name);
      expect(entry, name).toBeDefined();
      if (entry) expect({ name, ...actual }).toEqual({ name, ...signatureOf(entry.spec) });
    }
  });

  it("matches what an instance hands to the host", async () => {
    const { instance } = await WebAssembly.instantiate(wasm, {});
    for (const [name, { spec }] of declaredExports()) {
      const value = instance.exports[name];
      if (spec.kind === "function") {
        expect(typeof value, name).toBe("function");
        expect((value as (...args: number[]) => unknown).length, `${name} arity`).toBe(spec.params.length);
      } else if (spec.kind === "global") {
        expect(value, name).toBeInstanceOf(WebAssembly.Global);
        expect(typeof (value as WebAssembly.Global).value, name).toBe("number");
      } else {
        expect(value, name).toBeInstanceOf(WebAssembly.Memory);
      }
    }
  });

  it("groups the exports by the areas of assembly/abi/", () => {
    const areaFiles = readdirSync(new URL("assembly/abi/", root))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.slice(0, -3));
    const sources = sourceAreas();
    expect(
      Object.keys(sources)
        .filter((area) => area !== "base")
        .sort(),
    ).toEqual(areaFiles.sort());
    const declared = Object.fromEntries(
      Object.entries(CORE_ABI).map(([area, exports]) => [area, Object.keys(exports).sort()]),
    );
    const defined = Object.fromEntries(Object.entries(sources).map(([area, names]) => [area, [...names].sort()]));
    expect(declared).toEqual(defined);
  });
});

describe("wasm signature reader", () => {
  // (module (func (export "f") (param i32 i32) (result i32) local.get 0) (memory (export "m") 1)
  //         (global (export "g") i32 (i32.const 7)))
  const sample = Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    0x01,
    0x07,
    0x01,
    0x60,
    0x02,
    0x7f,
    0x7f,
    0x01,
    0x7f, // type section: (i32, i32) -> i32
    0x03,
    0x02,
    0x01,
    0x00, // function section: f has type 0
    0x05,
    0x03,
    0x01,
    0x00,
    0x01, // memory section: 1 page
    0x06,
    0x06,
    0x01,
    0x7f,
    0x00,
    0x41,
    0x07,
    0x0b, // global section: immutable i32 = 7
    0x07,
    0x0d,
    0x03,
    0x01,
    0x66,
    0x00,
    0x00,
    0x01,
    0x6d,
    0x02,
    0x00,
    0x01,
    0x67,
    0x03,
    0x00, // exports f, m, g
    0x0a,
    0x06,
    0x01,
    0x04,
    0x00,
    0x20,
    0x00,
    0x0b, // code: local.get 0
  ]);

  it("reads kinds, parameters and results of a known module", () => {
    expect(WebAssembly.validate(sample)).toBe(true);
    expect(readExportedSignatures(sample)).toEqual([
      { name: "f", kind: "function", params: ["i32", "i32"], results: ["i32"] },
      { name: "m", kind: "memory" },
      { name: "g", kind: "global" },
    ]);
  });

  it("rejects bytes that are not a wasm binary, and truncated sections", () => {
    expect(() => readExportedSignatures(Uint8Array.of(1, 2, 3))).toThrow(/not a version-1/);
    expect(() => readExportedSignatures(sample.subarray(0, 20))).toThrow(/past the end/);
  });
});
