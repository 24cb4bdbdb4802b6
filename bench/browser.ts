/**
 * Browser benchmark (not a test): starts the project's server and the example backend on 127.0.0.1, opens the SDK
 * (dist/sentc.umd.js) in headless Chromium and measures in one run
 *   - login (Argon2id in the page plus the login round trips),
 *   - createFile and downloadFile of 3 MiB and 64 MiB with the engines `wasm` and `webcrypto`, and the
 *     streaming download (`downloadFileStream`),
 *   - the limits on the same bytes: raw WebCrypto AES-GCM encrypt/decrypt and raw part upload/download,
 *   - the peak memory above idle (V8 heap plus ArrayBuffer backing stores, CDP `Runtime.getHeapUsage`) while a
 *     256 MiB generated Blob is uploaded and streamed back (read with a BYOB reader into one buffer, as
 *     `saveFileStream` reads; a default reader's peak is printed beside it),
 *   - with and without the crypto worker (`Sentc.init({ worker: true })`): login time and the main-thread long
 *     tasks (> 50 ms, PerformanceObserver "longtask") during the login and during a createFile of the large size.
 *
 *   npm run bench:browser [-- --json] [--large-mib 64] [--memory-mib 256 (0: skip)] [--runs 3]
 *
 * Numbers vary with the machine and its load: compare the ratios printed in the same run.
 */
import { parseArgs } from "node:util";
import type { CDPSession, Page } from "playwright-core";
import { launchChromium } from "../e2e/helpers/chromium.js";
import { openSdkPage, startDemoStack, type DemoStack } from "../e2e/helpers/demo-stack.js";
import { BENCH_PAGE_SCRIPT } from "./browser-page.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    "large-mib": { type: "string", default: "64" },
    "memory-mib": { type: "string", default: "256" },
    runs: { type: "string", default: "3" },
  },
});
const MIB = 1024 * 1024;
const json = values.json;
const runs = Math.max(1, Number(values.runs));
const sizes = [3, Number(values["large-mib"])];
const memoryMib = Number(values["memory-mib"]);
const log = json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);

type Engine = "wasm" | "webcrypto";
const ENGINES: Engine[] = ["wasm", "webcrypto"];

interface SizeResult {
  mib: number;
  createFile: Record<Engine, number>;
  downloadFile: Record<Engine | "reference_api" | "stream", number>;
  raw: { encrypt: number; decrypt: number; upload: number; download: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const call = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
const arg = (value: unknown) => JSON.stringify(value);

async function heapBytes(cdp: CDPSession): Promise<number> {
  const usage = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
  return usage.usedSize + (usage.backingStorageSize ?? 0);
}

/** Runs `action` while sampling the page's memory every 25 ms; answers the peak above the idle level before it. */
async function peakAbove(cdp: CDPSession, action: () => Promise<unknown>): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const idle = await heapBytes(cdp);
  let peak = idle;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await heapBytes(cdp));
      await new Promise((done) => setTimeout(done, 25));
    }
  })();
  try {
    await action();
  } finally {
    running = false;
    await sampler;
  }
  return peak - idle;
}

