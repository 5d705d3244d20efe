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
 * One parameter group of every lane as an update takes it: `size` elements a lane of parameters
 * `p`, gradient `g` and the rule's state arrays `states`, lane-major; each lane's coefficients
 * `coef` ([B * SLOTS]), whether it is alive, and its bound; `bad[b]` is set where lane b's new
 * parameters leave its bound (a flag already set stays set).
 */
export interface GroupUpdate {
  size: number;
  p: Float32Array;
  g: Float32Array;
  states: Float32Array[];
  coef: Float32Array;
  alive: Uint8Array;
  bound: Float32Array;
  bad: Uint8Array;
}

/**
 * Runs a lanes kernel over lane-major float32 arrays in host memory: a chunk of whole lanes at a
 * time is copied into linear memory (parameters, gradients, and each lane's coefficients, alive
 * byte and bound), updated there, and its parameters copied back. The blocks are shared by every
 * optimizer of a thread with the same chunk size (one update runs at a time, and nothing stays in
 * them between calls), so making an optimizer per batch does not grow linear memory.
 *
 * The rule's state arrays stay in linear memory between steps (`Resident`): only the optimizer
 * reads them, so they are copied in once and the kernel updates them where they lie, where every
 * step copied each chunk's state in and out (two of the five large copies of an SGD step, four of
 * seven of Adam's: at d = 16, 256 lanes, ~40% of the update's copies).
 */
export class LaneChunks {
  private memory?: Float32Array;
  private bytes: Uint8Array = new Uint8Array(0);
  /** The blocks of each chunk capacity asked for (an optimizer asks for one or two, every step). */
  private readonly blocks = new Map<number, number[]>();
  /**
   * Views of the parameter and state blocks by block and length (pAt * 2^32 + length), for the copies out: an update is a few
   * nanoseconds an element, and at small d a view made per call would cost as much (kept while
   * linear memory keeps its buffer).
   */
  private readonly views = new Map<number, Float32Array[]>();

  /** Each group's state arrays in linear memory, by the group's `states` (slots in order of first use). */
  private readonly resident = new Map<Float32Array[], Resident>();

  constructor(private readonly kernels: WasmKernels) {}

  /** `u` of every live lane by `kernel`. */
  run(kernel: LanesKernel, u: GroupUpdate): void {
    const { size, p, g, states, coef, alive, bound, bad } = u;
    const lanes = alive.length;
    const cap = Math.max(CHUNK, 2 ** Math.ceil(Math.log2(size)));
    const per = Math.min(MAX_LANES, Math.floor(cap / size));
    const [pAt, gAt, s0At, s1At, coefAt, aliveAt, boundAt, badAt] = this.blocksOf(cap);
    const resident = this.residentOf(states)?.claim();
    const f32 = this.kernels.f32();
    if (f32 !== this.memory) {
      this.memory = f32;
      this.bytes = new Uint8Array(f32.buffer);
      this.views.clear();
    }
    const u8 = this.bytes;
    const stateAt = [s0At >> 2, s1At >> 2];
    for (let b0 = 0; b0 < lanes; b0 += per) {
      const n = Math.min(per, lanes - b0);
      if (!anyAlive(alive, b0, n)) continue;
      const [from, to] = [b0 * size, (b0 + n) * size];
      const whole = from === 0 && to === p.length;
      const part = (a: Float32Array) => (whole ? a : a.subarray(from, to));
      f32.set(part(p), pAt >> 2);
      f32.set(part(g), gAt >> 2);
      if (!resident) for (let s = 0; s < states.length; s++) f32.set(part(states[s]), stateAt[s]);
      f32.set(b0 === 0 && n === lanes ? coef : coef.subarray(b0 * SLOTS, (b0 + n) * SLOTS), coefAt >> 2);
      f32.set(b0 === 0 && n === lanes ? bound : bound.subarray(b0, b0 + n), boundAt >> 2);
      u8.set(b0 === 0 && n === lanes ? alive : alive.subarray(b0, b0 + n), aliveAt);
      u8.fill(0, badAt, badAt + n);
      const [s0, s1] = resident ? [resident[0] + 4 * from, resident[1] + 4 * from] : [s0At, s1At];
      kernel(n, size, pAt, gAt, s0, s1, coefAt, aliveAt, boundAt, badAt);
      const out = this.viewsOf(f32, to - from, pAt, stateAt);
      p.set(out[0], from);
      if (!resident) for (let s = 0; s < states.length; s++) states[s].set(out[1 + s], from);
      for (let j = 0; j < n; j++) bad[b0 + j] |= u8[badAt + j];
    }
  }

