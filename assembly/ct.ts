// Constant-time helpers shared by every primitive.

/** Returns 1 when the `len` bytes at `a` and `b` are equal, else 0. Reads every byte; no early exit. */
export function ct_equal(a: usize, b: usize, len: i32): i32 {
  let diff: u32 = 0;
  for (let i = 0; i < len; i++) {
    diff |= <u32>load<u8>(a + i) ^ <u32>load<u8>(b + i);
  }
  // (diff - 1) >> 31 is 1 only for diff == 0, without a branch on diff.
  return <i32>(((diff - 1) >>> 31) & 1);
}

/** Overwrites `len` bytes at `ptr` with zeros. */
export function wipe(ptr: usize, len: i32): void {
  if (len > 0) memory.fill(ptr, 0, <usize>len);
}
