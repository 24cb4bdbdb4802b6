import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initCore } from "../src/core/index.js";
import { benchApp, startBenchServer } from "./server-process.js";
import { prepareRegister } from "../src/protocol/register.js";
import { encodeKtLeaf } from "../src/protocol/transparency.js";
import { newId } from "../server/crypto.js";
import { openSqliteStore } from "../server/store/sqlite.js";
import type { KtAppendLeaf } from "../server/store/types.js";

const { values } = parseArgs({
  options: {
    leaves: { type: "string", default: "1000000" },
    requests: { type: "string", default: "300" },
    batch: { type: "string", default: "50000" },
  },
});
const leafCount = Number(values.leaves);
const requests = Number(values.requests);
const batch = Number(values.batch);

const root = resolve(fileURLToPath(import.meta.url), "../..");
await initCore(readFileSync(join(root, "build/core.wasm")));

const dir = mkdtempSync(join(tmpdir(), "sentc-bench-kt-"));
const dbPath = join(dir, "kt.sqlite");
const app = benchApp();

// 1. The log, through the store's append path (the same code every key publication runs), in batches.
const pem = `-----BEGIN PUBLIC KEY-----\n${randomBytes(32).toString("base64")}\n-----END PUBLIC KEY-----\n`;
const store = openSqliteStore({ path: dbPath });
// The bulk build only: no fsync per batch (a crash would just lose the benchmark's file).
const bulk = (store as unknown as { driver: { direct: { run(sql: string, args: unknown[]): Promise<number> } } })
  .driver;
await bulk.direct.run("PRAGMA synchronous = OFF", []);
let encodeMs = 0;
let appendMs = 0;
let firstSubject = "";
const buildStart = performance.now();
for (let done = 0; done < leafCount; ) {
  const count = Math.min(batch, leafCount - done);
  const leaves: KtAppendLeaf[] = [];
  const encodeStart = performance.now();
  for (let i = 0; i < count; i++) {
    const subjectId = randomUUID();
    const keyId = randomUUID();
    if (firstSubject === "") firstSubject = subjectId;
    leaves.push({
      leaf: encodeKtLeaf({
        v: 1,
        app_id: app.id,
        subject_type: "user",
        subject_id: subjectId,
        key_type: "public",
        key_id: keyId,
        key_alg: "ECIES-ed25519",
        key: pem,
        signature: null,
        signed_by: null,
        published_at: Date.now(),
      }),
      subjectType: "user",
      subjectId,
      keyType: "public",
      keyId,
    });
  }
  const appendStart = performance.now();
  encodeMs += appendStart - encodeStart;
  await store.appendKtLeaves(app.id, leaves);
  appendMs += performance.now() - appendStart;
  done += count;
  if (done % (batch * 10) === 0 || done === leafCount)
    process.stderr.write(`  ${done} leaves (${((performance.now() - buildStart) / 1000).toFixed(1)} s)\n`);
}
const buildSeconds = (performance.now() - buildStart) / 1000;
await store.close();

// 2. The server on that file.
const { child, baseUrl } = await startBenchServer(root, dir, dbPath, app);
const base = `${baseUrl}/api/v1`;

async function call(method: string, path: string, token: string, body?: string): Promise<any> {
  const response = await fetch(base + path, {
    method,
    headers: { "x-sentc-app-token": token, "content-type": "application/json" },
    body,
  });
  const answer = (await response.json()) as { status: boolean; result: any };
  if (!answer.status) throw new Error(`${method} ${path}: ${JSON.stringify(answer)}`);
  return answer.result;
}

