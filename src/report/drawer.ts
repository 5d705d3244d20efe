import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { drawSvg, drawWith } from './render.js';

/** What the drawing thread answers for plot `id`: its SVG, or why vega could not draw it. */
export type DrawReply = { id: number; svg: string } | { id: number; error: string };

const THREAD = new URL('./draw-thread.js', import.meta.url);

/**
 * Draws the report's plots in a thread of their own from now until `stop`: the thread starts
 * loading vega (a fifth of a second) at once, while this thread orders the results and writes
 * the tables, then draws the plots the cache lacks. A thread that cannot start or dies (as under
 * a test runner that has no built module to start) leaves the drawing to this thread, as
 * without it; a plot vega cannot draw fails the same way in either. `thread`: the thread's
 * module (tests point it at the built one, or at fixtures).
 */
export function drawInThread(thread: URL | string = THREAD): { stop: () => Promise<void> } {
  let worker: Worker;
  try {
    worker = new Worker(thread);
  } catch {
    return { stop: async () => {} };
  }
  // Never what keeps the process alive.
  worker.unref();
  const waiting = new Map<number, { resolve: (svg: string) => void; reject: (err: Error) => void }>();
  let next = 0;
  let broken = false;
  const fail = () => {
    broken = true;
    // What was sent to it is drawn here instead.
    for (const w of waiting.values()) w.reject(new Error('the drawing thread stopped'));
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  worker.on('message', (r: DrawReply) => {
    const w = waiting.get(r.id);
    waiting.delete(r.id);
    if ('svg' in r) w?.resolve(r.svg);
    else w?.reject(Object.assign(new Error(r.error), { drawn: true }));
  });
  const inThread = (spec: TopLevelSpec) =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, spec });
    });
  const restore = drawWith(async (spec) => {
    if (broken) return drawSvg(spec);
    try {
      return await inThread(spec);
    } catch (err) {
      if ((err as { drawn?: boolean }).drawn) throw err;
      return drawSvg(spec);
    }
  });
  return {
    stop: async () => {
      restore();
      worker.off('exit', fail);
      await worker.terminate();
    },
  };
}
