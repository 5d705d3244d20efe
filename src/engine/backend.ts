import type { BackendChoice } from './backend-choice.js';
import { tf } from './tf.js';

/** A variable, not a literal: the optional package may be absent, and tsc must not require its types. */
const TFJS_NODE: string = '@tensorflow/tfjs-node';

/** Whether batches train by the native step (native/step.ts) where their task and parameterization have one. */
let native = false;

/** True after `useBackend('native')` or `useNativeStep()`: lane trainers take the native step where there is one. */
export function nativeEngine(): boolean {
  return native;
}

/**
 * The native step alone, loading no tfjs: for batches whose task and parameterization have one
 * (auto-backend.ts checks), which then run no tfjs op. A batch without one needs `useBackend`.
 */
export function useNativeStep(): 'native' {
  native = true;
  return 'native';
}

/** Whether @tensorflow/tfjs-node loaded, tried once per thread (its import error otherwise). */
let tfjsNode: Promise<true | Error> | undefined;

/**
 * Load TensorFlow.js with gradients and the chosen backend; returns the
 * backend actually in use. `native` is tfjs's cpu backend with the native
 * step on: lane trainers compute loss and gradient on host memory, without
 * tfjs ops, where the batch's task and parameterization have a native form
 * (the cpu backend serves the rest). `auto` takes @tensorflow/tfjs-node when it loads
 * (an optional dependency: its install downloads libtensorflow, which may not
 * be possible), else wasm; a worker then picks cpu or wasm per batch shape
 * (auto-backend.ts). Cheap to call again: modules and backends load once.
 */
export async function useBackend(choice: BackendChoice): Promise<string> {
  // PROD: no debug checks and no "install tfjs-node" banner in the results.
  tf.env().set('PROD', true);
  native = choice === 'native';
  // Every op's gradient and the chained ops (bundled at build time, see tfjs-registrations.ts), and
  // the cpu backend, which is also the fallback of every other backend.
  await import('./tfjs-registrations.js');
  await import('@tensorflow/tfjs-backend-cpu');
  if (choice === 'tensorflow' || choice === 'auto') {
    tfjsNode ??= import(TFJS_NODE).then(
      () => true as const,
      (cause: unknown) => (cause instanceof Error ? cause : new Error(String(cause))),
    );
    const node = await tfjsNode;
    if (node === true) {
      await setOrThrow('tensorflow');
      return 'tensorflow';
    }
    if (choice === 'tensorflow')
      throw new Error(
        'backend "tensorflow" is not available: @tensorflow/tfjs-node did not load; use --backend wasm or cpu',
        { cause: node },
      );
  }
  if (choice === 'wasm' || choice === 'auto') {
    await import('@tensorflow/tfjs-backend-wasm');
    // The threaded wasm build spawns workers from blob: URLs, which Node cannot load.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await setOrThrow('wasm');
    return 'wasm';
  }
  await setOrThrow('cpu');
  return native ? 'native' : 'cpu';
}

async function setOrThrow(name: string) {
  if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
}
