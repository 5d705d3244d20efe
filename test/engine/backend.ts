import { useBackend as use } from '../../src/engine/backend.js';

export type BackendName = 'cpu' | 'wasm' | 'native';

/** The tfjs backends engine tests run ops on (tfjs-node cannot be installed here). */
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

/**
 * What tests that train whole batches run on: the tfjs backends and `native`, which trains by the
 * native step where the task and parameterization have one (on cpu otherwise).
 */
export const ENGINES: readonly BackendName[] = [...BACKENDS, 'native'];

/** The engine's own backend selection, so tests set tfjs up exactly as a worker does. */
export async function useBackend(name: BackendName): Promise<void> {
  await use(name);
}