async function measureSize(page: Page, stack: DemoStack, mib: number): Promise<SizeResult> {
  const size = mib * MIB;
  await call(page, `bench.makeData(${size})`);
  const times: Record<string, number[]> = {};
  const add = (name: string, ms: number) => (times[name] ??= []).push(ms);
  const rounds = mib > 8 ? Math.min(runs, 2) : runs;
  for (let round = 0; round < rounds; round++) {
    for (const engine of ENGINES) {
      const up = await call<{ ms: number; fileId: string }>(page, `bench.createFile(${arg(engine)})`);
      add(`create_${engine}`, up.ms);
      const down = await call<{ ms: number; size: number }>(
        page,
        `bench.downloadFile(${arg(up.fileId)}, ${arg(engine)})`,
      );
      if (down.size !== size) throw new Error(`downloadFile gave ${down.size} bytes, expected ${size}`);
      add(`download_${engine}`, down.ms);
      if (engine === "webcrypto") {
        const reference = await call<{ ms: number; size: number }>(
          page,
          `bench.downloadFile(${arg(up.fileId)}, "auto")`,
        );
        add("download_reference_api", reference.ms);
        const stream = await call<{ ms: number; size: number }>(page, `bench.downloadStream(${arg(up.fileId)})`);
        if (!Number.isNaN(stream.size) && stream.size !== size)
          throw new Error(`downloadFileStream gave ${stream.size} bytes, expected ${size}`);
        add("download_stream", stream.ms);
        const raw = await call<{ ms: number; size: number }>(
          page,
          `bench.rawDownload(${arg(stack.apiUrl)}, ${arg(stack.app.publicToken)}, ${arg(up.fileId)})`,
        );
        add("raw_download", raw.ms);
      }
      await call(page, `bench.deleteFile(${arg(up.fileId)})`);
    }
    const rawCrypto = await call<{ encryptMs: number; decryptMs: number }>(page, "bench.rawCrypto()");
    add("raw_encrypt", rawCrypto.encryptMs);
    add("raw_decrypt", rawCrypto.decryptMs);
    add("raw_upload", await call<number>(page, `bench.rawUpload(${arg(stack.apiUrl)}, ${arg(stack.app.publicToken)})`));
  }
  await call(page, "bench.dropData()");
  const m = (name: string) => median(times[name]!);
  return {
    mib,
    createFile: { wasm: m("create_wasm"), webcrypto: m("create_webcrypto") },
    downloadFile: {
      wasm: m("download_wasm"),
      webcrypto: m("download_webcrypto"),
      reference_api: m("download_reference_api"),
      stream: m("download_stream"),
    },
    raw: { encrypt: m("raw_encrypt"), decrypt: m("raw_decrypt"), upload: m("raw_upload"), download: m("raw_download") },
  };
}

async function measureMemory(
  page: Page,
  cdp: CDPSession,
): Promise<{ mib: number; upload: number; streamDownload: number; streamDownloadDefaultReader: number }> {
  await call(page, `bench.makeData(${memoryMib * MIB})`);
  let fileId = "";
  const upload = await peakAbove(cdp, async () => {
    fileId = (await call<{ fileId: string }>(page, `bench.createFile("webcrypto")`)).fileId;
  });
  await call(page, "bench.dropData()");
  // The target is read as saveFileStream reads (a BYOB reader into one reused buffer); a default reader's chunks
  // are freed only when the collector runs (about every 64 MiB of new buffers), printed beside it for comparison.
  let size = 0;
  const streamDownload = await peakAbove(cdp, async () => {
    size = (await call<{ size: number }>(page, `bench.downloadStream(${arg(fileId)}, "byob")`)).size;
  });
  if (size !== memoryMib * MIB) throw new Error(`the streamed download (BYOB reader) gave ${size} bytes`);
  const streamDownloadDefaultReader = await peakAbove(cdp, async () => {
    size = (await call<{ size: number }>(page, `bench.downloadStream(${arg(fileId)}, "default")`)).size;
  });
  if (size !== memoryMib * MIB) throw new Error(`the streamed download (default reader) gave ${size} bytes`);
  await call(page, `bench.deleteFile(${arg(fileId)})`);
  return { mib: memoryMib, upload, streamDownload, streamDownloadDefaultReader };
}

interface WorkerModeResult {
  /** Whether the worker really ran (false: off, or it could not start). */
  running: boolean;
  login_ms: number;
  login_long_tasks: number;
  login_longest_task_ms: number;
  upload_mib: number;
  upload_ms: number;
  upload_long_tasks: number;
  upload_longest_task_ms: number;
}

type Counted<T> = { value: T; longTasks: number; longestTaskMs: number };

