import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers neither gradients nor a backend: the umbrella package's node bundle
// registers every built-in gradient and the cpu backend; the wasm package registers its backend.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'cpu' | 'wasm';

/** Every backend the engine supports; engine tests run once per entry. */
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

/** Makes `name` the active tfjs backend, failing loudly if it cannot start. */
export async function useBackend(name: BackendName): Promise<void> {
  // Silences the cpu backend's "use tfjs-node" console banner.
  tf.env().set('PROD', true);
  // Threaded wasm fails in Node; the flag must be set before the wasm backend initialises.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
}
