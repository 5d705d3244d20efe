import { readFileSync } from 'node:fs';

/**
 * The exports of a WebAssembly module the build compiled (scripts/build-wasm.mjs) at `url`,
 * instantiated, or undefined where its JavaScript twins run instead, with the same numbers: when
 * COVSWEEP_WASM_KERNELS=0 switches every module off, or on a runtime without WebAssembly (with
 * SIMD), or a build without the module. One decision for every module: the engine's kernels
 * (engine/ops/wasm.ts) and the seeded streams' draws (data/arc4-wasm.ts).
 */
export function builtWasm<T>(url: URL, imports?: WebAssembly.Imports): T | undefined {
  if (process.env.COVSWEEP_WASM_KERNELS === '0') return undefined;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), imports).exports as T;
  } catch {
    return undefined;
  }
}
