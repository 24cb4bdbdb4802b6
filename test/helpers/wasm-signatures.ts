/**
 * Reads the exported signatures of a WebAssembly binary: the kind of every export and, for functions, the
 * parameter and result types from the type section (WebAssembly core spec §5.5: type section 1, import
 * section 2, function section 3, export section 7). `WebAssembly.Module.exports()` gives names and kinds
 * only; the arity is in the binary.
 */

/** A value type of the WebAssembly MVP plus v128 (§5.3.1). */
export type ValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface ExportedSignature {
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** For a function: its parameter types. */
  params?: ValueType[];
  /** For a function: its result types. */
  results?: ValueType[];
}

const VALUE_TYPES: Readonly<Record<number, ValueType>> = {
  127: "i32",
  126: "i64",
  125: "f32",
  124: "f64",
  123: "v128",
  112: "funcref",
  111: "externref",
};

const EXPORT_KINDS = ["function", "table", "memory", "global", "tag"] as const;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new Error(`wasm: unexpected end at byte ${this.offset}`);
    this.offset += 1;
    return value;
  }

  /** An unsigned LEB128 number of at most 32 bits (§5.2.2). */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error(`wasm: LEB128 number too long at byte ${this.offset}`);
  }

  valueType(): ValueType {
    const code = this.byte();
    const type = VALUE_TYPES[code];
    if (type === undefined) throw new Error(`wasm: unsupported value type 0x${code.toString(16)}`);
    return type;
  }

  name(): string {
    const length = this.u32();
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      this.bytes.subarray(this.offset, this.offset + length),
    );
    this.offset += length;
    return text;
  }
}

/**
 * The exports of a module that has no imports (the crypto core must have none), with function signatures.
 * @throws Error for a malformed binary, an import section, or a type this reader does not know.
 */
export function readExportedSignatures(binary: Uint8Array): ExportedSignature[] {
  const reader = new Reader(binary);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const expected of header) {
    if (reader.byte() !== expected) throw new Error("wasm: not a version-1 WebAssembly binary");
  }
  const types: { params: ValueType[]; results: ValueType[] }[] = [];
  const functionTypes: number[] = [];
  const exports: { name: string; kind: number; index: number }[] = [];
  while (reader.offset < binary.length) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (end > binary.length) throw new Error(`wasm: section ${id} runs past the end of the binary`);
    if (id === 1) {
      for (let count = reader.u32(); count > 0; count--) {
        const form = reader.byte();
        if (form !== 0x60) throw new Error(`wasm: unsupported type form 0x${form.toString(16)}`);
        const params = Array.from({ length: reader.u32() }, () => reader.valueType());
        const results = Array.from({ length: reader.u32() }, () => reader.valueType());
        types.push({ params, results });
      }
    } else if (id === 2) {
      throw new Error("wasm: modules with imports are not supported");
    } else if (id === 3) {
      for (let count = reader.u32(); count > 0; count--) functionTypes.push(reader.u32());
    } else if (id === 7) {
      for (let count = reader.u32(); count > 0; count--) {
        exports.push({ name: reader.name(), kind: reader.byte(), index: reader.u32() });
      }
    }
    if (id === 1 || id === 3 || id === 7) {
      if (reader.offset !== end) throw new Error(`wasm: section ${id} has ${end - reader.offset} unread bytes`);
    }
    reader.offset = end;
  }
  return exports.map(({ name, kind, index }) => {
    const kindName = EXPORT_KINDS[kind];
    if (kindName === undefined) throw new Error(`wasm: export ${name} has unknown kind ${kind}`);
    if (kindName !== "function") return { name, kind: kindName };
    const typeIndex = functionTypes[index];
    const type = typeIndex === undefined ? undefined : types[typeIndex];
    if (type === undefined) throw new Error(`wasm: export ${name} names function ${index}, which has no type`);
    return { name, kind: kindName, params: type.params, results: type.results };
  });
}
