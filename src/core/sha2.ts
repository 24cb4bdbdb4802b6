import { SentcError } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** The exports of assembly/sha256.ts and assembly/sha512.ts (assembly/abi/hash.ts). */
interface Sha2Exports {
  readonly SHA256_STATE_BYTES: WebAssembly.Global;
  readonly SHA512_STATE_BYTES: WebAssembly.Global;
  sha256(data: number, len: number, out: number): number;
  sha256_init(state: number): void;
  sha256_update(state: number, data: number, len: number): number;
  sha256_final(state: number, out: number): number;
  sha512(data: number, len: number, out: number): number;
  sha512_init(state: number): void;
  sha512_update(state: number, data: number, len: number): number;
  sha512_final(state: number, out: number): number;
}

/** SHA-256 (FIPS 180-4) of `data`: 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return withArena((arena, core) => {
    const exports = core as unknown as Sha2Exports;
    const out = arena.reserve(32);
    checkStatus(exports.sha256(arena.put(data), data.length, out), "sha256");
    return arena.read(out, 32);
  });
}

/** SHA-512 (FIPS 180-4) of `data`: 64 bytes. */
export function sha512(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return withArena((arena, core) => {
    const exports = core as unknown as Sha2Exports;
    const out = arena.reserve(64);
    checkStatus(exports.sha512(arena.put(data), data.length, out), "sha512");
    return arena.read(out, 64);
  });
}

type Variant = "sha256" | "sha512";

/**
 * A streaming hash. The state lives on the host as bytes and is copied into the core for every call;
 * after `digest()` the object is finished and any further use throws `invalid_input`.
 */
abstract class StreamingSha2 {
  #state: Uint8Array | undefined;

  protected constructor(private readonly variant: Variant, private readonly digestBytes: number) {
    this.#state = withArena((arena, core) => {
      const exports = core as unknown as Sha2Exports;
      const size = (variant === "sha256" ? exports.SHA256_STATE_BYTES : exports.SHA512_STATE_BYTES).value as number;
      const state = arena.reserve(size);
      (variant === "sha256" ? exports.sha256_init : exports.sha512_init)(state);
      return arena.read(state, size);
    });
  }

  /** Absorbs `data`; returns this object for chaining. */
  update(data: Uint8Array): this {
    const state = this.#live();
    assertBytes(data, "data");
    if (data.length === 0) return this;
    withArena((arena, core) => {
      const exports = core as unknown as Sha2Exports;
      const ptr = arena.put(state);
      const update = this.variant === "sha256" ? exports.sha256_update : exports.sha512_update;
      checkStatus(update(ptr, arena.put(data), data.length), `${this.variant} update`);
      state.set(new Uint8Array(core.memory.buffer, ptr, state.length));
    });
    return this;
  }

  /** Finishes the hash and returns the digest. The object cannot be used afterwards. */
  digest(): Uint8Array {
    const state = this.#live();
    this.#state = undefined;
    try {
      return withArena((arena, core) => {
        const exports = core as unknown as Sha2Exports;
        const ptr = arena.put(state);
        const out = arena.reserve(this.digestBytes);
        const final = this.variant === "sha256" ? exports.sha256_final : exports.sha512_final;
        checkStatus(final(ptr, out), `${this.variant} digest`);
        return arena.read(out, this.digestBytes);
      });
    } finally {
      state.fill(0);
    }
  }

  #live(): Uint8Array {
    if (this.#state === undefined) throw new SentcError("invalid_input", `${this.variant}: digest() was already called`);
    return this.#state;
  }
}

/** Streaming SHA-256: `new Sha256().update(a).update(b).digest()`. */
export class Sha256 extends StreamingSha2 {
  constructor() {
    super("sha256", 32);
  }
}

/** Streaming SHA-512: `new Sha512().update(a).update(b).digest()`. */
export class Sha512 extends StreamingSha2 {
  constructor() {
    super("sha512", 64);
  }
}