/** One page per mode (worker off, on): logins (median time; long tasks summed over the runs) and one createFile. */
async function measureWorkerMode(
  context: Awaited<ReturnType<typeof browser.newContext>>,
  worker: boolean,
): Promise<WorkerModeResult> {
  const page = await openSdkPage(context, stack, { init: `{ worker: ${worker} }` });
  await page.evaluate(BENCH_PAGE_SCRIPT);
  const running = await call<boolean>(page, "bench.workerRunning()");
  const times: number[] = [];
  let loginTasks = 0;
  let loginLongest = 0;
  for (let round = 0; round < runs; round++) {
    const identifier = `bench-${worker ? "worker" : "main"}-${Date.now()}-${round}`;
    await call(page, `window.registerViaBackend(${arg(identifier)}, "bench password ✓")`);
    const login = await call<Counted<number>>(
      page,
      `bench.counted("login", ${arg(identifier)}, "bench password ✓", true)`,
    );
    times.push(login.value);
    loginTasks += login.longTasks;
    loginLongest = Math.max(loginLongest, login.longestTaskMs);
  }
  const mib = sizes.at(-1)!;
  await call(page, `bench.makeData(${mib * MIB})`);
  const upload = await call<Counted<{ ms: number; fileId: string }>>(page, `bench.counted("createFile", "auto")`);
  await call(page, `bench.deleteFile(${arg(upload.value.fileId)})`);
  await page.close();
  return {
    running,
    login_ms: median(times),
    login_long_tasks: loginTasks,
    login_longest_task_ms: loginLongest,
    upload_mib: mib,
    upload_ms: upload.value.ms,
    upload_long_tasks: upload.longTasks,
    upload_longest_task_ms: upload.longestTaskMs,
  };
}

const rate = (mib: number, ms: number) => (mib * 1000) / ms;
const fmt = (value: number) => value.toFixed(1).padStart(7);

