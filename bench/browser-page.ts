/**
 * The page side of the browser benchmark and the streaming e2e test, as a script string: it runs in a page that
 * has loaded dist/sentc.umd.js and called `Sentc.init`, and defines `window.bench`. Kept as plain JavaScript text
 * so that no compiler helper leaks into `page.evaluate`.
 *
 * Every timing is `performance.now()` around one whole call; raw baselines use the same bytes and sizes:
 *   - raw encrypt / decrypt: `crypto.subtle` AES-GCM over each 4 MiB part,
 *   - raw upload: the same number of parts of the same size POSTed to the part route of a registered file
 *     (Blob bodies, the fastest the browser offers),
 *   - raw download: `fetch` of each stored part of a file the SDK uploaded.
 *
 * `bench.counted(name, ...args)` runs `bench[name]` and also answers the page's main-thread long tasks meanwhile
 * (PerformanceObserver "longtask": tasks over 50 ms), for the comparison with and without the crypto worker. With
 * the worker, the page's own work per 4 MiB part (the worker's answer, starting the part's fetch) is 1-2.5 ms of CPU
 * (Chromium trace, thread time); an occasional long task there is one of these steps waiting for a core on a loaded
 * machine (the renderer's main thread in one such 52 ms task: 1.1 ms run, 55 ms in the run queue, Linux schedstat).
 */
