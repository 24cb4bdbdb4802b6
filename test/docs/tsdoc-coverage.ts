/**
 * TSDoc coverage of a public entry point, read with the TypeScript compiler API.
 *
 * From an entry file, every export is followed to its declaration (re-exports and aliases resolved by the
 * type checker) and its doc comment checked:
 * - every exported declaration (function, class, constant, type, interface) has a description;
 * - functions, exported `const`s initialised with an arrow function or function expression, and the public
 *   methods of exported classes (instance and static, inherited ones included, getters and setters too)
 *   also have an `@example` and an `@throws` tag;
 * - the `@throws` rule is deliberately simple: required for every function and method unless its doc says
 *   "Never throws."; an accessor (get/set) needs it only when its own body contains a `throw` statement.
 *   A `@throws {SentcError}` tag must name at least one SentcError code in backticks (e.g. `invalid_input`).
 * Constructors are not checked separately: the class comment documents construction.
 *
 * Each finding is one string, `<export>[.<member>] <what is missing>`, so that a list of findings can be kept
 * as an allowlist that only shrinks.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The public entry points whose TSDoc is checked, relative to the repository root. */
export const TSDOC_ENTRIES = {
  core: "src/core/index.ts",
  sdk: "src/index.ts",
} as const;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A program over `entryFiles` with the compiler options of `tsconfigPath` (default: the repository's). */
export function loadProgram(
  entryFiles: readonly string[],
  tsconfigPath = resolve(REPO_ROOT, "tsconfig.json"),
): ts.Program {
  const config = ts.readConfigFile(tsconfigPath, (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfigPath));
  return ts.createProgram({ rootNames: entryFiles.map((file) => resolve(REPO_ROOT, file)), options: parsed.options });
}

/** The string literals of the `SentcErrorCode` union declared in src/errors.ts of `program`. */
export function sentcErrorCodes(program: ts.Program): Set<string> {
  const checker = program.getTypeChecker();
  const file = program.getSourceFiles().find((f) => f.fileName.endsWith("/src/errors.ts"));
  const declaration = file?.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === "SentcErrorCode",
  );
  if (!declaration) throw new Error("type SentcErrorCode not found in src/errors.ts");
  const type = checker.getTypeAtLocation(declaration.name);
  const members = type.isUnion() ? type.types : [type];
  return new Set(members.filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value));
}

interface DocComment {
  description: string;
  tags: ts.JSDocTag[];
}

/** The doc comments written directly on `node` (for a variable, on its statement). */
function docOf(node: ts.Node): DocComment {
  const jsDocs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return {
    description: jsDocs
      .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
      .join("\n")
      .trim(),
    tags: jsDocs.flatMap((doc) => [...(doc.tags ?? [])]),
  };
}

function mergeDocs(nodes: readonly ts.Node[]): DocComment {
  const docs = nodes.map(docOf);
  return {
    description: docs
      .map((d) => d.description)
      .join("\n")
      .trim(),
    tags: docs.flatMap((d) => d.tags),
  };
}