const stack = await startDemoStack();
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  const page = await openSdkPage(context, stack);
  const cdp = await context.newCDPSession(page);
  await page.evaluate(BENCH_PAGE_SCRIPT);
  const loginMs = await call<number>(page, `bench.login(${arg(`bench-${Date.now()}`)}, "bench password ✓")`);
  log(`login: ${loginMs.toFixed(0)} ms`);

  const results: SizeResult[] = [];
  for (const mib of sizes) {
    log(`measuring ${mib} MiB …`);
    results.push(await measureSize(page, stack, mib));
  }
  log(`measuring memory with ${memoryMib} MiB …`);
  const memory =
    memoryMib > 0
      ? await measureMemory(page, cdp)
      : { mib: 0, upload: Number.NaN, streamDownload: Number.NaN, streamDownloadDefaultReader: Number.NaN };
  log("measuring with and without the crypto worker …");
  const workerMode = {
    off: await measureWorkerMode(context, false),
    on: await measureWorkerMode(context, true),
  };

  const large = results.at(-1)!;
  const uploadLimit = large.raw.encrypt + large.raw.upload;
  const downloadLimit = large.raw.download + large.raw.decrypt;
  const targets = {
    create_file_vs_limit: {
      ratio: uploadLimit / Math.max(large.createFile.wasm, large.createFile.webcrypto),
      target: 0.5,
    },
    download_file_vs_limit: {
      // downloadFile as an app calls it (the reference's API, engine chosen by the SDK); the per-engine
      // downloadFileData times are printed above it.
      ratio: downloadLimit / large.downloadFile.reference_api,
      target: 0.5,
    },
    upload_memory_mib: { value: memory.upload / MIB, target: 64 },
    stream_download_memory_mib: { value: memory.streamDownload / MIB, target: 64 },
  };
  const met = {
    create_file_vs_limit: targets.create_file_vs_limit.ratio >= 0.5,
    download_file_vs_limit: targets.download_file_vs_limit.ratio >= 0.5,
    upload_memory_mib: targets.upload_memory_mib.value < 64,
    stream_download_memory_mib: targets.stream_download_memory_mib.value < 64,
  };

  if (json) {
    console.log(
      JSON.stringify(
        {
          time_unit: "ms (median)",
          login_ms: loginMs,
          sizes: results,
          memory_bytes_above_idle: memory,
          worker_mode: workerMode,
          targets,
          met,
        },
        null,
        2,
      ),
    );
  } else {
    log("");
    log("MiB/s (median)          size  createFile           downloadFile                     raw limits");
    log(
      "                              wasm   webcrypto     wasm   webcrypto  ref.API  stream   encrypt  upload  download  decrypt",
    );
    for (const r of results) {
      log(
        `${String(r.mib).padStart(28)}  ${fmt(rate(r.mib, r.createFile.wasm))} ${fmt(rate(r.mib, r.createFile.webcrypto))}    ${fmt(rate(r.mib, r.downloadFile.wasm))} ${fmt(rate(r.mib, r.downloadFile.webcrypto))} ${fmt(rate(r.mib, r.downloadFile.reference_api))} ${fmt(rate(r.mib, r.downloadFile.stream))}   ${fmt(rate(r.mib, r.raw.encrypt))} ${fmt(rate(r.mib, r.raw.upload))} ${fmt(rate(r.mib, r.raw.download))} ${fmt(rate(r.mib, r.raw.decrypt))}`,
      );
    }
    log("");
    log(
      `createFile ${large.mib} MiB (slower engine) vs raw encrypt + raw upload: ${(targets.create_file_vs_limit.ratio * 100).toFixed(0)} % (target ≥ 50 %): ${met.create_file_vs_limit ? "met" : "NOT met"}`,
    );
    log(
      `downloadFile ${large.mib} MiB vs raw fetch + raw decrypt: ${(targets.download_file_vs_limit.ratio * 100).toFixed(0)} % (target ≥ 50 %): ${met.download_file_vs_limit ? "met" : "NOT met"}`,
    );
    log(
      `peak memory above idle, ${memory.mib} MiB upload: ${targets.upload_memory_mib.value.toFixed(1)} MiB (target < 64): ${met.upload_memory_mib ? "met" : "NOT met"}`,
    );
    log(
      `peak memory above idle, ${memory.mib} MiB streamed download (BYOB reader, as saveFileStream reads): ${targets.stream_download_memory_mib.value.toFixed(1)} MiB (target < 64): ${met.stream_download_memory_mib ? "met" : "NOT met"}`,
    );
    log(
      `  the same with a default reader (its chunks wait for the garbage collector): ${(memory.streamDownloadDefaultReader / MIB).toFixed(1)} MiB`,
    );
    log("");
    log(
      `crypto worker (long tasks: main-thread tasks > 50 ms; login over ${runs} runs, one ${sizes.at(-1)} MiB createFile)`,
    );
    log("            running  login ms  login long tasks (longest)  upload ms  upload long tasks (longest)");
    for (const [mode, r] of Object.entries(workerMode)) {
      log(
        `  ${mode.padEnd(4)}     ${String(r.running).padEnd(5)}  ${r.login_ms.toFixed(0).padStart(8)}  ${String(r.login_long_tasks).padStart(16)} (${r.login_longest_task_ms.toFixed(0)} ms)  ${r.upload_ms.toFixed(0).padStart(9)}  ${String(r.upload_long_tasks).padStart(17)} (${r.upload_longest_task_ms.toFixed(0)} ms)`,
      );
    }
    log(
      `login with / without the worker: ${(workerMode.on.login_ms / workerMode.off.login_ms).toFixed(2)}×; upload: ${(workerMode.on.upload_ms / workerMode.off.upload_ms).toFixed(2)}×`,
    );
  }
} finally {
  await browser.close();
  await stack.close();
}
