import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  findLayerViolations,
  formatLayerViolation,
  layerOf,
  readImportGraph,
  type ImportEdge,
  type ImportGraph,
} from "./helpers/layers.js";

const root = fileURLToPath(new URL("../", import.meta.url));

/** A graph of the given files, with every import resolved to the file it names. */
function graph(files: string[], imports: [from: string, to: string][]): ImportGraph {
  const edges: ImportEdge[] = imports.map(([from, to]) => ({ from, specifier: `./${to}`, to }));
  return { files, imports: edges };
}

describe("layers of src/ and server/", () => {
  it("no import goes against the layers", () => {
    const { files, imports } = readImportGraph(root, ["src", "server"]);
    // The graph must really be read: every layer has files and the layers import each other.
    for (const layer of ["core", "protocol", "api", "sdk", "server", "errors", "index"]) {
      expect(
        files.some((file) => layerOf(file) === layer),
        `a file in layer ${layer}`,
      ).toBe(true);
    }
    expect(
      imports.some((edge) => layerOf(edge.from) === "sdk" && edge.to !== undefined && layerOf(edge.to) === "protocol"),
    ).toBe(true);
    expect(
      imports.some(
        (edge) => layerOf(edge.from) === "server" && edge.to !== undefined && layerOf(edge.to) === "protocol",
      ),
    ).toBe(true);
    expect(findLayerViolations({ files, imports }).map(formatLayerViolation)).toEqual([]);
  });

  it("reads the imports of the real tree, resolving .js specifiers to the .ts sources", () => {
    const { imports } = readImportGraph(root, ["src"]);
    const from = (file: string) => imports.filter((edge) => edge.from === file);
    expect(from("src/core/memory.ts")).toContainEqual({
      from: "src/core/memory.ts",
      specifier: "../errors.js",
      to: "src/errors.ts",
    });
    expect(from("src/core/memory.ts")).toContainEqual({
      from: "src/core/memory.ts",
      specifier: "./abi.js",
      to: "src/core/abi.ts",
    });
    expect(from("src/core/index.ts")).toContainEqual({
      from: "src/core/index.ts",
      specifier: "./loader.js",
      to: "src/core/loader.ts",
    });
    expect(imports.every((edge) => edge.to !== undefined)).toBe(true);
  });
});

