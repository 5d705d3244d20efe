import { parentPort, workerData } from 'node:worker_threads';
import { warmUpPlots } from './charts/warm-up.js';
import type { DrawReply, DrawRequest, DrawThreadData } from './drawer.js';
import { drawSvg, loadVega } from './render.js';
import { bundlesInstalled } from './vega-bundles.js';

const reply = (r: DrawReply) => parentPort?.postMessage(r);
const ready = () => reply({ ready: true });

/** Whether a plot has been asked for: from then on the thread draws only what it is asked. */
let asked = false;
/** The warm-up plot being drawn, which a plot asked for waits for. */
let warming: Promise<unknown> = Promise.resolve();

/**
 * Draws the warm-up plots (charts/warm-up.ts) one by one until a plot is asked for: the thread was
 * started on a core nothing else wants, and the report's plots then run on warm code. A plot asked
 * for waits at most for the warm-up plot being drawn (a few hundredths of a second).
 */
async function warmUp(): Promise<void> {
  for (const spec of warmUpPlots()) {
    // A turn of the event loop first, so that a plot asked for meanwhile stops the warm-up.
    await new Promise((r) => setImmediate(r));
    if (asked) return;
    warming = drawSvg(spec).catch(() => {});
    await warming;
  }
}

// Loading starts as the thread does, before any plot is asked for: that is the point of the thread.
// The thread may be ended (drawer.ts) once it says it is ready: ending a thread while it loads ES
// modules can abort the whole process on Node 20 (FATAL ERROR v8::Module::IsGraphAsync), but
// vega's bundles run as a script, which ending the thread stops cleanly. So with the bundles it is
// ready now (its own modules have loaded), and a run whose plots are all kept need not wait for
// vega; from ES modules, once they have loaded. A failure is reported by drawSvg, with the plot
// that needed vega. Only with the bundles does it warm up: from ES modules, a warm-up plot would
// import vega-lite's after the thread said it may be ended.
const warm = (workerData as DrawThreadData | undefined)?.warm === true;
if (bundlesInstalled()) {
  ready();
  // After this module's evaluation, so that the ready message leaves first.
  setImmediate(() =>
    loadVega()
      .then(() => (warm ? warmUp() : undefined))
      .catch(() => {}),
  );
} else loadVega().then(ready, ready);

parentPort?.on('message', ({ id, json }: DrawRequest) => {
  asked = true;
  warming
    .then(() => drawSvg(JSON.parse(json)))
    .then(
      (svg) => reply({ id, svg }),
      (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
    );
});
