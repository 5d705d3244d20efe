/**
 * The engine backends a command may ask for, apart from backend.ts, which loads tfjs: the CLI
 * parses `--backend` and the pool posts the choice without loading any of it.
 */
export type BackendChoice = 'auto' | 'native' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendChoice[] = ['auto', 'native', 'tensorflow', 'wasm', 'cpu'];
