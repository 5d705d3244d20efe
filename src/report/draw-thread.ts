import { parentPort } from 'node:worker_threads';
import type { DrawReply, DrawRequest } from './drawer.js';
import { drawSvg, loadVega } from './render.js';
import { bundlesInstalled } from './vega-bundles.js';

const reply = (r: DrawReply) => parentPort?.postMessage(r);
const ready = () => reply({ ready: true });

// Loading starts as the thread does, before any plot is asked for: that is the point of the thread.
// The thread may be ended (drawer.ts) once it says it is ready: ending a thread while it loads ES
// modules can abort the whole process on Node 20 (FATAL ERROR v8::Module::IsGraphAsync), but
// vega's bundles run as a script, which ending the thread stops cleanly. So with the bundles it is
// ready now (its own modules have loaded), and a run whose plots are all kept need not wait for
// vega; from ES modules, once they have loaded. A failure is reported by drawSvg, with the plot
// that needed vega.
if (bundlesInstalled()) {
  ready();
  // After this module's evaluation, so that the ready message leaves first.
  setImmediate(() => loadVega().catch(() => {}));
} else loadVega().then(ready, ready);

parentPort?.on('message', ({ id, json }: DrawRequest) => {
  drawSvg(JSON.parse(json)).then(
    (svg) => reply({ id, svg }),
    (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
