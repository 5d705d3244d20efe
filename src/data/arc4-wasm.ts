import { builtWasm } from '../ground/built-wasm.js';

/**
 * seedrandom's draws (and their normals) on WebAssembly (assembly/arc4.ts, built into
 * dist/arc4.wasm): one instance per thread, made on first use, a module of its own so that the data
 * layer needs nothing of the engine's kernels. Its numbers are arc4.ts's `fill`'s, which stays
 * their reference and draws the small blocks, and everything when WebAssembly is off
 * (COVSWEEP_WASM_KERNELS=0, as for the engine's kernels) or missing.
 */
export interface Arc4Wasm {
  /** Linear memory's bytes: the state's 256 at 0, i at 256, j at 257. */
  readonly bytes: Uint8Array;
  /** The doubles a call writes, from the start of this view. */
  readonly doubles: Float64Array;
  /** How many doubles one call writes at most. */
  readonly capacity: number;
  /** Writes the stream's next `count` doubles (at most `capacity`) and moves the state on. */
  fill(count: number): void;
  /** `fill`, each pair of the `count` doubles (even) then through Box-Muller: normals. */
  normals(count: number): void;
  /** Box-Muller over the first `count` doubles (even) of `doubles`, as they are: for the tests. */
  boxMuller(count: number): void;
}

interface Arc4Exports {
  readonly memory: WebAssembly.Memory;
  readonly ARC4_CAPACITY: WebAssembly.Global;
  arc4Fill(count: number): void;
  arc4Normals(count: number): void;
  arc4BoxMuller(count: number): void;
}

/** Where arc4Fill writes its doubles (assembly/arc4.ts's OUT). */
const OUT = 1024;

let instance: Arc4Wasm | null | undefined;

export function arc4Wasm(): Arc4Wasm | undefined {
  if (instance === undefined) instance = load();
  return instance ?? undefined;
}

function load(): Arc4Wasm | null {
  const exports = builtWasm<Arc4Exports>('arc4');
  if (!exports) return null;
  const capacity = exports.ARC4_CAPACITY.value as number;
  // The module allocates nothing and its memory never grows, so these views stay attached.
  return {
    bytes: new Uint8Array(exports.memory.buffer),
    doubles: new Float64Array(exports.memory.buffer, OUT, capacity),
    capacity,
    fill: exports.arc4Fill,
    normals: exports.arc4Normals,
    boxMuller: exports.arc4BoxMuller,
  };
}
