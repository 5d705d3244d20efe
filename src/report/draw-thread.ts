import { parentPort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { DrawReply } from './drawer.js';
import { drawSvg, loadVega } from './render.js';

// Loading starts as the thread does, before any plot is asked for: that is the point of the thread.
loadVega().catch(() => {
  // drawSvg reports the failure with the plot that needed it.
});

parentPort?.on('message', ({ id, spec }: { id: number; spec: TopLevelSpec }) => {
  const reply = (r: DrawReply) => parentPort?.postMessage(r);
  drawSvg(spec).then(
    (svg) => reply({ id, svg }),
    (err: unknown) => reply({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
