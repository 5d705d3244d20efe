import { OffsetViews } from '../ops/views.js';
import { type WasmKernels, wasmKernelsFor } from '../ops/wasm.js';

/** assembly/condition.ts's exports. */
interface ConditionExports {
  conditionShift(d: number, m: number, a: number, out: number): void;
  conditionDrift(d: number, l: number, a: number, w: number, row: number): number;
}

/**
 * From this d on; below it the JavaScript twins run. Measured inside the native step (`npm run
 * build && node scripts/condition-cost.mjs --dims 8`, side by side): at d = 8 the kernel's copy
 * in and call cost more than its pass saves (the check's share of a step up to 1.5x the twin's).
 */
const FROM = 16;

/**
 * Blocks of linear memory that no live ConditionWasm holds, by size. An instance's anchors live
 * as long as it does (a trainer's), so its block goes back here when it is collected: the next
 * batch on the thread takes it instead of growing memory (`reserve` never frees).
 */
const free = new Map<number, number[]>();
const collected = new FinalizationRegistry<{ bytes: number; at: number }>(({ bytes, at }) => {
  const blocks = free.get(bytes);
  if (blocks) blocks.push(at);
  else free.set(bytes, [at]);
});

/**
 * The condition check's O(d^2) pass from an anchor and its O(d^3 / 6) relative drift as
 * WebAssembly SIMD kernels (assembly/condition.ts), where they run (wasmKernelsFor): the same
 * float64 operations in the same order as their JavaScript twins (`shiftSums`, ground/
 * triangular-bounds.ts `relativeDrift`), so the same bounds. Each block's anchor (and its inverse,
 * where it has one) is mirrored in linear memory when it is made, so a step's pass copies only
 * the block itself in.
 */
export class ConditionWasm {
  private readonly k: WasmKernels;
  private readonly x: ConditionExports;
  private readonly dd: number;
  /** Per block k: its anchor at anchors + 8 dd k, its inverse at inverses + 8 dd k (float64). */
  private readonly anchors: number;
  private readonly inverses: number;
  /**
   * The block copied in (float32 for `shift`, float64 for `drift`); for `relative`, its anchor and
   * that anchor's inverse; a row of scratch; the sums out.
   */
  private readonly stage: number;
  private readonly stageA: number;
  private readonly stageW: number;
  private readonly row: number;
  private readonly out: number;
  /**
   * Views of the blocks `shift` copies in, made once per block of their buffer (the same step after
   * step, whether m is a whole parameter or one lane's view of it): a new view per call costs about
   * what the pass does at small d.
   */
  private readonly views: OffsetViews;

  /**
   * For `blocks` blocks of d x d, or undefined where the kernels do not run (below FROM, or
   * without wasmKernelsFor). Measured alone, on-CPU ns per block of tier 2 from a tier-1 anchor:
   * 137 against the JavaScript twin's 245 at d = 16, 2x to 4x less from d = 32.
   */
  static for(d: number, blocks: number, wasm = true): ConditionWasm | undefined {
    const k = wasm && d >= FROM ? wasmKernelsFor(d) : undefined;
    return k && new ConditionWasm(k, d, blocks);
  }

  private constructor(
    k: WasmKernels,
    private readonly d: number,
    blocks: number,
  ) {
    this.k = k;
    this.x = k.exports as unknown as ConditionExports;
    const dd = d * d;
    this.dd = dd;
    this.views = new OffsetViews(dd);
    const sizes = [blocks * dd * 8, blocks * dd * 8, dd * 8, dd * 8, dd * 8, d * 8, 32].map(
      (b) => Math.ceil(b / 16) * 16,
    );
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const at = free.get(bytes)?.pop() ?? k.reserve(bytes);
    collected.register(this, { bytes, at });
    this.anchors = at;
    this.inverses = this.anchors + sizes[0];
    this.stage = this.inverses + sizes[1];
    this.stageA = this.stage + sizes[2];
    this.stageW = this.stageA + sizes[3];
    this.row = this.stageW + sizes[4];
    this.out = this.row + sizes[5];
  }

  /** Block k's anchor m (and its inverse w), into linear memory. */
  anchor(k: number, m: Float64Array, w?: Float64Array): void {
    const f64 = this.k.f64();
    f64.set(m, (this.anchors >> 3) + k * this.dd);
    if (w) f64.set(w, (this.inverses >> 3) + k * this.dd);
  }

  /** `shiftSums` of the block m[from..] (d x d, float32) against block k's anchor, into sums. */
  shift(k: number, m: Float32Array, from: number, sums: Float64Array): void {
    const { dd, out } = this;
    this.k.f32().set(this.views.view(m, from), this.stage >> 2);
    this.x.conditionShift(this.d, this.stage, this.anchors + 8 * dd * k, out);
    const f64 = this.k.f64();
    sums[0] = f64[out >> 3];
    sums[1] = f64[(out >> 3) + 1];
    sums[2] = f64[(out >> 3) + 2];
  }

  /** `relativeDrift` of l[at..] (d x d) from block k's anchor and its inverse. */
  drift(k: number, l: Float32Array | Float64Array, at: number): number {
    const { dd } = this;
    this.k.f64().set(l.subarray(at, at + dd), this.stage >> 3);
    return this.x.conditionDrift(
      this.d,
      this.stage,
      this.anchors + 8 * dd * k,
      this.inverses + 8 * dd * k,
      this.row,
    );
  }

  /** `relativeDrift` of l[at..] from anchor a with inverse w (all d x d float64), each copied in. */
  relative(l: Float64Array, at: number, a: Float64Array, w: Float64Array): number {
    const { dd } = this;
    const f64 = this.k.f64();
    f64.set(l.subarray(at, at + dd), this.stage >> 3);
    f64.set(a, this.stageA >> 3);
    f64.set(w, this.stageW >> 3);
    return this.x.conditionDrift(this.d, this.stage, this.stageA, this.stageW, this.row);
  }
}
