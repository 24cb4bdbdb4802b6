import { SentcError } from "../errors.js";
import type { CoreExports } from "./abi.js";
import { defaultCoreSource } from "./default-source.js";

/** What `initCore` accepts: the wasm bytes, a compiled module, a URL to fetch, or a fetch Response. */
export type CoreSource = BufferSource | WebAssembly.Module | URL | string | Response | PromiseLike<Response>;

let core: CoreExports | undefined;
let compiled: WebAssembly.Module | undefined;
let loading: Promise<void> | undefined;

// The smallest module that uses a v128 instruction: validates only where WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * Loads and instantiates the WebAssembly crypto core once. Every other function of the core is synchronous
 * and throws `core_not_initialized` until this promise has resolved. Calling it again returns the same
 * promise (a later call's `source` is ignored); after a failed load the next call tries again.
 * @param source the wasm bytes, a compiled module, a URL (relative URLs resolve against the page) or a
 *   fetch Response; by default the `core.wasm` shipped with the library.
 * @returns a promise that resolves once the core is ready.
 * @throws {SentcError} (as a rejection) `unsupported_environment` when the runtime lacks WebAssembly with
 *   SIMD; `core_load_failed` when fetching (including a non-2xx response), compiling or instantiating fails.
 * @example
 * ```ts
 * import { initCore, isCoreReady } from "sentc-as/core";
 * await initCore();
 * console.log(isCoreReady()); // true
 * ```
 */
export function initCore(source?: CoreSource): Promise<void> {
  if (core) return Promise.resolve();
  if (!loading) {
    loading = instantiate(source).then(
      (exports) => {
        core = exports;
      },
      (error: unknown) => {
        loading = undefined;
        throw error instanceof SentcError
          ? error
          : new SentcError("core_load_failed", "the WebAssembly crypto core could not be loaded", { cause: error });
      },
    );
  }
  return loading;
}

/**
 * True once `initCore()` has resolved. Never throws.
 * @example
 * ```ts
 * import { initCore, isCoreReady } from "sentc-as/core";
 * if (!isCoreReady()) await initCore();
 * ```
 */
export function isCoreReady(): boolean {
  return core !== undefined;
}

/** The instantiated core; throws a typed error before `initCore()` has resolved. */
export function getCore(): CoreExports {
  if (!core) throw new SentcError("core_not_initialized", "call and await initCore() (or Sentc.init()) first");
  return core;
}

/**
 * @internal The compiled core once `initCore()` has resolved (else `undefined`): the SDK's crypto worker
 * instantiates the same module again instead of fetching or inflating the core a second time. Never throws.
 * @example
 * const module = coreModule();
 * if (module) worker.postMessage({ module });
 */
export function coreModule(): WebAssembly.Module | undefined {
  return compiled;
}

async function instantiate(source: CoreSource | undefined): Promise<CoreExports> {
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(SIMD_PROBE)) {
    throw new SentcError("unsupported_environment", "this runtime lacks WebAssembly with SIMD");
  }
  const module = await compile(source ?? defaultCoreSource());
  const instance = await WebAssembly.instantiate(module, {});
  compiled = module;
  return instance.exports as unknown as CoreExports;
}

async function compile(source: CoreSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof source === "string" || source instanceof URL) return compile(await fetchWasm(new URL(source, baseUrl())));
  const response = await source;
  if (!response.ok) throw new SentcError("core_load_failed", `fetching the core failed with HTTP ${response.status}`);
  const isWasmMime = (response.headers.get("content-type") ?? "").startsWith("application/wasm");
  if (isWasmMime && typeof WebAssembly.compileStreaming === "function") return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Relative URLs resolve against the page, or against this module where there is no page. */
function baseUrl(): string {
  return typeof location === "object" && location ? location.href : import.meta.url;
}

async function fetchWasm(url: URL): Promise<BufferSource | Response> {
  if (url.protocol === "file:") {
    // The specifier in a variable: bundlers leave this Node-only import alone. A literal one becomes a chunk, and a
    // worker that a bundler builds as one classic script (Vite's default for `new Worker`) cannot have chunks.
    const nodeFs = "node:fs/promises";
    const { readFile } = (await import(
      /* @vite-ignore */ /* webpackIgnore: true */ nodeFs
    )) as typeof import("node:fs/promises");
    return readFile(url);
  }
  return fetch(url);
}