// Two users: one logged (its leaves follow the 10^6 synthetic ones), one whose leaves are removed afterwards.
const logged = (await call("POST", "/register", app.secret_token, prepareRegister(`kt-${newId()}`, "pw"))).user_id;
const unlogged = (await call("POST", "/register", app.secret_token, prepareRegister(`kt-${newId()}`, "pw"))).user_id;
{
  const side = openSqliteStore({ path: dbPath });
  const driver = (side as unknown as { driver: { direct: { run(sql: string, args: unknown[]): Promise<number> } } })
    .driver;
  await driver.direct.run("DELETE FROM kt_leaves WHERE app_id = ? AND subject_type = 'user' AND subject_id = ?", [
    app.id,
    unlogged,
  ]);
  await side.close();
}

const fetchKey = (userId: string) => call("GET", `/user/${userId}/public_key`, app.public_token);
for (let i = 0; i < 30; i++) {
  await fetchKey(logged);
  await fetchKey(unlogged);
}
// Interleaved (with, without, without, with, …), so that both see the same machine state.
const times = { with: [] as number[], without: [] as number[] };
let withSample: any = null;
let withoutSample: any = null;
for (let i = 0; i < requests; i++) {
  for (const which of i % 2 === 0 ? (["with", "without"] as const) : (["without", "with"] as const)) {
    const start = performance.now();
    const answer = await fetchKey(which === "with" ? logged : unlogged);
    times[which].push(performance.now() - start);
    if (which === "with") withSample = answer;
    else withoutSample = answer;
  }
}
const quantile = (list: number[], q: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const withLog = { median: quantile(times.with, 0.5), p99: quantile(times.with, 0.99), sample: withSample };
const without = { median: quantile(times.without, 0.5), p99: quantile(times.without, 0.99), sample: withoutSample };
if (without.sample.kt !== null) throw new Error("the unlogged key has a kt proof");
const kt = withLog.sample.kt;
if (!kt || kt.sth.tree_size !== leafCount + 4) throw new Error(`unexpected tree size ${kt?.sth.tree_size}`);
// The oldest leaf has the longest path (log2 of the size); the newest key's is shorter.
const oldest = await call("GET", `/kt/subject/user/${firstSubject}`, app.public_token);
const oldestKt = {
  leaf_index: oldest.leaves[0].leaf_index,
  leaf: oldest.leaves[0].leaf,
  inclusion: oldest.leaves[0].inclusion,
  sth: oldest.sth,
};
const { median, p99 } = withLog;

child.kill("SIGTERM");
await new Promise((ok) => child.once("exit", ok));
rmSync(dir, { recursive: true, force: true });

const ms = (x: number) => `${x.toFixed(2)} ms`;
console.log(`key transparency log, SQLite (WAL), ${kt.sth.tree_size} leaves`);
console.log(
  `  build: ${buildSeconds.toFixed(1)} s (${Math.round(leafCount / buildSeconds)} leaves/s, batches of ${batch}; ` +
    `making the leaves ${(encodeMs / 1000).toFixed(1)} s, the store's append ${(appendMs / 1000).toFixed(1)} s)`,
);
console.log(`  GET /user/:id/public_key, ${requests} sequential requests each, interleaved:`);
console.log(`    with kt proof:        median ${ms(median)}, p99 ${ms(p99)}`);
console.log(`    without (kt: null):   median ${ms(without.median)}, p99 ${ms(without.p99)}`);
console.log(
  `    ratio with/without:   median ${(median / without.median).toFixed(2)}, p99 ${(p99 / without.p99).toFixed(2)}`,
);
console.log(
  `  kt field: ${JSON.stringify(kt).length} bytes of JSON (${kt.inclusion.length} inclusion hashes, leaf ${
    Buffer.from(kt.leaf, "base64").length
  } bytes, newest key); whole answer ${JSON.stringify(withLog.sample).length} bytes vs ${JSON.stringify(without.sample).length}`,
);
console.log(
  `  kt of the oldest leaf: ${JSON.stringify(oldestKt).length} bytes of JSON (${oldestKt.inclusion.length} inclusion hashes, leaf ${
    Buffer.from(oldestKt.leaf, "base64").length
  } bytes)`,
);
