import { useBackend as use } from '../../src/engine/backend.js';

export type BackendName = 'cpu' | 'wasm' | 'native';

/**
 * The backends engine tests run on (tfjs-node cannot be installed here); `native` trains by the
 * native step where the task and parameterization have one, on cpu otherwise.
 */
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'native'];

/** The engine's own backend selection, so tests set tfjs up exactly as a worker does. */
export async function useBackend(name: BackendName): Promise<void> {
  await use(name);
}
