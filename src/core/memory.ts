import { SentcError } from "../errors.js";
import type { CoreExports } from "./abi.js";
import { getCore } from "./loader.js";

/**
 * Runs one call against the core's per-call arena. `fn` reserves buffers with `arena.put`/`arena.reserve`
 * and reads results with `arena.read`; afterwards, even on error, every byte of the arena is wiped and the
 * arena rewound. Views over wasm memory are never cached: each read makes a fresh one, because any
 * allocation may grow (and so detach) the memory buffer.
 */
export function withArena<T>(fn: (arena: Arena, core: CoreExports) => T): T {
  const core = getCore();
  try {
    return fn(new Arena(core), core);
  } finally {
    core.arena_reset();
  }
}

export class Arena {
  constructor(private readonly core: CoreExports) {}

  /** Reserves `len` bytes and returns their address. */
  reserve(len: number): number {
    const ptr = this.core.alloc(len);
    if (ptr === 0) throw new SentcError("out_of_memory", `the core could not reserve ${len} bytes`);
    return ptr;
  }

  /** Copies `bytes` into the arena and returns their address. */
  put(bytes: Uint8Array): number {
    const ptr = this.reserve(bytes.length);
    new Uint8Array(this.core.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  /** Copies `len` bytes at `ptr` out of the arena into a new array. */
  read(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.core.memory.buffer, ptr, len).slice();
  }
}
