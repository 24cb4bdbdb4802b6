// Per-call bump arena for the host's inputs, outputs and scratch space.
//
// The host (src/core/memory.ts) allocates every buffer a call needs with `alloc`, runs the call, copies the
// results out and then calls `arena_reset`, which wipes every byte handed out since the last reset and
// rewinds the arena. Nothing in assembly/ allocates managed objects, so the `stub` runtime's own heap is
// never used and the arena may start at __heap_base.

const ALIGN: usize = 16;

// @ts-ignore: decorator
@lazy let base: usize = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
// @ts-ignore: decorator
@lazy let top: usize = base;

/** Reserves `len` bytes (16-byte aligned), growing memory when needed. Returns 0 if memory cannot grow. */
export function alloc(len: i32): usize {
  if (len < 0) return 0;
  const ptr = top;
  const end = (ptr + <usize>len + ALIGN - 1) & ~(ALIGN - 1);
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >>> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  top = end;
  return ptr;
}

/** Wipes every byte allocated since the last reset, then rewinds the arena. */
export function arena_reset(): void {
  memory.fill(base, 0, top - base);
  top = base;
}
