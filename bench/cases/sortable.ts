import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { ALG } from "../../src/protocol/algorithms.js";
import type { SortableKey } from "../../src/protocol/keys.js";
import { encryptSortableRawNumber } from "../../src/protocol/sortable.js";
import type { BenchCase } from "../harness.js";

/** The subset of sentc_wasm@0.15.0 used as the OPE peer. */
interface SentcWasm {
  initSync(module: BufferSource): unknown;
  sortable_encrypt_raw_number(key: string, data: bigint): bigint;
}

/**
 * sentc_wasm is built for browsers: wasm-bindgen's `web_sys::window()` wants the global `self` to be an
 * instance of a global `Window`, and getrandom takes `crypto` from it. Install such a window unless an
 * earlier case did.
 */
function installBrowserGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Window === "function" && g.self instanceof (g.Window as new () => object)) return;
  class Window {}
  const win = new Window() as Record<string, unknown>;
  win.self = win;
  win.window = win;
  win.crypto = globalThis.crypto;
  win.fetch = () => Promise.reject(new Error("no network in benchmarks"));
  g.Window = Window;
  g.self = win;
}

/** OPE-16 of a number (sentc sortable encryption), cycling through the whole valid domain. */
export async function cases(): Promise<BenchCase[]> {
  installBrowserGlobals();
  const require = createRequire(import.meta.url);
  const sentc = require("sentc_wasm") as SentcWasm;
  sentc.initSync(await readFile(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));

  const raw = new Uint8Array(16).map((_, i) => (i * 29 + 3) & 255);
  const key: SortableKey = { alg: ALG.ope, key: raw, keyId: "bench" };
  const sentcKey = JSON.stringify({ Ope16: { key: Buffer.from(raw).toString("base64"), key_id: "bench" } });
  for (const n of [0, 1, 4242, 65532]) {
    if (BigInt(encryptSortableRawNumber(key, n)) !== sentc.sortable_encrypt_raw_number(sentcKey, BigInt(n))) {
      throw new Error("sortable bench: ours and sentc_wasm disagree");
    }
  }
  // A stride coprime to 65533 visits every plaintext; each contender has its own counter.
  const STRIDE = 7919;
  let ours = 0;
  let theirs = 0;
  return [
    {
      id: "ope-encrypt-number",
      unit: "ops/s",
      ours: () => encryptSortableRawNumber(key, (ours = (ours + STRIDE) % 65533)),
      peers: {
        sentc_wasm: () => sentc.sortable_encrypt_raw_number(sentcKey, BigInt((theirs = (theirs + STRIDE) % 65533))),
      },
    },
  ];
}