  /** The group's resident state (made on first use), or undefined where its arrays are too large to keep. */
  private residentOf(states: Float32Array[]): Resident | undefined {
    let r = this.resident.get(states);
    if (!r) {
      if (states[0].length > RESIDENT_MAX) return undefined;
      r = new Resident(this.kernels, states, this.resident.size);
      this.resident.set(states, r);
    }
    return r;
  }

  private blocksOf(cap: number): number[] {
    let blocks = this.blocks.get(cap);
    if (!blocks) {
      const [floats, coef] = [cap * 4, MAX_LANES * SLOTS * 4];
      blocks = this.kernels.shared(`optim:${cap}`, [
        floats,
        floats,
        floats,
        floats,
        coef,
        MAX_LANES,
        MAX_LANES * 4,
        MAX_LANES,
      ]);
      this.blocks.set(cap, blocks);
    }
    return blocks;
  }

  /** Views of `len` elements of the parameter block at pAt (bytes) and of the state blocks at stateAt (float32 indices). */
  private viewsOf(f32: Float32Array, len: number, pAt: number, stateAt: number[]): Float32Array[] {
    const key = pAt * 2 ** 32 + len;
    let views = this.views.get(key);
    if (!views) {
      views = [pAt >> 2, ...stateAt].map((at) => f32.subarray(at, at + len));
      this.views.set(key, views);
    }
    return views;
  }
}

/** Elements of a state array that stays in linear memory at most (8 MiB); larger ones are copied by chunks. */
const RESIDENT_MAX = 1 << 21;

/**
 * Which state array each resident block holds now, by the block's offset: the blocks are shared
 * by key (a group's slot in its optimizer, the state's index, the array's capacity), so that
 * making an optimizer per batch does not grow linear memory, and a thread may step two optimizers
 * of one shape in turn (tests do): the one that finds another's array in a block writes it back
 * first.
 */
const holders = new Map<number, Float32Array>();

/** One group's state arrays (one or two) kept in linear memory across steps. */
class Resident {
  /** Byte offsets of each array's block (the second, for a one-state rule, is never read). */
  private readonly at: number[];

  constructor(
    private readonly kernels: WasmKernels,
    private readonly states: Float32Array[],
    slot: number,
  ) {
    const bytes = 4 * 2 ** Math.ceil(Math.log2(states[0].length));
    this.at = states.map((_, s) => kernels.shared(`optim-state:${slot}:${s}:${bytes}`, [bytes])[0]);
    if (this.at.length === 1) this.at.push(this.at[0]);
  }

  /**
   * The blocks' offsets, each holding its array's values: copied in when another array (or none)
   * was there, the other's values first written back to it (its host copy goes stale while its
   * block holds it).
   */
  claim(): number[] {
    const f32 = this.kernels.f32();
    for (let s = 0; s < this.states.length; s++) {
      const [at, mine] = [this.at[s], this.states[s]];
      const held = holders.get(at);
      if (held === mine) continue;
      if (held) held.set(f32.subarray(at >> 2, (at >> 2) + held.length));
      f32.set(mine, at >> 2);
      holders.set(at, mine);
    }
    return this.at;
  }
}

function anyAlive(alive: Uint8Array, b0: number, n: number): boolean {
  for (let b = b0; b < b0 + n; b++) if (alive[b]) return true;
  return false;
}
