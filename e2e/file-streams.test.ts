/**
 * Large files in the browser with bounded memory: a 64 MiB generated Blob is uploaded by `group.createFile` (read
 * part by part with `Blob.slice`) and read back through `group.downloadFileStream` (a `ReadableStream` of the
 * plaintext), both while the page's memory (V8 heap plus ArrayBuffer backing stores, CDP `Runtime.getHeapUsage`) is
 * sampled: the upload's growth must stay under half the file size, a loose bound that only a whole-file buffer
 * breaks. A default reader owns the chunks it is given (they wait for the page's garbage collector), so its bound
 * is loose too; a BYOB reader leaves no chunks behind, and its bound is a few parts: a stream that kept its parts
 * (or copies of them) after handing them out breaks it. `saveFileStream` without the File System Access API hands
 * the browser a download of the same bytes.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { openSdkPage, startDemoStack, type DemoStack } from "./helpers/demo-stack.js";

const MIB = 1024 * 1024;
const SIZE = 64 * MIB;
let browser: Browser;
let stack: DemoStack;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;

/** Defines `window.streams` in the page: a group, a generated Blob of a repeated 1 MiB chunk, and its checks. */
const PAGE_SCRIPT = `
(() => {
  const S = () => window.Sentc.default;
  const state = {};
  window.streams = {
    async setUp(identifier) {
      await window.registerViaBackend(identifier, "pw ✓");
      const user = await S().login(identifier, "pw ✓", true);
      state.group = await user.getGroup(await user.createGroup());
      state.chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < state.chunk.length; i += 65536) crypto.getRandomValues(state.chunk.subarray(i, i + 65536));
    },
    async upload(size) {
      const pieces = [];
      for (let left = size; left > 0; left -= state.chunk.length) pieces.push(left >= state.chunk.length ? state.chunk : state.chunk.subarray(0, left));
      const progress = [];
      const out = await state.group.createFile(new File(pieces, "big.bin"), false, (p) => progress.push(p));
      return { fileId: out.file_id, progress };
    },
    /** Reads the stream, checking every byte against the generated content; answers the sizes of the chunks. */
    async readStream(fileId) {
      const [stream, meta] = await state.group.downloadFileStream(fileId);
      const reader = stream.getReader();
      const chunks = [];
      let offset = 0;
      let mismatches = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value.length);
        for (let i = 0; i < value.length; i++) if (value[i] !== state.chunk[(offset + i) % state.chunk.length]) mismatches++;
        offset += value.length;
      }
      return { size: offset, chunks, mismatches, fileName: meta.file_name, parts: meta.part_list.length };
    },
    /**
     * Reads the stream with a BYOB reader into one reused buffer of an odd size (views end inside parts), checking
     * every byte; answers the sizes read.
     */
    async readStreamByob(fileId, bufferSize) {
      const [stream] = await state.group.downloadFileStream(fileId);
      const reader = stream.getReader({ mode: "byob" });
      let buffer = new ArrayBuffer(bufferSize);
      let offset = 0;
      let mismatches = 0;
      let reads = 0;
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done) break;
        reads++;
        for (let i = 0; i < value.length; i++) if (value[i] !== state.chunk[(offset + i) % state.chunk.length]) mismatches++;
        offset += value.length;
        buffer = value.buffer;
      }
      return { size: offset, mismatches, reads };
    },
    /** Reads one chunk and cancels the stream. */
    async cancelEarly(fileId) {
      const [stream] = await state.group.downloadFileStream(fileId);
      const reader = stream.getReader();
      const first = await reader.read();
      await reader.cancel();
      return first.value.length;
    },
    async save(fileId) {
      const [stream, meta] = await state.group.downloadFileStream(fileId);
      return window.Sentc.saveFileStream(stream, { file_name: meta.file_name, use_file_system_access: false });
    },
    async deleteFile(fileId) {
      await state.group.deleteFile(fileId);
    },
  };
})();
`;

async function heapBytes(): Promise<number> {
  const usage = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
  return usage.usedSize + (usage.backingStorageSize ?? 0);
}

/** The highest memory use above the level before `action`, sampled every 20 ms while it runs. */
async function growthDuring<T>(action: () => Promise<T>): Promise<{ growth: number; result: T }> {
  await cdp.send("HeapProfiler.collectGarbage");
  const idle = await heapBytes();
  let peak = idle;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await heapBytes());
      await new Promise((done) => setTimeout(done, 20));
    }
  })();
  try {
    return { result: await action(), growth: peak - idle };
  } finally {
    running = false;
    await sampler;
  }
}

