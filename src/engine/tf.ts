import { createRequire } from 'node:module';
import type * as Tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

let loaded: typeof Tf | undefined;

/** tfjs-core itself, loaded now if it is not yet (see `tf`). */
export const loadTf = (): typeof Tf => {
  loaded ??= require('@tensorflow/tfjs-core') as typeof Tf;
  return loaded;
};

/**
 * TensorFlow.js, loaded on first use: the engine's modules use `tf` as they would
 * `import * as tf from '@tensorflow/tfjs-core'`, but tfjs-core (a tenth of a second or more to
 * load, and a backend after it) loads only when a tfjs op or backend is first asked for. A batch
 * that trains on the native step asks for none, so a worker that trains only such batches, and a
 * report that retraces such a run, never load it. `require` finds the same module the ES import
 * of the package does (its CommonJS main), so every part of the process shares one tfjs.
 */
export const tf: typeof Tf = new Proxy({} as typeof Tf, {
  get: (_, key) => loadTf()[key as keyof typeof Tf],
});

/** The tfjs types the engine names as `tf.Tensor3D` etc., beside the value `tf`. */
export declare namespace tf {
  type Tensor<R extends Tf.Rank = Tf.Rank> = Tf.Tensor<R>;
  type Tensor1D = Tf.Tensor1D;
  type Tensor2D = Tf.Tensor2D;
  type Tensor3D = Tf.Tensor3D;
  type GradSaveFunc = Tf.GradSaveFunc;
}
