import { readFileSync } from 'node:fs';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

/**
 * The modules the build compiles (scripts/build-wasm.mjs) into dist/: the engine's kernels, the
 * seeded streams' draws, the Gaussian data's transform.
 */
export type BuiltModule = 'kernels' | 'arc4' | 'gaussian-rows';
const BUILT: readonly BuiltModule[] = ['kernels', 'arc4', 'gaussian-rows'];

/** dist/NAME.wasm, from src/ground (tests) and from dist/ (the built CLI) alike. */
const urlOf = (name: BuiltModule) => new URL(`../../dist/${name}.wasm`, import.meta.url);

/**
 * The exports of built module `name` (dist/NAME.wasm), instantiated, or undefined where its
 * JavaScript twins run instead, with the same numbers: when COVSWEEP_WASM_KERNELS=0 switches
 * every module off, or on a runtime without WebAssembly (with SIMD), or a build without the
 * module. One decision for every module: the engine's kernels (engine/ops/wasm.ts), the seeded
 * streams' draws (data/arc4-wasm.ts) and the Gaussian data's transform (data/gaussian-rows-wasm.ts).
 * A thread started after `shareBuiltWasm` instantiates the module its starter compiled.
 */
export function builtWasm<T>(name: BuiltModule, imports?: WebAssembly.Imports): T | undefined {
  if (process.env.COVSWEEP_WASM_KERNELS === '0') return undefined;
  try {
    const shared = getEnvironmentData(sharedKey(name));
    const module =
      shared instanceof WebAssembly.Module ? shared : new WebAssembly.Module(readFileSync(urlOf(name)));
    return new WebAssembly.Instance(module, imports).exports as T;
  } catch {
    return undefined;
  }
}

/**
 * Compiles the built modules here and hands them to every worker thread started after this call
 * (worker_threads' environment data), whose `builtWasm` then instantiates them rather than compile
 * its own. Threads given one module share its code, so V8 compiles each function once for all of
 * them, where every worker compiled (and, as its functions grew hot, optimised) the same module
 * for itself, each on the two cores that train: a worker's optimising compiles of the kernels
 * took ~25 ms of CPU, and its first steps ran the baseline code meanwhile. Compiling here costs
 * a millisecond or two (V8 compiles a module's functions when they first run). A module that
 * cannot be read or compiled is left to the workers, which then run its JavaScript twins, as before.
 */
export function shareBuiltWasm(): void {
  if (process.env.COVSWEEP_WASM_KERNELS === '0') return;
  for (const name of BUILT) {
    const key = sharedKey(name);
    if (getEnvironmentData(key) !== undefined) continue;
    try {
      setEnvironmentData(key, new WebAssembly.Module(readFileSync(urlOf(name))));
    } catch {
      // The workers find out for themselves.
    }
  }
}

/** The environment data key of a built module: its file's name. */
const sharedKey = (name: BuiltModule) => `covsweep:wasm:${name}.wasm`;
