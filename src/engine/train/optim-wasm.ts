import type { WasmKernels } from '../ops/wasm.js';

/** Float32 slots of each lane's coefficients (assembly/optim.ts's layout: 32 bytes a lane). */
export const SLOTS = 8;

/** Elements of each array that one kernel call takes at most (unless one lane is longer): 32 KiB, so a call's arrays stay in cache. */
const CHUNK = 8192;
/** Lanes that one kernel call takes at most (the per-lane blocks' size). */
const MAX_LANES = 1024;

/**
 * A lanes kernel of assembly/optim.ts bound to its rule's options: `lanes` lanes of `size`
 * elements at p and g, the rule's state arrays at s0 and s1 (s1 unused by one-state rules), and
 * the per-lane blocks.
 */
export type LanesKernel = (
  lanes: number,
  size: number,
  p: number,
  g: number,
  s0: number,
  s1: number,
  coef: number,
  alive: number,
  bound: number,
  bad: number,
) => void;

/**
 * Runs a lanes kernel over lane-major float32 arrays in host memory: a chunk of whole lanes at a
 * time is copied into linear memory (parameters, gradients, state, and each lane's
 * coefficients, alive byte and bound), updated there, and its parameters and state copied back.
 * The blocks are shared by every optimizer of a thread with the same chunk size (one update runs
 * at a time, and nothing stays in them between calls), so making an optimizer per batch does not
 * grow linear memory.
 */
export class LaneChunks {
  private memory?: Float32Array;
  private bytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly kernels: WasmKernels) {}

  /**
   * Update group `p` (gradient `g`, state `states`, `size` elements a lane) of every live lane by
   * `kernel` with each lane's coefficients `coef` ([B * SLOTS]) and bound; set `bad[b]` where lane
   * b's new parameters leave its bound (a flag already set stays set).
   */
  run(
    kernel: LanesKernel,
    size: number,
    p: Float32Array,
    g: Float32Array,
    states: Float32Array[],
    coef: Float32Array,
    alive: Uint8Array,
    bound: Float32Array,
    bad: Uint8Array,
  ): void {
    const lanes = alive.length;
    const cap = Math.max(CHUNK, 2 ** Math.ceil(Math.log2(size)));
    const per = Math.min(MAX_LANES, Math.floor(cap / size));
    const blocks = this.kernels.shared(`optim:${cap}`, [
      cap * 4,
      cap * 4,
      cap * 4,
      cap * 4,
      MAX_LANES * SLOTS * 4,
      MAX_LANES,
      MAX_LANES * 4,
      MAX_LANES,
    ]);
    const [pAt, gAt, s0At, s1At, coefAt, aliveAt, boundAt, badAt] = blocks;
    const f32 = this.kernels.f32();
    if (f32 !== this.memory) {
      this.memory = f32;
      this.bytes = new Uint8Array(f32.buffer);
    }
    const u8 = this.bytes;
    const stateAt = [s0At >> 2, s1At >> 2];
    for (let b0 = 0; b0 < lanes; b0 += per) {
      const n = Math.min(per, lanes - b0);
      if (!alive.subarray(b0, b0 + n).includes(1)) continue;
      const [from, to] = [b0 * size, (b0 + n) * size];
      f32.set(p.subarray(from, to), pAt >> 2);
      f32.set(g.subarray(from, to), gAt >> 2);
      for (let s = 0; s < states.length; s++) f32.set(states[s].subarray(from, to), stateAt[s]);
      f32.set(coef.subarray(b0 * SLOTS, (b0 + n) * SLOTS), coefAt >> 2);
      f32.set(bound.subarray(b0, b0 + n), boundAt >> 2);
      u8.set(alive.subarray(b0, b0 + n), aliveAt);
      u8.fill(0, badAt, badAt + n);
      kernel(n, size, pAt, gAt, s0At, s1At, coefAt, aliveAt, boundAt, badAt);
      const len = to - from;
      p.set(f32.subarray(pAt >> 2, (pAt >> 2) + len), from);
      for (let s = 0; s < states.length; s++) states[s].set(f32.subarray(stateAt[s], stateAt[s] + len), from);
      for (let j = 0; j < n; j++) bad[b0 + j] |= u8[badAt + j];
    }
  }
}
