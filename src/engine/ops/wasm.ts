import { readFileSync } from 'node:fs';

/**
 * The host kernels compiled to WebAssembly with SIMD (assembly/, built by scripts/build-wasm.mjs
 * into dist/kernels.wasm): one instance per thread, made on first use. Its kernels give the same
 * float64 operations in the same order as their JavaScript twins, two independent sums per
 * f64x2 (rows of a column, columns of a row), so a kernel's numbers do not depend on which of
 * the two ran: the JavaScript kernels stay as the reference the tests hold these to, and run
 * where a call's fixed cost outweighs its arithmetic (small d).
 *
 * Kernels read and write linear memory only: a caller reserves its blocks once (`reserve`) and
 * copies its operands in and its results out through `f32` / `f64`.
 */
export interface WasmKernels {
  /** The exports of assembly/index.ts. */
  readonly exports: KernelExports;
  /** A new block of `bytes` bytes (16-byte aligned) for one caller, for the thread's lifetime. */
  reserve(bytes: number): number;
  /** Views of all of linear memory; remade after memory grows (which detaches the old ones). */
  f32(): Float32Array;
  f64(): Float64Array;
}

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  /** cholesky.ts: returns the failing column, or d. */
  choleskyForward(d: number, a: number, l: number, pivots: number, wt: number): number;
}

/** Below this offset lies what the compiler places in memory (its static data). */
const FIRST_BLOCK = 65536;
const PAGE = 65536;

let kernels: WasmKernels | null | undefined;

/**
 * This thread's kernels, or undefined when WebAssembly (with SIMD) is unavailable or switched off
 * with COVSWEEP_WASM_KERNELS=0 (the JavaScript kernels then run everywhere: the numbers are the
 * same, only slower).
 */
export function wasmKernels(): WasmKernels | undefined {
  if (kernels === undefined) kernels = load();
  return kernels ?? undefined;
}

/**
 * The kernels for blocks of size d x d: from d = 8 on, where a call's copies in and out cost less
 * than the arithmetic it saves (measured: 1.4x at d = 8, 2x at 16 and 32, 2.4x at 64 for the
 * Cholesky factor, copies included).
 */
export function wasmKernelsFor(d: number): WasmKernels | undefined {
  return d >= 8 ? wasmKernels() : undefined;
}

function load(): WasmKernels | null {
  if (process.env.COVSWEEP_WASM_KERNELS === '0') return null;
  let exports: KernelExports;
  try {
    // dist/kernels.wasm, from src/engine/ops (tests) and dist/engine/ops (the built CLI) alike.
    const bytes = readFileSync(new URL('../../../dist/kernels.wasm', import.meta.url));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: {
        abort() {
          throw new Error('covsweep wasm kernels: abort');
        },
      },
    });
    exports = instance.exports as unknown as KernelExports;
  } catch {
    // A runtime without WebAssembly SIMD (or a build without the module) runs the JS kernels.
    return null;
  }
  const { memory } = exports;
  let next = FIRST_BLOCK;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  const fresh = () => {
    if (f32.buffer !== memory.buffer) {
      f32 = new Float32Array(memory.buffer);
      f64 = new Float64Array(memory.buffer);
    }
  };
  return {
    exports,
    reserve(bytes) {
      const at = next;
      next += Math.ceil(bytes / 16) * 16;
      if (next > memory.buffer.byteLength) memory.grow(Math.ceil((next - memory.buffer.byteLength) / PAGE));
      return at;
    },
    f32() {
      fresh();
      return f32;
    },
    f64() {
      fresh();
      return f64;
    },
  };
}
