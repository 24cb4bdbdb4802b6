/**
 * npm run bench [-- --json] [--only PREFIX[,PREFIX…]] [--rounds N] [--round-ms MS]
 *
 * Measures the crypto core against its peers in one run and prints a table (or, with --json, one JSON object
 * on stdout: {"machine":{…},"results":[{"id","unit","ours","peers":{…}}]}).
 */
import { readdir, readFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { initCore } from "../src/core/index.js";
import { measure, type BenchCase, type BenchResult } from "./harness.js";
import { TARGETS } from "./targets.js";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const json = args.includes("--json");
const only = option("--only");
const rounds = Number(option("--rounds") ?? 7);
const roundMs = Number(option("--round-ms") ?? 250);
const log = json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);

// SENTC_CORE_WASM benchmarks another build, e.g. one area built with `scripts/build-core.mjs --area NAME`.
await initCore(await readFile(process.env.SENTC_CORE_WASM ?? new URL("../build/core.wasm", import.meta.url)));

const caseFiles = (await readdir(new URL("./cases/", import.meta.url))).filter((f) => f.endsWith(".ts")).sort();
const cases: BenchCase[] = [];
for (const file of caseFiles) {
  const module = (await import(new URL(`./cases/${file}`, import.meta.url).href)) as { cases(): Promise<BenchCase[]> };
  cases.push(...(await module.cases()));
}
const prefixes = only?.split(",").filter((p) => p !== "");
const selected = cases.filter((c) => !prefixes?.length || prefixes.some((p) => c.id.startsWith(p)));

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  rounds,
  roundMs,
};
log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; median of ${rounds} interleaved rounds`);

const results: BenchResult[] = [];
for (const benchCase of selected) {
  const result = await measure(benchCase, { rounds, roundMs });
  results.push(result);
  log(formatResult(result));
}

if (json) {
  process.stdout.write(`${JSON.stringify({ machine, results })}\n`);
} else {
  const missed = results.filter((r) => targetVerdict(r)?.startsWith("MISSED"));
  log(
    `\n${results.length} cases, ${results.filter((r) => TARGETS[r.id]).length} with targets, ${missed.length} missed`,
  );
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}

function targetVerdict(result: BenchResult): string | undefined {
  const target = TARGETS[result.id];
  if (!target) return undefined;
  const peer = result.peers[target.peer];
  if (peer === undefined) return `MISSED: peer ${target.peer} not measured`;
  const ratio = result.ours / peer;
  return `${ratio >= target.ratio ? "met" : "MISSED"}: ${ratio.toFixed(2)}× ${target.peer} (target ≥ ${target.ratio}×)`;
}

function formatResult(result: BenchResult): string {
  const peers = Object.entries(result.peers)
    .map(([name, value]) => `${name} ${format(value)} (${(result.ours / value).toFixed(2)}×)`)
    .join(", ");
  const verdict = targetVerdict(result);
  return `${result.id.padEnd(22)} ours ${format(result.ours)} ${result.unit}; ${peers}${verdict ? `  [${verdict}]` : ""}`;
}
