import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import ts from "typescript";

/**
 * The layer rule of the package (README, Layout): src/core ← src/protocol ←
 * src/api ← src/sdk, each layer importing only itself and the layers below it; src/errors.ts is a shared
 * root any layer may import (it imports no layer itself); src/index.ts is the public entry point, which
 * may import every layer and which no file imports; server/ may import src/protocol, src/core and
 * src/errors.ts, never src/api, src/sdk or src/index.ts.
 */

/** Where a file belongs. `outside` is anything not in src/ or server/. */
export type Layer = "errors" | "core" | "protocol" | "api" | "sdk" | "index" | "server" | "outside" | "unlayered";

/** One import of a source file, paths relative to the repository root with `/` separators. */
export interface ImportEdge {
  /** The importing file. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The file it resolves to, or `undefined` when it resolves to no file. */
  to: string | undefined;
}

/** The files of the checked trees and their imports of other files of the repository. */
export interface ImportGraph {
  files: string[];
  imports: ImportEdge[];
}

/** An import (or a file) that breaks the layer rule. */
export interface LayerViolation {
  file: string;
  specifier?: string;
  target?: string;
  reason: string;
}

const LIBRARY_LAYERS = ["core", "protocol", "api", "sdk"] as const;
type LibraryLayer = (typeof LIBRARY_LAYERS)[number];

/** Bare specifiers that name a file of the repository (tsconfig.json `paths`). */
const PATH_ALIASES: Readonly<Record<string, string>> = { "sentc-as": "src/index.ts" };

/** The layer of a repository-relative path. */
export function layerOf(path: string): Layer {
  if (path === "src/errors.ts") return "errors";
  if (path === "src/index.ts") return "index";
  if (path.startsWith("server/")) return "server";
  if (!path.startsWith("src/")) return "outside";
  const layer = path.split("/")[1];
  return (LIBRARY_LAYERS as readonly string[]).includes(layer ?? "") && path.split("/").length > 2
    ? (layer as LibraryLayer)
    : "unlayered";
}

/** Why `from` may not import `to`, or `undefined` when it may. */
function forbidden(from: Layer, to: Layer): string | undefined {
  if (to === "unlayered") return "the imported file belongs to no layer";
  if (to === "index") return "src/index.ts is the public entry point: no file of src/ or server/ may import it";
  switch (from) {
    case "errors":
      return to === "errors" ? undefined : "src/errors.ts is a shared root and imports no layer";
    case "index":
      return to === "server" || to === "outside" ? `src/index.ts may import src/ only, not ${to}` : undefined;
    case "server":
      return to === "server" || to === "protocol" || to === "core" || to === "errors"
        ? undefined
        : `server/ may import src/protocol, src/core and src/errors.ts only, not ${to === "outside" ? "files outside src/ and server/" : `src/${to}`}`;
    case "core":
    case "protocol":
    case "api":
    case "sdk": {
      if (to === "errors") return undefined;
      if (to === "server") return `src/${from} may not import server/`;
      if (to === "outside") return `src/${from} may not import files outside src/`;
      const fromRank = LIBRARY_LAYERS.indexOf(from);
      const toRank = LIBRARY_LAYERS.indexOf(to as LibraryLayer);
      return toRank <= fromRank ? undefined : `src/${from} may not import the higher layer src/${to}`;
    }
    default:
      return `${from} files are not checked`;
  }
}

/** Every violation of the layer rule in `graph`: imports against the layers, unresolved imports, unlayered files. */
export function findLayerViolations(graph: ImportGraph): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const file of graph.files) {
    if (layerOf(file) === "unlayered") {
      violations.push({
        file,
        reason: "the file belongs to no layer (src/<core|protocol|api|sdk>/, src/errors.ts, src/index.ts)",
      });
    }
  }
  for (const { from, specifier, to } of graph.imports) {
    const fromLayer = layerOf(from);
    if (fromLayer === "unlayered" || fromLayer === "outside") continue;
    if (to === undefined) {
      violations.push({ file: from, specifier, reason: "the import resolves to no file" });
      continue;
    }
    const reason = forbidden(fromLayer, layerOf(to));
    if (reason) violations.push({ file: from, specifier, target: to, reason });
  }
  return violations;
}

/** One line per violation: `file: import "specifier" (target): reason`. */
export function formatLayerViolation(violation: LayerViolation): string {
  const what =
    violation.specifier === undefined
      ? ""
      : ` import "${violation.specifier}"${violation.target ? ` (${violation.target})` : ""}`;
  return `${violation.file}:${what} ${violation.reason}`;
}

function listSourceFiles(rootDir: string, dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(posix.join(rootDir, dir), { withFileTypes: true })) {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSourceFiles(rootDir, path));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

/** The repository file a relative specifier names, trying the TypeScript source of a `.js` specifier. */
function resolveRelative(rootDir: string, from: string, specifier: string): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const base = target.replace(/\.(m?js|cjs)$/, "");
  const candidates = [
    target,
    `${base}.ts`,
    `${base}.mts`,
    `${base}.cts`,
    `${base}.tsx`,
    `${target}.ts`,
    `${target}/index.ts`,
  ];
  return candidates.find((candidate) => {
    const full = posix.join(rootDir, candidate);
    return existsSync(full) && statSync(full).isFile();
  });
}

/**
 * Reads the import graph of `dirs` (repository-relative): static imports, re-exports (`export … from`),
 * dynamic `import("…")` and `require("…")` with a relative specifier or a tsconfig path alias. Package
 * imports are not part of the graph.
 */
export function readImportGraph(rootDir: string, dirs: readonly string[]): ImportGraph {
  const files = dirs.flatMap((dir) => listSourceFiles(rootDir, dir)).sort();
  const imports: ImportEdge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(readFileSync(posix.join(rootDir, from), "utf8"), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (specifier.startsWith("./") || specifier.startsWith("../")) {
        imports.push({ from, specifier, to: resolveRelative(rootDir, from, specifier) });
      } else if (PATH_ALIASES[specifier] !== undefined) {
        imports.push({ from, specifier, to: PATH_ALIASES[specifier] });
      }
    }
  }
  return { files, imports };
}
