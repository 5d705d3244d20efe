import { Worker } from 'node:worker_threads';
import { drawSvg, drawWith } from './render.js';

/**
 * What a drawing thread says: that it may be ended (draw-thread.ts says when), or, for plot `id`,
 * its SVG or why vega could not draw it.
 */
export type DrawReply = { ready: true } | { id: number; svg: string } | { id: number; error: string };

/** What a drawing thread is asked: plot `id`, its Vega-Lite spec as JSON text. */
export interface DrawRequest {
  id: number;
  json: string;
}

const THREAD = new URL('./draw-thread.js', import.meta.url);

/** A plot waiting for a thread, or being drawn by one. */
interface Job {
  json: string;
  resolve: (svg: string) => void;
  reject: (err: Error) => void;
}

/** One drawing thread: the plot it draws now, and whether it has loaded vega or stopped. */
interface Drawer {
  worker: Worker;
  job?: Job;
  id?: number;
  /** Resolved when the thread says it may be ended, or is gone (see `stop`). */
  settled: Promise<void>;
  broken: boolean;
}

export interface DrawOptions {
  /** Most threads: one more starts when the plots waiting pay for it (`anotherThreadPays`). @default 1 */
  threads?: number;
  /** What another thread costs before it draws, in ms of drawing (tests make it small). @default THREAD_MS */
  threadMs?: number;
  /**
   * Threads started at once, to load vega while this thread reads results and makes the specs;
   * 0 starts none until a plot the cache lacks is asked for. @default 1
   */
  start?: number;
}

// Fitted to the flagship's six plots drawn warm: 7 to 19 ms at 3 to 5 KB, 40 to 60 ms at 180 to 390 KB.
const PLOT_MS = 10;
const MS_PER_BYTE = 1e-4;

/** What drawing a plot costs a thread whose vega runs warm, in ms: its views and scales, and its data (its spec's length stands for its rows). */
export const drawMs = (json: string) => PLOT_MS + json.length * MS_PER_BYTE;

/**
 * What another thread costs before it draws its first plot, in ms of drawing: Node starting it,
 * loading vega (and vega-lite for a shape not compiled before), and vega's code running cold, its
 * first plots two to three times as slow as later ones. On two cores it also takes the core this
 * thread reads results and retraces on: the flagship's report took 1.05 s CPU in one drawing thread
 * against 1.25 s in two, and 0.79 s against 0.85 s (medians of seven pairs, under load).
 */
export const THREAD_MS = 300;

/**
 * Whether one more thread pays for itself: `live` threads drawing share the plots `waiting` (as
 * JSON text), which with one more would start only THREAD_MS later; that finishes sooner only
 * when the waiting plots take longer than `live` such starts.
 */
export function anotherThreadPays(waiting: readonly string[], live: number, threadMs = THREAD_MS): boolean {
  return waiting.reduce((ms, json) => ms + drawMs(json), 0) > live * threadMs;
}

/**
 * Draws the report's plots in threads of their own from now until `stop`. The first starts
 * loading vega (a fifth of a second) at once, unless `start` is 0, while this thread trains or
 * orders the results and writes the tables; the plots of a page are asked for together and cost
 * from 10 ms to a tenth of a second each, so another thread starts, up to `threads`, only when the
 * plots waiting with every thread drawing would take longer than starting it
 * (`anotherThreadPays`), and each takes the next plot as it finishes one. A thread that cannot start or
 * dies (as under a test runner that has no built module to start) leaves its plots to the others,
 * or to this thread when none is left; a plot vega cannot draw fails the same way in either.
 * `thread`: the threads' module (tests point it at the built one, or at fixtures).
 */
export function drawInThread(
  thread: URL | string = THREAD,
  o: DrawOptions = {},
): { stop: () => Promise<void> } {
  const most = o.threads ?? 1;
  const threadMs = o.threadMs ?? THREAD_MS;
  const drawers: Drawer[] = [];
  const queue: Job[] = [];
  let next = 0;
  const give = (d: Drawer) => {
    if (!queue.length) return;
    // The largest plot waiting first (its spec's length stands for its work: data rows): the
    // last plot to finish then is a small one, drawn while the other thread still works.
    const largest = queue.reduce((a, j, i) => (j.json.length > queue[a].json.length ? i : a), 0);
    const [job] = queue.splice(largest, 1);
    d.job = job;
    d.id = next++;
    d.worker.postMessage({ id: d.id, json: job.json } satisfies DrawRequest);
  };
  const live = () => drawers.filter((d) => !d.broken);
  /** One more thread, unless it cannot start (then this thread draws what none is left to). */
  const startOne = (): Drawer | undefined => {
    let worker: Worker;
    try {
      worker = new Worker(thread);
    } catch {
      return undefined;
    }
    // Never what keeps the process alive.
    worker.unref();
    let settle!: () => void;
    const d: Drawer = { worker, settled: new Promise<void>((r) => (settle = r)), broken: false };
    const fail = () => {
      settle();
      if (d.broken) return;
      d.broken = true;
      // What it was drawing is drawn here instead; what waits goes to the threads left, if any.
      d.job?.reject(new Error('the drawing thread stopped'));
      d.job = undefined;
      const another = queue.length && drawers.length < most ? startOne() : undefined;
      if (another) give(another);
      if (!live().length)
        for (const job of queue.splice(0)) job.reject(new Error('the drawing threads stopped'));
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.on('message', (r: DrawReply) => {
      if ('ready' in r) return settle();
      const job = d.job;
      if (r.id !== d.id || !job) return;
      d.job = undefined;
      if ('svg' in r) job.resolve(r.svg);
      else job.reject(Object.assign(new Error(r.error), { drawn: true }));
      give(d);
    });
    drawers.push(d);
    return d;
  };
  for (let i = 0; i < Math.min(o.start ?? 1, most); i++) if (!startOne()) return { stop: async () => {} };
  const inThread = (json: string) =>
    new Promise<string>((resolve, reject) => {
      queue.push({ json, resolve, reject });
      // Only the plots waiting are weighed, not those the threads draw: a thread that seems busy
      // may have finished already, its answer waiting until this thread has made the next spec.
      const another =
        drawers.length < most &&
        (!live().length ||
          anotherThreadPays(
            queue.map((j) => j.json),
            live().length,
            threadMs,
          ));
      const idle = live().find((d) => !d.job) ?? (another ? startOne() : undefined);
      if (idle) give(idle);
      else if (!live().length) for (const job of queue.splice(0)) job.reject(new Error('no drawing thread'));
    });
  const restore = drawWith(async (spec, json) => {
    try {
      return await inThread(json);
    } catch (err) {
      if ((err as { drawn?: boolean }).drawn) throw err;
      return drawSvg(spec);
    }
  });
  return {
    stop: async () => {
      restore();
      // A thread ended while it still loads ES modules can abort the whole process on Node 20
      // (FATAL ERROR v8::Module::IsGraphAsync, as worker threads ended while loading did: see the
      // session's pool), so each is ended only once it says it may be (draw-thread.ts), or is gone.
      await Promise.all(
        drawers.map(async (d) => {
          await d.settled;
          d.worker.removeAllListeners('exit');
          await d.worker.terminate();
        }),
      );
    },
  };
}
