/**
 * API parity with the reference SDK (`@sentclose/sentc` 0.15, spec sdk.md §1–§4, §8.1): every member of
 * test/parity/reference-api.json exists on our classes with the same kind, static-ness and `Function.length`,
 * returns a Promise exactly where the reference does (read from our declared return types), and the UMD build's
 * global holds the reference's keys. The JSON itself is checked against scripts/parity-reference.mjs, which
 * derives it from the signatures in sdk.md, and every name in it against the text of sdk.md.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as root from "../../src/index.js";
import { Downloader, FileHelper, Group, Sentc, SymKey, Uploader, User } from "../../src/index.js";
// @ts-expect-error: a plain ESM script without types
import { REFERENCE_JSON_PATH, buildReferenceApi } from "../../scripts/parity-reference.mjs";
import { newUser, reinit, startSdkHarness, type SdkHarness } from "../sdk/helpers.js";

interface ReferenceMember {
  name: string;
  static: boolean;
  kind: "method" | "property" | "getter" | "setter";
  length?: number;
  returns?: "promise" | "sync" | "promise-or-sync";
  private_in_reference?: boolean;
  signature: string;
}
interface ReferenceClass {
  kind: "class" | "object";
  constructor_length?: number;
  members: ReferenceMember[];
}
interface ReferenceApi {
  global: string[];
  classes: Record<string, ReferenceClass>;
}

const ROOT = new URL("../../", import.meta.url);
const reference = JSON.parse(readFileSync(REFERENCE_JSON_PATH, "utf8")) as ReferenceApi;
const OURS: Record<string, unknown> = { Sentc, User, Group, SymKey, Uploader, Downloader, FileHelper };

describe("the reference list", () => {
  it("is what scripts/parity-reference.mjs derives from the sdk.md signatures", () => {
    expect(readFileSync(REFERENCE_JSON_PATH, "utf8")).toBe(`${JSON.stringify(buildReferenceApi(), null, 2)}\n`);
  });

  it("names only members that sdk.md documents, in the numbers its report gives", () => {
    const specPath = fileURLToPath(new URL("../shared/spec/sdk.md", ROOT));
    expect(existsSync(specPath), `the SDK spec is missing at ${specPath}`).toBe(true);
    const spec = readFileSync(specPath, "utf8");
    for (const [className, cls] of Object.entries(reference.classes)) {
      for (const member of cls.members) {
        expect(new RegExp(`\\b${member.name}\\b`).test(spec), `${className}.${member.name} is not in sdk.md`).toBe(
          true,
        );
      }
    }
    const count = (name: string, filter: (m: ReferenceMember) => boolean) =>
      reference.classes[name]!.members.filter(filter).length;
    const publicMethod = (m: ReferenceMember) => m.kind === "method" && !m.private_in_reference;
    expect(count("Sentc", (m) => publicMethod(m) && m.static)).toBe(26);
    expect(count("User", publicMethod)).toBe(64);
    expect(count("Group", publicMethod)).toBe(77);
    expect(count("Group", (m) => m.kind === "setter")).toBe(2);
    expect(count("SymKey", publicMethod)).toBe(6);
    expect(count("Uploader", (m) => publicMethod(m) && !m.static)).toBe(4);
    expect(count("Downloader", (m) => publicMethod(m) && !m.static)).toBe(3);
    expect(count("Downloader", (m) => m.static)).toBe(4);
    expect(count("FileHelper", publicMethod)).toBe(1);
  });
});

// ---------- our classes ----------

let s: SdkHarness;
let instances: Record<string, object>;

beforeAll(async () => {
  s = await startSdkHarness();
  await reinit(s);
  const { user } = await newUser();
  const group = await user.getGroup(await user.createGroup());
  const [key] = await group.generateNonRegisteredKey();
  instances = { User: user, Group: group, SymKey: key };
});
afterAll(() => s.h.close());

function describeMember(className: string, member: ReferenceMember): string {
  return `${className}${member.static ? "." : "#"}${member.name}`;
}

describe.each(Object.keys(reference.classes))("%s", (className) => {
  const cls = reference.classes[className]!;
  const ours = OURS[className] as Record<string, unknown> & { prototype?: object; length?: number };

  it("is exported from the package root", () => {
    expect(ours, `${className} is not exported`).toBeDefined();
    expect((root as Record<string, unknown>)[className === "Sentc" ? "default" : className]).toBe(ours);
    if (cls.kind === "class") expect(typeof ours).toBe("function");
    if (cls.constructor_length !== undefined)
      expect(ours.length, `${className} constructor length`).toBe(cls.constructor_length);
  });

  it.each(
    cls.members.filter((m) => m.kind === "method").map((m) => [m.name + (m.static ? " (static)" : ""), m] as const),
  )("method %s: same name, kind and length", (_label, member) => {
    const owner = member.static || cls.kind === "object" ? ours : ours.prototype!;
    const fn = (owner as Record<string, unknown>)[member.name];
    expect(typeof fn, `${describeMember(className, member)} is missing`).toBe("function");
    expect(
      (fn as (...args: unknown[]) => unknown).length,
      `${describeMember(className, member)}.length (reference: ${member.signature})`,
    ).toBe(member.length);
  });

  const others = cls.members.filter((m) => m.kind !== "method");
  if (others.length > 0) {
    it.each(others.map((m) => [m.name, m] as const))("%s: exists with the reference's kind", (_label, member) => {
      const label = describeMember(className, member);
      if (member.kind === "setter" || member.kind === "getter") {
        const descriptor = Object.getOwnPropertyDescriptor(ours.prototype!, member.name);
        expect(typeof (member.kind === "setter" ? descriptor?.set : descriptor?.get), `${label} accessor`).toBe(
          "function",
        );
      } else if (member.static) {
        expect(member.name in ours, `${label} is missing`).toBe(true);
        expect(ours[member.name], `${label} is undefined`).not.toBeUndefined();
      } else {
        const instance = instances[className];
        expect(instance, `no ${className} instance to look at`).toBeDefined();
        expect(member.name in instance!, `${label} is missing`).toBe(true);
        expect((instance as Record<string, unknown>)[member.name], `${label} is undefined`).not.toBeUndefined();
      }
    });
  }
});

// ---------- Promise or not: the declared return types of our classes ----------

describe("returns a Promise exactly where the reference does", () => {
  let returnsPromise: (className: string, member: ReferenceMember) => boolean[];

  beforeAll(() => {
    const entry = fileURLToPath(new URL("src/sdk/index.ts", ROOT));
    const program = ts.createProgram([entry], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: ["node"],
    });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    const exported = new Map(
      checker
        .getExportsOfModule(moduleSymbol)
        .map((symbol) => [
          symbol.name,
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol,
        ]),
    );
    returnsPromise = (className, member) => {
      const symbol = exported.get(className);
      if (!symbol) throw new Error(`${className} is not exported from src/sdk/index.ts`);
      const declaration = symbol.valueDeclaration ?? symbol.declarations![0]!;
      const staticSide = checker.getTypeOfSymbolAtLocation(symbol, declaration);
      const owner =
        member.static || ts.isVariableDeclaration(declaration) ? staticSide : checker.getDeclaredTypeOfSymbol(symbol);
      const property = owner.getProperty(member.name);
      if (!property) throw new Error(`${className}.${member.name} has no declaration`);
      const type = checker.getTypeOfSymbolAtLocation(property, property.valueDeclaration ?? declaration);
      return type
        .getCallSignatures()
        .map((signature) => /^Promise</.test(checker.typeToString(checker.getReturnTypeOfSignature(signature))));
    };
  }, 120_000);

  for (const [className, cls] of Object.entries(reference.classes)) {
    const methods = cls.members.filter((m) => m.kind === "method");
    it(`${className}: ${methods.length} methods`, () => {
      for (const member of methods) {
        const promises = returnsPromise(className, member);
        const label = `${describeMember(className, member)} (reference: ${member.signature})`;
        expect(promises.length, `${label} has no call signature`).toBeGreaterThan(0);
        // "promise-or-sync": the reference's synchronous `false` on empty input is a rejected Promise here
        // (Appendix B 15, docs/migrating-from-sentc.md).
        const expected = member.returns !== "sync";
        for (const promise of promises) expect(promise, label).toBe(expected);
      }
    });
  }
});

// ---------- the UMD global ----------

describe("the UMD build's global (sdk.md §8.1)", () => {
  it("holds the reference's keys: the classes, FileHelper and default = Sentc", () => {
    const umdPath = fileURLToPath(new URL("dist/sentc.umd.js", ROOT));
    if (!existsSync(umdPath))
      throw new Error("dist/sentc.umd.js is missing: build it with `node scripts/build-lib.mjs` before this test");
    const context: Record<string, unknown> = {
      console,
      URL,
      Blob,
      TextEncoder,
      TextDecoder,
      Uint8Array,
      ArrayBuffer,
      WebAssembly,
      crypto: globalThis.crypto,
      setTimeout,
      clearTimeout,
    };
    context.self = context;
    context.window = context;
    context.globalThis = context;
    vm.createContext(context);
    vm.runInContext(readFileSync(umdPath, "utf8"), context, { filename: "sentc.umd.js" });
    const global = context.Sentc as Record<string, unknown> | undefined;
    expect(global, "the UMD build defines no global Sentc").toBeDefined();
    for (const key of reference.global) expect(Object.keys(global!), `window.Sentc.${key}`).toContain(key);
    // Class names are minified in the bundle (as in the reference's webpack build): the members tell them apart.
    for (const [className, cls] of Object.entries(reference.classes)) {
      const value = global![className === "Sentc" ? "default" : className] as Record<string, unknown> & {
        prototype?: Record<string, unknown>;
      };
      expect(typeof value, `window.Sentc.${className}`).toBe(cls.kind === "class" ? "function" : "object");
      for (const member of cls.members.filter((m) => m.kind === "method")) {
        const owner = member.static || cls.kind === "object" ? value : value.prototype!;
        expect(typeof owner[member.name], `window.Sentc: ${describeMember(className, member)}`).toBe("function");
        expect(
          (owner[member.name] as () => unknown).length,
          `window.Sentc: ${describeMember(className, member)}.length`,
        ).toBe(member.length);
      }
    }
    expect((global!.Uploader as { cancel_upload: unknown }).cancel_upload).toBe(false);
    expect((global!.Downloader as { cancel_download: unknown }).cancel_download).toBe(false);
    // The ESM entry exports the same names (plus its own extras).
    for (const key of reference.global) expect(Object.keys(root), `export ${key}`).toContain(key);
  });
});
