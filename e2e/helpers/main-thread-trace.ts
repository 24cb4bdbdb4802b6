import type { Browser, Page } from "playwright-core";

/** One task of a page's main thread, from a Chromium trace: wall time and the thread's own CPU time, in ms. */
export interface MainThreadTask {
  wallMs: number;
  cpuMs: number;
}

/** What a trace says about a page's main thread while a function ran. */
export interface MainThreadReport<T> {
  value: T;
  /** Every task the page's renderer main thread ran (at least the function's own). */
  tasks: MainThreadTask[];
  /** Tasks whose own CPU time exceeds 50 ms: work of the page that blocks its main thread as a long task does. */
  longByCpu: MainThreadTask[];
  /** Tasks longer than 50 ms of wall time (what PerformanceObserver "longtask" reports), with their CPU time. */
  longByWall: MainThreadTask[];
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { frames?: { processId?: number; url?: string }[] } };
}

const LONG_TASK_MS = 50;

/**
 * Runs `fn` while Chromium traces its scheduler, and answers every task of the main thread of the renderer that shows
 * `page` (the process of the frame whose URL contains `urlPart`) with its wall and thread CPU time. A long task
 * (> 50 ms of wall time) is the page's own blocking work when the thread also spent > 50 ms of CPU in it; on a
 * loaded machine a task of a few ms of CPU can take longer than 50 ms of wall time while its thread waits for a core.
 * @throws Error when the trace holds no task of that page's main thread (nothing was measured).
 * @example
 * const { value, longByCpu } = await traceMainThread(browser, page, "worker%22%3Atrue", () => upload());
 */
export async function traceMainThread<T>(
  browser: Browser,
  page: Page,
  urlPart: string,
  fn: () => Promise<T>,
): Promise<MainThreadReport<T>> {
  await browser.startTracing(page, { categories: ["disabled-by-default-devtools.timeline", "devtools.timeline"] });
  let value: T;
  let traced: MainThreadTask[];
  try {
    value = await fn();
  } finally {
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] };
    traced = mainThreadTasks(trace.traceEvents, urlPart);
  }
  if (traced.length === 0) throw new Error("the trace holds no task of the page's main thread");
  return {
    value,
    tasks: traced,
    longByCpu: traced.filter((task) => task.cpuMs > LONG_TASK_MS),
    longByWall: traced.filter((task) => task.wallMs > LONG_TASK_MS),
  };
}
/** The tasks of the renderer main thread of the processes showing a frame whose URL contains `urlPart`. */
function mainThreadTasks(events: TraceEvent[], urlPart: string): MainThreadTask[] {
  const pids = new Set<number>();
  for (const event of events) {
    for (const frame of event.args?.data?.frames ?? []) {
      if (frame.url?.includes(urlPart) && typeof frame.processId === "number") pids.add(frame.processId);
    }
  }
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain" && pids.has(e.pid))
      .map((e) => `${e.pid}:${e.tid}`),
  );
  // Without a thread time (`tdur`) a task counts with its wall time: stricter, never more lenient.
  return events
    .filter((e) => e.ph === "X" && e.name === "RunTask" && mainThreads.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}
