import { useBackend as use } from '../../src/engine/backend.js';

export type BackendName = 'cpu' | 'wasm';

/** The backends engine tests run on (tfjs-node cannot be installed here). */
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

/** The engine's own backend selection, so tests set tfjs up exactly as a worker does. */
export async function useBackend(name: BackendName): Promise<void> {
  await use(name);
}