describe("import graph reader", () => {
  it("reads every import form: static, type-only, side effect, re-export, dynamic, and the sentc-as alias", () => {
    const dir = mkdtempSync(join(tmpdir(), "layers-"));
    try {
      mkdirSync(join(dir, "src/core"), { recursive: true });
      mkdirSync(join(dir, "src/sdk/files"), { recursive: true });
      writeFileSync(join(dir, "src/core/a.ts"), "export const a = 1;\n");
      writeFileSync(join(dir, "src/core/index.ts"), 'export * from "./a.js";\n');
      writeFileSync(
        join(dir, "src/sdk/files/b.ts"),
        [
          'import { a } from "../../core/a.js";',
          'import type { x } from "../../core/index.js";',
          'import "../../core";',
          'export { a as c } from "../../core/a.js";',
          'const lazy = () => import("../../core/a.js");',
          'import { Sentc } from "sentc-as";',
          'import { readFile } from "node:fs";',
          'import { nothing } from "./missing.js";',
          "",
        ].join("\n"),
      );
      const { files, imports } = readImportGraph(dir, ["src"]);
      expect(files).toEqual(["src/core/a.ts", "src/core/index.ts", "src/sdk/files/b.ts"]);
      expect(
        imports.filter((edge) => edge.from === "src/sdk/files/b.ts").map(({ specifier, to }) => [specifier, to]),
      ).toEqual([
        ["../../core/a.js", "src/core/a.ts"],
        ["../../core/index.js", "src/core/index.ts"],
        ["../../core", "src/core/index.ts"],
        ["../../core/a.js", "src/core/a.ts"],
        ["../../core/a.js", "src/core/a.ts"],
        ["sentc-as", "src/index.ts"],
        ["./missing.js", undefined],
      ]);
      expect(findLayerViolations({ files, imports }).map(formatLayerViolation)).toEqual([
        'src/sdk/files/b.ts: import "sentc-as" (src/index.ts) src/index.ts is the public entry point: no file of src/ or server/ may import it',
        'src/sdk/files/b.ts: import "./missing.js" the import resolves to no file',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("layer checker", () => {
  const files = [
    "src/errors.ts",
    "src/index.ts",
    "src/core/a.ts",
    "src/protocol/b.ts",
    "src/api/c.ts",
    "src/sdk/d.ts",
    "server/e.ts",
  ];

  it("accepts imports of the same and lower layers, of errors.ts, and index.ts importing any layer", () => {
    const allowed = graph(files, [
      ["src/sdk/d.ts", "src/api/c.ts"],
      ["src/sdk/d.ts", "src/protocol/b.ts"],
      ["src/sdk/d.ts", "src/core/a.ts"],
      ["src/api/c.ts", "src/protocol/b.ts"],
      ["src/protocol/b.ts", "src/core/a.ts"],
      ["src/core/a.ts", "src/core/a.ts"],
      ["src/core/a.ts", "src/errors.ts"],
      ["src/index.ts", "src/sdk/d.ts"],
      ["src/index.ts", "src/errors.ts"],
      ["server/e.ts", "src/protocol/b.ts"],
      ["server/e.ts", "src/core/a.ts"],
      ["server/e.ts", "src/errors.ts"],
      ["server/e.ts", "server/e.ts"],
    ]);
    expect(findLayerViolations(allowed)).toEqual([]);
  });

  it("reports each import against the layers with its file, specifier and target", () => {
    const violations = findLayerViolations(
      graph(files, [
        ["src/core/a.ts", "src/protocol/b.ts"],
        ["src/protocol/b.ts", "src/api/c.ts"],
        ["src/api/c.ts", "src/sdk/d.ts"],
        ["src/sdk/d.ts", "src/index.ts"],
        ["src/errors.ts", "src/core/a.ts"],
        ["server/e.ts", "src/api/c.ts"],
        ["server/e.ts", "src/sdk/d.ts"],
        ["server/e.ts", "src/index.ts"],
        ["src/core/a.ts", "server/e.ts"],
        ["src/sdk/d.ts", "scripts/build.mjs"],
      ]),
    );
    expect(violations.map(({ file, target }) => `${file} -> ${target}`)).toEqual([
      "src/core/a.ts -> src/protocol/b.ts",
      "src/protocol/b.ts -> src/api/c.ts",
      "src/api/c.ts -> src/sdk/d.ts",
      "src/sdk/d.ts -> src/index.ts",
      "src/errors.ts -> src/core/a.ts",
      "server/e.ts -> src/api/c.ts",
      "server/e.ts -> src/sdk/d.ts",
      "server/e.ts -> src/index.ts",
      "src/core/a.ts -> server/e.ts",
      "src/sdk/d.ts -> scripts/build.mjs",
    ]);
    expect(formatLayerViolation(violations[0]!)).toBe(
      'src/core/a.ts: import "./src/protocol/b.ts" (src/protocol/b.ts) src/core may not import the higher layer src/protocol',
    );
    expect(formatLayerViolation(violations[5]!)).toMatch(
      /^server\/e\.ts: import .* server\/ may import src\/protocol, src\/core and src\/errors\.ts only, not src\/api$/,
    );
  });

  it("reports unresolved imports and files outside every layer", () => {
    const violations = findLayerViolations({
      files: [...files, "src/stray.ts"],
      imports: [{ from: "src/api/c.ts", specifier: "./missing.js", to: undefined }],
    });
    expect(violations).toEqual([
      { file: "src/stray.ts", reason: expect.stringMatching(/belongs to no layer/) },
      { file: "src/api/c.ts", specifier: "./missing.js", reason: "the import resolves to no file" },
    ]);
  });

  it("classifies paths into layers", () => {
    expect(layerOf("src/errors.ts")).toBe("errors");
    expect(layerOf("src/index.ts")).toBe("index");
    expect(layerOf("src/core/abi/spec.ts")).toBe("core");
    expect(layerOf("src/sdk/files/upload.ts")).toBe("sdk");
    expect(layerOf("server/http/app.ts")).toBe("server");
    expect(layerOf("src/other.ts")).toBe("unlayered");
    expect(layerOf("src/misc/x.ts")).toBe("unlayered");
    expect(layerOf("test/layers.test.ts")).toBe("outside");
  });
});
