// Replaces AssemblyScript's default `abort` import so that the module has no imports at all: a failed
// runtime check traps instead of calling into the host. Secrets never reach an error message.
export function abort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}
