/**
 * The vocabulary of the ABI declaration (src/core/abi.ts). Every export of build/core.wasm is described
 * once, as data: its kind and, for a function, the names of its parameters and its result. The host types
 * are derived from that data, and test/core/abi.test.ts compares the same data with the compiled module.
 * Only numbers cross the boundary (docs/core.md): every parameter and result is an `i32`.
 */

/** What an exported function returns: one `i32` (a status code, pointer or flag) or nothing. */
export type FunctionResult = "i32" | "void";

/** An exported function: the names of its `i32` parameters, in order, and its result. */
export interface FunctionExport<
  Params extends readonly string[] = readonly string[],
  Result extends FunctionResult = FunctionResult,
> {
  readonly kind: "function";
  readonly params: Params;
  readonly result: Result;
}

/** An exported immutable `i32` global (a size constant such as `SHA256_STATE_BYTES`). */
export interface GlobalExport {
  readonly kind: "global";
}

/** The exported linear memory. */
export interface MemoryExport {
  readonly kind: "memory";
}

/** One export of the core. */
export type ExportSpec = FunctionExport | GlobalExport | MemoryExport;

/** The exports of one area (one file of assembly/abi/), by export name. */
export type AreaSpec = Readonly<Record<string, ExportSpec>>;

/**
 * Declares an exported function.
 * @param params the parameter names, in order (their number is the function's arity).
 * @param result `"i32"` when the function returns a value, `"void"` when it returns nothing.
 * @returns the declaration, with the names kept as a literal tuple type.
 * Never throws.
 * @example
 * const sha256 = exportedFunction(["data", "len", "out"], "i32");
 */
export function exportedFunction<const Params extends readonly string[], const Result extends FunctionResult>(
  params: Params,
  result: Result,
): FunctionExport<Params, Result> {
  return { kind: "function", params, result };
}

/** Declares an exported global. */
export const EXPORTED_GLOBAL: GlobalExport = { kind: "global" };

/** Declares the exported memory. */
export const EXPORTED_MEMORY: MemoryExport = { kind: "memory" };

/** One `number` per parameter name: `readonly ["ptr", "len"]` → `[number, number]`. */
type NumberArgs<Params extends readonly string[]> = { -readonly [Index in keyof Params]: number };

/** The host-side type of one declared export, as `WebAssembly.Instance.exports` holds it. */
export type HostExport<Spec> =
  Spec extends FunctionExport<infer Params, infer Result>
    ? (...args: NumberArgs<Params>) => Result extends "i32" ? number : void
    : Spec extends GlobalExport
      ? WebAssembly.Global
      : Spec extends MemoryExport
        ? WebAssembly.Memory
        : never;

/** The host-side type of an area: one typed member per declared export. */
export type AreaExports<Area> = { readonly [Name in keyof Area]: HostExport<Area[Name]> };

/** The intersection of the members of a union: `A | B` → `A & B`. */
type Intersection<Union> = (Union extends unknown ? (member: Union) => void : never) extends (all: infer All) => void
  ? All
  : never;

/** The host-side type of a whole module declared area by area: the exports of every area in one type. */
export type ModuleExports<Areas extends Readonly<Record<string, AreaSpec>>> = AreaExports<
  Intersection<Areas[keyof Areas]>
>;
