import { parentPort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { DrawReply } from './drawer.js';
import { drawSvg, loadVega } from './render.js';

const reply = (r: DrawReply) => parentPort?.postMessage(r);

// Loading starts as the thread does, before any plot is asked for: that is the point of the thread.
// Once it has settled the thread may be ended (drawer.ts); a failure is reported by drawSvg, with
// the plot that needed vega.
loadVega().then(
  () => reply({ ready: true }),
  () => reply({ ready: true }),
);

parentPort?.on('message', ({ id, spec }: { id: number; spec: TopLevelSpec }) => {
  drawSvg(spec).then(
    (svg) => reply({ id, svg }),
    (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