export const BENCH_PAGE_SCRIPT = `
(() => {
  const PART = 4 * 1024 * 1024;
  const S = () => window.Sentc.default;
  const state = {};

  /** A Blob of size bytes from a repeated 1 MiB random chunk (no file on disk, little JS heap). */
  function makeBlob(size) {
    const chunk = new Uint8Array(Math.min(size, 1 << 20));
    for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, Math.min(chunk.length, i + 65536)));
    const pieces = [];
    for (let left = size; left > 0; left -= chunk.length) pieces.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
    return new Blob(pieces);
  }

  async function group() {
    if (!state.group) {
      const user = await S().getActualUser();
      state.group = await user.getGroup(await user.createGroup());
    }
    return state.group;
  }

  const longTasks = [];
  if (typeof PerformanceObserver === "function" && PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) longTasks.push(entry.duration); }).observe({ type: "longtask" });
  }
  /** A pause for the page to be idle, so that earlier work is not counted. */
  const settle = () => new Promise((done) => setTimeout(done, 300));

  async function time(fn) {
    const start = performance.now();
    const value = await fn();
    return { ms: performance.now() - start, value };
  }

  window.bench = {
    /** bench[name](...args) → { value, longTasks (count), longestTaskMs } over the call. */
    async counted(name, ...args) {
      await settle();
      const before = longTasks.length;
      const value = await window.bench[name](...args);
      await settle();
      const tasks = longTasks.slice(before);
      return { value, longTasks: tasks.length, longestTaskMs: tasks.length ? Math.max(...tasks) : 0 };
    },

    workerRunning: () => S().options.worker === true,

    /** Registers (unless already done) and answers the time of the login alone. */
    async login(identifier, password, registered = false) {
      if (!registered) await window.registerViaBackend(identifier, password);
      const { ms } = await time(() => S().login(identifier, password, true));
      return ms;
    },

    async makeData(size) {
      state.blob = makeBlob(size);
      return state.blob.size;
    },

    dropData() {
      state.blob = undefined;
    },

    async createFile(engine) {
      const g = await group();
      const { ms, value } = await time(() => g.createFile(state.blob, false, undefined, { engine }));
      state.lastFileId = value.file_id;
      return { ms, fileId: value.file_id };
    },

    async downloadFile(fileId, engine) {
      const g = await group();
      // The reference's API: an object URL of the whole content (engine "auto" there); bytes through downloadFileData.
      if (engine === "auto") {
        const { ms, value } = await time(() => g.downloadFile(fileId));
        const size = (await (await fetch(value[0])).blob()).size;
        URL.revokeObjectURL(value[0]);
        return { ms, size };
      }
      const { ms, value } = await time(() => g.downloadFileData(fileId, undefined, undefined, { engine }));
      return { ms, size: value.data.length };
    },

    /**
     * downloadFileStream read to the end. "byob": into one reused 4 MiB buffer, as saveFileStream reads (the page
     * holds no chunk); "default": a default reader, whose dropped chunks stay until the garbage collector runs.
     */
    async downloadStream(fileId, reader = "default") {
      const g = await group();
      // A build without downloadFileStream (for comparisons with older versions): no number.
      if (typeof g.downloadFileStream !== "function") return { ms: Number.NaN, size: Number.NaN };
      let size = 0;
      const { ms } = await time(async () => {
        const [stream] = await g.downloadFileStream(fileId);
        if (reader === "byob") {
          const byob = stream.getReader({ mode: "byob" });
          let buffer = new Uint8Array(4 * 1024 * 1024);
          for (;;) {
            const { done, value } = await byob.read(buffer);
            if (done) break;
            size += value.length;
            buffer = new Uint8Array(value.buffer);
          }
          return;
        }
        const plain = stream.getReader();
        for (;;) {
          const { done, value } = await plain.read();
          if (done) break;
          size += value.length;
        }
      });
      return { ms, size };
    },

    async deleteFile(fileId) {
      await (await group()).deleteFile(fileId);
    },

    /** crypto.subtle AES-GCM encrypt then decrypt of every 4 MiB part of the data (sequential, as the SDK does). */
    async rawCrypto() {
      const key = await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, ["encrypt", "decrypt"]);
      const sealed = [];
      let encryptMs = 0;
      let decryptMs = 0;
      for (let start = 0; start < state.blob.size; start += PART) {
        const plain = new Uint8Array(await state.blob.slice(start, start + PART).arrayBuffer());
        const iv = crypto.getRandomValues(new Uint8Array(12));
        let t = performance.now();
        sealed.push([iv, await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain)]);
        encryptMs += performance.now() - t;
      }
      for (const [iv, data] of sealed) {
        const t = performance.now();
        await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, data);
        decryptMs += performance.now() - t;
      }
      return { encryptMs, decryptMs };
    },

    /** POSTs the data as parts of a registered file, one after another, as Blob bodies. */
    async rawUpload(apiUrl, appToken) {
      const g = await group();
      const user = await S().getActualUser();
      const jwt = await user.getJwt();
      const prepared = await g.prepareRegisterFile(new Uint8Array(1));
      const headers = { "x-sentc-app-token": appToken, authorization: "Bearer " + jwt };
      const registered = await (await fetch(apiUrl + "/api/v1/group/" + g.data.group_id + "/file", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: prepared.server_input })).json();
      const { session_id, file_id } = registered.result;
      const count = Math.max(1, Math.ceil(state.blob.size / PART));
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const body = state.blob.slice(i * PART, (i + 1) * PART);
        const answer = await fetch(apiUrl + "/api/v1/file/part/" + session_id + "/" + (i + 1) + "/" + (i === count - 1), { method: "POST", headers: { ...headers, "content-type": "application/octet-stream" }, body });
        const text = await answer.text();
        if (!answer.ok) throw new Error("raw upload: " + text);
      }
      const ms = performance.now() - start;
      await g.deleteFile(file_id);
      return ms;
    },

    /** GETs every stored part of fileId, one after another. */
    async rawDownload(apiUrl, appToken, fileId) {
      const g = await group();
      const [meta] = await g.downloadFileMetaInfo(fileId);
      let size = 0;
      const start = performance.now();
      for (const part of meta.part_list) {
        const answer = await fetch(apiUrl + "/api/v1/file/part/" + part.part_id, { headers: { "x-sentc-app-token": appToken } });
        size += (await answer.arrayBuffer()).byteLength;
      }
      return { ms: performance.now() - start, size };
    },
  };
})();
`;