beforeAll(async () => {
  // dist/sentc.umd.js from the current sources, built without blocking the test worker.
  await promisify(execFile)(process.execPath, ["scripts/build-lib.mjs"]);
  stack = await startDemoStack();
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true });
  page = await openSdkPage(context, stack);
  cdp = await context.newCDPSession(page);
  await page.evaluate(PAGE_SCRIPT);
  await page.evaluate((id) => (window as any).streams.setUp(id), `streams-${Date.now()}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("large files: part-by-part upload and a streamed download", () => {
  let fileId = "";

  it("uploads a 64 MiB Blob in parts without holding the file in memory", async () => {
    const { growth, result } = await growthDuring(
      () =>
        page.evaluate((size) => (window as any).streams.upload(size), SIZE) as Promise<{
          fileId: string;
          progress: number[];
        }>,
    );
    fileId = result.fileId;
    expect(result.progress).toHaveLength(16);
    expect(result.progress.at(-1)).toBe(1);
    // A measured number: a bound well above a few parts and well below a copy of the file.
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThan(SIZE / 2);
  }, 240_000);

  it("streams it back part by part with every byte right and bounded memory", async () => {
    expect(fileId).not.toBe("");
    const { growth, result } = await growthDuring(
      () =>
        page.evaluate((id) => (window as any).streams.readStream(id), fileId) as Promise<{
          size: number;
          chunks: number[];
          mismatches: number;
          fileName: string;
          parts: number;
        }>,
    );
    expect(result.size).toBe(SIZE);
    expect(result.mismatches).toBe(0);
    expect(result.fileName).toBe("big.bin");
    expect(result.parts).toBe(16);
    expect(result.chunks).toHaveLength(16);
    expect(Math.max(...result.chunks)).toBe(4 * MIB);
    // Loose on purpose: the peak includes chunks the reader already consumed that the page's GC has not collected
    // yet (seen up to ~42 MB on a busy machine). A download that kept the file would hold all 64 MiB of plaintext
    // and its ciphertext parts, over this bound.
    expect(growth).toBeLessThan(SIZE);
  }, 240_000);

  it("a BYOB reader gets the same bytes into its own buffer, and the stream holds no more than a few parts", async () => {
    expect(fileId).not.toBe("");
    const bufferSize = 3 * MIB + 5;
    const { growth, result } = await growthDuring(
      () =>
        page.evaluate(
          ([id, size]) => (window as any).streams.readStreamByob(id, size),
          [fileId, bufferSize],
        ) as Promise<{
          size: number;
          mismatches: number;
          reads: number;
        }>,
    );
    expect(result.size).toBe(SIZE);
    expect(result.mismatches).toBe(0);
    // Every part needs two reads of a buffer smaller than a part (none spans two parts).
    expect(result.reads).toBe(32);
    // Measured at 0.3–5 MiB (the reader’s buffer, the part in hand, the one fetched ahead). Spent parts left to the
    // garbage collector measured 28 MiB here.
    expect(growth).toBeLessThan(12 * MIB);
  }, 240_000);

  it("a cancelled stream stops after the part it delivered", async () => {
    const first = await page.evaluate((id) => (window as any).streams.cancelEarly(id), fileId);
    expect(first).toBe(4 * MIB);
  }, 120_000);

  it("saveFileStream falls back to a Blob download with the file's name and bytes", async () => {
    const small = await page.evaluate((size) => (window as any).streams.upload(size), 5 * MIB + 123);
    const [download, via] = await Promise.all([
      page.waitForEvent("download"),
      page.evaluate((id) => (window as any).streams.save(id), small.fileId),
    ]);
    expect(via).toBe("blob");
    expect(download.suggestedFilename()).toBe("big.bin");
    const stream = await download.createReadStream();
    let size = 0;
    for await (const chunk of stream) size += (chunk as Buffer).length;
    expect(size).toBe(5 * MIB + 123);
    await page.evaluate((id) => (window as any).streams.deleteFile(id), small.fileId);
    await page.evaluate((id) => (window as any).streams.deleteFile(id), fileId);
  }, 120_000);
});
