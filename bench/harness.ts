/**
 * A small benchmark harness: every case runs our function and its peers interleaved, round after round, in
 * one process, and reports the median throughput of each. Ratios between functions measured in the same run
 * are what we compare; absolute numbers vary with the machine.
 */
export interface BenchCase {
  /** Stable id, e.g. "sha256-1mib". */
  id: string;
  unit: "ops/s" | "MiB/s";
  /** Bytes processed per call; required for MiB/s. */
  bytesPerOp?: number;
  ours: () => unknown;
  peers: Record<string, () => unknown>;
}

export interface BenchResult {
  id: string;
  unit: BenchCase["unit"];
  ours: number;
  peers: Record<string, number>;
}

export interface MeasureOptions {
  rounds: number;
  /** Time each function gets per round, in milliseconds. */
  roundMs: number;
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns calls per second. */
async function opsPerSecond(fn: () => unknown, ms: number): Promise<number> {
  let calls = 0;
  const start = performance.now();
  let now = start;
  // Batches keep the clock out of the loop for fast functions.
  let batch = 1;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) {
      const result = fn();
      if (result instanceof Promise) await result;
    }
    calls += batch;
    now = performance.now();
    if (now - start < ms / 20) batch *= 2;
  }
  return (calls * 1000) / (now - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function measure(benchCase: BenchCase, options: MeasureOptions): Promise<BenchResult> {
  const contenders: Array<[string, () => unknown]> = [["ours", benchCase.ours], ...Object.entries(benchCase.peers)];
  const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  // One warm-up round (JIT, wasm tier-up, lazy tables), not counted.
  for (const [, fn] of contenders) await opsPerSecond(fn, Math.min(100, options.roundMs));
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so that no contender always runs first or last.
    for (let i = 0; i < contenders.length; i++) {
      const [name, fn] = contenders[(i + round) % contenders.length]!;
      samples.get(name)!.push(await opsPerSecond(fn, options.roundMs));
    }
  }
  const scale = benchCase.unit === "MiB/s" ? (benchCase.bytesPerOp ?? NaN) / (1024 * 1024) : 1;
  const value = (name: string) => median(samples.get(name)!) * scale;
  return {
    id: benchCase.id,
    unit: benchCase.unit,
    ours: value("ours"),
    peers: Object.fromEntries(Object.keys(benchCase.peers).map((name) => [name, value(name)])),
  };
}
