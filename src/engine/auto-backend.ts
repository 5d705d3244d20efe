import type { LaneBatch } from '../types.js';
import { useBackend, useNativeStep } from './backend.js';
import type { BackendChoice } from './backend-choice.js';
import { tasks } from './tasks/index.js';
import { tf } from './tf.js';
import { LaneTrainer } from './train/train.js';

/** Kernels that only copy or relabel memory. */
const BOOKKEEPING = new Set(['Identity', 'Reshape', 'Cast']);

/**
 * At most this many elementwise tfjs kernels per step, and the cpu backend is
 * faster: the rest of the step is fused ops, plain JS loops whose inputs the
 * cpu backend hands over without a copy (wasm copies them out of its heap).
 * Measured at d = 2: 20% faster at 16 lanes, 5% at 4096 for `tril` (2 such
 * kernels), while `log-cholesky` (10) ran 45% slower on cpu at 4096 lanes and
 * 3.5x slower at d = 8.
 */
const CPU_MAX_KERNELS = 2;

const chosen = new Map<string, string>();
/** Whether a shape has a native step, by shape key. */
const nativeShapes = new Map<string, boolean>();

/**
 * The backend a batch trains on: `native` for `auto` or `native` when the
 * batch's task and parameterization have a native step (native/step.ts);
 * else the choice itself unless `auto` (`native` counts as `auto` here); for
 * `auto`, tfjs-node when it loads, else cpu or wasm by the number of elementwise
 * kernels one step of this shape runs (counted once per shape, on a one-lane
 * copy). The rule reads the shape only, never timings or lane counts, so a
 * run's backend (and with it its bits: tfjs's cpu and wasm `exp` differ in the
 * last bit) does not depend on how the plan packed it.
 */
export async function backendFor(choice: BackendChoice, batch: LaneBatch): Promise<string> {
  if (choice === 'native' || choice === 'auto') {
    let native = nativeShapes.get(batch.shapeKey);
    if (native === undefined) {
      // A built-in task makes its lane batch without tfjs; a plugin's may need a backend for it.
      if (!tasks.has(batch.runs[0].config.task.name)) await useBackend('cpu');
      native = hasNativeStep(batch);
      nativeShapes.set(batch.shapeKey, native);
    }
    // No tfjs op runs on the native step: the worker need not load tfjs or a backend for it.
    if (native) return useNativeStep();
    choice = 'auto';
  }
  const loaded = await useBackend(choice);
  if (choice !== 'auto' || loaded === 'tensorflow') return loaded;
  let name = chosen.get(batch.shapeKey);
  if (!name) {
    await useBackend('cpu');
    name = (await elementwiseKernels(batch)) <= CPU_MAX_KERNELS ? 'cpu' : 'wasm';
    chosen.set(batch.shapeKey, name);
  }
  return useBackend(name as BackendChoice);
}

/**
 * Ready to train `batch` again on the backend it was recorded with (`repro`, the report's
 * path-to-failure retrace): on `native`, a batch with a native step trains on it without loading
 * tfjs; anything else as `useBackend` has it.
 */
export async function useRecordedBackend(recorded: BackendChoice, batch: LaneBatch): Promise<string> {
  if (recorded === 'native' && tasks.has(batch.runs[0].config.task.name) && hasNativeStep(batch))
    return useNativeStep();
  return useBackend(recorded);
}

/** Whether the batch's task and parameterization have a native step (made for one lane). */
function hasNativeStep(batch: LaneBatch): boolean {
  const trainer = new LaneTrainer({ ...batch, runs: batch.runs.slice(0, 1) }, undefined, true);
  try {
    return trainer.engine === 'native';
  } finally {
    trainer.dispose();
  }
}

async function elementwiseKernels(batch: LaneBatch): Promise<number> {
  const trainer = new LaneTrainer({ ...batch, runs: batch.runs.slice(0, 1) });
  try {
    const info = await tf.profile(() => trainer.advance());
    // Fused ops (customGrad) are no registered kernel: they are the plain JS part.
    return info.kernels.filter((k) => !BOOKKEEPING.has(k.name) && tf.getKernel(k.name, 'cpu')).length;
  } finally {
    trainer.dispose();
  }
}