const tagText = (tag: ts.JSDocTag): string => (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();

function isProjectSource(node: ts.Node): boolean {
  const file = node.getSourceFile();
  return !file.isDeclarationFile && !file.fileName.includes("/node_modules/");
}

function containsThrow(node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node): void => {
    if (found) return;
    if (ts.isThrowStatement(child)) found = true;
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** What is missing from the doc of a function-like member: description, @example, @throws (and its code). */
function functionFindings(doc: DocComment, throwsRequired: boolean, errorCodes: ReadonlySet<string>): string[] {
  const findings: string[] = [];
  if (doc.description === "") findings.push("description");
  if (!doc.tags.some((tag) => tag.tagName.text === "example" && tagText(tag) !== "")) findings.push("@example");
  const throwsTags = doc.tags.filter((tag) => tag.tagName.text === "throws");
  const neverThrows = [doc.description, ...doc.tags.map(tagText)].some((text) => text.includes("Never throws."));
  if (throwsRequired && !neverThrows && !throwsTags.some((tag) => tagText(tag) !== "")) findings.push("@throws");
  for (const tag of throwsTags) {
    const namesSentcError = ts.isJSDocThrowsTag(tag) && tag.typeExpression?.type.getText() === "SentcError";
    if (!namesSentcError) continue;
    const codes = [...tagText(tag).matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!);
    if (!codes.some((code) => errorCodes.has(code))) findings.push("@throws code");
  }
  return findings;
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.AccessorDeclaration;

function isPublicMember(declaration: FunctionLike): boolean {
  if (declaration.name !== undefined && ts.isPrivateIdentifier(declaration.name)) return false;
  const flags = ts.getCombinedModifierFlags(declaration);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

function classMemberFindings(
  checker: ts.TypeChecker,
  className: string,
  classSymbol: ts.Symbol,
  classDeclaration: ts.ClassDeclaration,
  errorCodes: ReadonlySet<string>,
): string[] {
  const findings: string[] = [];
  const instanceMembers = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(classSymbol));
  const staticMembers = checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(classSymbol, classDeclaration));
  for (const [members, prefix] of [
    [instanceMembers, ""],
    [staticMembers, "static "],
  ] as const) {
    for (const member of members) {
      const declarations = (member.declarations ?? []).filter(
        (d): d is FunctionLike =>
          (ts.isMethodDeclaration(d) || ts.isAccessor(d)) && isProjectSource(d) && isPublicMember(d),
      );
      if (declarations.length === 0) continue;
      const accessors = declarations.filter(ts.isAccessor);
      const throwsRequired =
        accessors.length === declarations.length
          ? accessors.some((accessor) => accessor.body !== undefined && containsThrow(accessor.body))
          : true;
      const name = `${className}.${prefix}${member.getName()}`;
      for (const what of functionFindings(mergeDocs(declarations), throwsRequired, errorCodes))
        findings.push(`${name} ${what}`);
    }
  }
  return findings;
}

function isFunctionValued(declaration: ts.Declaration): declaration is ts.VariableDeclaration {
  return (
    ts.isVariableDeclaration(declaration) &&
    declaration.initializer !== undefined &&
    (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))
  );
}

/**
 * Every missing piece of TSDoc among the exports of `entryFile` (absolute, or relative to the repository
 * root), sorted. `errorCodes` are the codes a `@throws {SentcError}` tag may name.
 */
export function findMissingDocs(program: ts.Program, entryFile: string, errorCodes: ReadonlySet<string>): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(REPO_ROOT, entryFile));
  if (!source) throw new Error(`${entryFile} is not part of the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module`);

  const exportsBySymbol = new Map<ts.Symbol, string>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName() === "default" ? target.getName() : exported.getName();
    if (!exportsBySymbol.has(target) || exportsBySymbol.get(target) === "default") exportsBySymbol.set(target, name);
  }

  const findings: string[] = [];
  for (const [symbol, name] of exportsBySymbol) {
    const declarations = (symbol.declarations ?? []).filter(isProjectSource);
    if (declarations.length === 0) continue;
    const functions = declarations.filter(
      (d): d is ts.FunctionDeclaration | ts.VariableDeclaration => ts.isFunctionDeclaration(d) || isFunctionValued(d),
    );
    if (functions.length > 0) {
      for (const what of functionFindings(mergeDocs(functions), true, errorCodes)) findings.push(`${name} ${what}`);
      continue;
    }
    if (mergeDocs(declarations).description === "") findings.push(`${name} description`);
    const classDeclaration = declarations.find(ts.isClassDeclaration);
    if (classDeclaration) findings.push(...classMemberFindings(checker, name, symbol, classDeclaration, errorCodes));
  }
  return [...new Set(findings)].sort();
}

/**
 * The `@example` blocks of the functions and public class methods exported by `entryFile`, code fences removed;
 * with `declaredUnder`, only of what is declared in that folder (the crypto entry also re-exports `SentcError`).
 */
export function examplesOf(
  program: ts.Program,
  entryFile: string,
  declaredUnder?: string,
): { name: string; code: string }[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(REPO_ROOT, entryFile));
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module of the program`);
  const seen = new Set<ts.JSDocTag>();
  const examples: { name: string; code: string }[] = [];
  const collect = (name: string, nodes: readonly ts.Node[]): void => {
    for (const tag of mergeDocs(nodes).tags) {
      if (tag.tagName.text !== "example" || seen.has(tag)) continue;
      seen.add(tag);
      examples.push({
        name,
        code: tagText(tag)
          .replace(/^```\w*\n?/, "")
          .replace(/\n?```\s*$/, ""),
      });
    }
  };
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const inScope = (node: ts.Node) =>
      declaredUnder === undefined || node.getSourceFile().fileName.startsWith(resolve(REPO_ROOT, declaredUnder));
    const declarations = (symbol.declarations ?? []).filter(isProjectSource).filter(inScope);
    collect(exported.getName(), declarations);
    const classDeclaration = declarations.find(ts.isClassDeclaration);
    if (!classDeclaration) continue;
    const members = [
      ...checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)),
      ...checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(symbol, classDeclaration)),
    ];
    for (const member of members)
      collect(`${exported.getName()}.${member.getName()}`, (member.declarations ?? []).filter(isProjectSource));
  }
  return examples;
}
