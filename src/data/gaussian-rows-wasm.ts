import { builtWasm } from '../ground/built-wasm.js';

/**
 * The Gaussian draws' transform on WebAssembly (assembly/gaussian-rows.ts, built into
 * dist/gaussian-rows.wasm): one instance per thread, made on first use, a module of its own as
 * arc4.wasm, so that the data layer needs nothing of the engine's kernels. Its numbers are
 * gaussian-sample.ts's `transformRows`, which stays their reference and runs where WebAssembly is
 * off (COVSWEEP_WASM_KERNELS=0) or missing.
 */
export interface GaussianRowsWasm {
  /** out[at..at + n d) = mean + L z of its rows of normals z, in place (transformRows's numbers). */
  transform(
    out: Float64Array,
    at: number,
    n: number,
    d: number,
    mean: ArrayLike<number>,
    l: Float64Array,
  ): void;
}

interface GaussianRowsExports {
  readonly memory: WebAssembly.Memory;
  gaussianRows(n: number, d: number, mean: number, l: number, rows: number): void;
}

const PAGE = 65536;

let instance: GaussianRowsWasm | null | undefined;

export function gaussianRowsWasm(): GaussianRowsWasm | undefined {
  if (instance === undefined) instance = load();
  return instance ?? undefined;
}

function load(): GaussianRowsWasm | null {
  const exports = builtWasm<GaussianRowsExports>('gaussian-rows');
  if (!exports) return null;
  const { memory, gaussianRows } = exports;
  let f64 = new Float64Array(memory.buffer);
  return {
    transform(out, at, n, d, mean, l) {
      // Memory: the mean at 0, L after it, then the rows; grown (never shrunk) to fit the largest call.
      const lAt = d;
      const rowsAt = d + d * d;
      const bytes = 8 * (rowsAt + n * d);
      if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
      if (f64.buffer !== memory.buffer) f64 = new Float64Array(memory.buffer);
      for (let a = 0; a < d; a++) f64[a] = mean[a];
      f64.set(l.subarray(0, d * d), lAt);
      f64.set(out.subarray(at, at + n * d), rowsAt);
      gaussianRows(n, d, 0, 8 * lAt, 8 * rowsAt);
      out.set(f64.subarray(rowsAt, rowsAt + n * d), at);
    },
  };
}
