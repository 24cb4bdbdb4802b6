import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/**
 * SHA-256 (FIPS 180-4) of `data`: 32 bytes.
 * @throws {SentcError} `invalid_input` when `data` is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { initCore, sha256 } from "sentc-as/core";
 * await initCore();
 * const digest = sha256(new TextEncoder().encode("abc")); // 32 bytes
 * ```
 */
export function sha256(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return withArena((arena, core) => {
    const out = arena.reserve(32);
    checkStatus(core.sha256(arena.put(data), data.length, out), "sha256");
    return arena.read(out, 32);
  });
}

/**
 * SHA-512 (FIPS 180-4) of `data`: 64 bytes.
 * @throws {SentcError} `invalid_input` when `data` is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { initCore, sha512 } from "sentc-as/core";
 * await initCore();
 * const digest = sha512(new TextEncoder().encode("abc")); // 64 bytes
 * ```
 */
export function sha512(data: Uint8Array): Uint8Array {
  assertBytes(data, "data");
  return withArena((arena, core) => {
    const out = arena.reserve(64);
    checkStatus(core.sha512(arena.put(data), data.length, out), "sha512");
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

  protected constructor(
    private readonly variant: Variant,
    private readonly digestBytes: number,
  ) {
    this.#state = withArena((arena, core) => {
      const size = (variant === "sha256" ? core.SHA256_STATE_BYTES : core.SHA512_STATE_BYTES).value as number;
      const state = arena.reserve(size);
      (variant === "sha256" ? core.sha256_init : core.sha512_init)(state);
      return arena.read(state, size);
    });
  }

  /**
   * Absorbs `data`; returns this object for chaining.
   * @throws {SentcError} `invalid_input` when `data` is not a Uint8Array or `digest()` was already called.
   * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
   * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
   * @example
   * ```ts
   * import { initCore, Sha256 } from "sentc-as/core";
   * await initCore();
   * const hash = new Sha256().update(new Uint8Array([1])).update(new Uint8Array([2]));
   * ```
   */
  update(data: Uint8Array): this {
    const state = this.#live();
    assertBytes(data, "data");
    if (data.length === 0) return this;
    withArena((arena, core) => {
      const ptr = arena.put(state);
      const update = this.variant === "sha256" ? core.sha256_update : core.sha512_update;
      checkStatus(update(ptr, arena.put(data), data.length), `${this.variant} update`);
      state.set(new Uint8Array(core.memory.buffer, ptr, state.length));
    });
    return this;
  }

  /**
   * Finishes the hash and returns the digest (32 bytes for SHA-256, 64 for SHA-512). The object cannot be
   * used afterwards.
   * @throws {SentcError} `invalid_input` when `digest()` was already called.
   * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
   * @example
   * ```ts
   * import { initCore, Sha512 } from "sentc-as/core";
   * await initCore();
   * const digest = new Sha512().update(new TextEncoder().encode("abc")).digest(); // 64 bytes
   * ```
   */
  digest(): Uint8Array {
    const state = this.#live();
    this.#state = undefined;
    try {
      return withArena((arena, core) => {
        const ptr = arena.put(state);
        const out = arena.reserve(this.digestBytes);
        const final = this.variant === "sha256" ? core.sha256_final : core.sha512_final;
        checkStatus(final(ptr, out), `${this.variant} digest`);
        return arena.read(out, this.digestBytes);
      });
    } finally {
      state.fill(0);
    }
  }

  #live(): Uint8Array {
    if (this.#state === undefined) throw invalidInput(`${this.variant}: digest() was already called`);
    return this.#state;
  }
}

/**
 * Streaming SHA-256 (FIPS 180-4): `new Sha256().update(a).update(b).digest()` equals `sha256(a ‖ b)`.
 * @throws {SentcError} `core_not_initialized` (from the constructor) before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, Sha256 } from "sentc-as/core";
 * await initCore();
 * const digest = new Sha256().update(new Uint8Array([1, 2])).update(new Uint8Array([3])).digest();
 * ```
 */
export class Sha256 extends StreamingSha2 {
  constructor() {
    super("sha256", 32);
  }
}

/**
 * Streaming SHA-512 (FIPS 180-4): `new Sha512().update(a).update(b).digest()` equals `sha512(a ‖ b)`.
 * @throws {SentcError} `core_not_initialized` (from the constructor) before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, Sha512 } from "sentc-as/core";
 * await initCore();
 * const digest = new Sha512().update(new Uint8Array([1, 2])).update(new Uint8Array([3])).digest();
 * ```
 */
export class Sha512 extends StreamingSha2 {
  constructor() {
    super("sha512", 64);
  }
}
