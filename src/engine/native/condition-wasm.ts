import { OffsetViews } from '../ops/views.js';
import { type WasmKernels, wasmKernels } from '../ops/wasm.js';

/** assembly/condition.ts's exports. */
interface ConditionExports {
  conditionShift(
    d: number,
    m: number,
    a: number,
    diagonal: number,
    masks: number,
    out: number,
    k: number,
    slack: number,
    lows: number,
    highs: number,
    roots: number,
  ): number;
  conditionMasks(d: number, masks: number): void;
  conditionShifts(
    d: number,
    m: number,
    a: number,
    diagonal: number,
    masks: number,
    first: number,
    count: number,
    out: number,
    lows: number,
    highs: number,
    slack: number,
    flags: number,
    raws: number,
    roots: number,
  ): void;
  conditionShiftsClear(
    d: number,
    m: number,
    a: number,
    diagonal: number,
    masks: number,
    first: number,
    count: number,
    out: number,
    lows: number,
    highs: number,
    slack: number,
    flags: number,
    roots: number,
    gated: number,
    served: number,
    bounds: number,
    pending: number,
    left: number,
  ): number;
  conditionRows(
    d: number,
    m: number,
    a: number,
    rows: number,
    lasts: number,
    flags: number,
    first: number,
    count: number,
    out: number,
    raw: boolean,
    raws: number,
    lows: number,
    highs: number,
    sinceRaws: number,
    etas: number,
    limits: number,
  ): void;
  conditionClear(
    d: number,
    first: number,
    count: number,
    out: number,
    gated: number,
    limits: number,
    raw: boolean,
    wants: number,
    offs: number,
    served: number,
    bounds: number,
    pending: number,
    left: number,
  ): number;
  conditionDrift(d: number, l: number, a: number, w: number, row: number): number;
  conditionDrift32(d: number, l: number, a: number, w: number, row: number): number;
  conditionMoves(
    d: number,
    l: number,
    a: number,
    rows: number,
    rounded: boolean,
    sums: number,
    out: number,
  ): void;
  conditionSince(d: number, l: number, s: number, rows: number): number;
}

/**
 * From this d on block by block; below it the JavaScript twins run, or from SHIFTS_FROM the batch's
 * passes (`shifts`), which pay one call per step. At d = 8 a call costs about what the twins'
 * pass does: measured per block of tier 2 from a tier-1 anchor (on-CPU, alternated), 122 ns with
 * the pass's kernel reading the classifier's factor where it is against the twin's 111 to 122 ns;
 * a factor in host memory would add a copy (a `set`, about 100 ns under load).
 */
const FROM = 16;

/**
 * From SHIFTS_FROM up to SHIFTS_BELOW tier 2's passes run for a whole batch in one call before
 * its blocks (`shifts`, `rows`): one call and one copy per step instead of one of each per block,
 * which there cost about what the pass does. From d = 3 (d = 2 has its closed form): below 8 the
 * blocks' passes in JavaScript, one call each, were 26% to 55% of the classifier's step and 7% to
 * 37% of score matching's at d = 3 to 6, the batch's pass 4% to 15% and 2% to 16%
 * (condition-cost.mjs, the same machine, one after the other). From SHIFTS_BELOW on a block's
 * pass costs far more than its call, and reading each block right after its map made it (still in
 * cache) beats one more pass over the batch (condition-cost.mjs, alternated: at d = 32 and 64 the
 * batch's shares came out higher, up to 2x for the classifier's).
 */
export const SHIFTS_FROM = 3;
/** `shifts`' slack code for a rounded diagonal's raw blocks (condition-bound.ts `rawAdditive`, `rawRelative`). */
export const RAW_SLACK = 3;
/** The exact slack's code (condition-bound.ts `SLACK_CODE`): `shift`'s, whose bound nobody reads. */
const SLACK_EXACT = 0;
export const SHIFTS_BELOW = 32;

/** assembly/condition.ts's FLAT_BELOW: below it the pass reads each block whole, through masks. */
export const FLAT_BELOW = 16;

/**
 * From this d on `moves` copies a block in for its kernel; below it a block not already staged (by
 * `shift`) nor in linear memory goes to the twins, whose pass there costs less than the copy and
 * the call: per block of tier 2 near the limit at d = 16 (on-CPU, alternated), 803 to 875 ns
 * copying in against 544 to 558 with the twins.
 */
const MOVES_FROM = 32;

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
 * The condition check's tier 2 as WebAssembly SIMD kernels (assembly/condition.ts), where they run
 * (from SHIFTS_FROM, or FROM block by block): its O(d^2) pass from an anchor, its O(d^2) relative
 * bounds and its O(d^3 / 6) relative drift, with the same float64 operations in the same order as
 * their JavaScript twins (condition-bound.ts `shiftSums`, `driftMoves`, `sinceMoves`,
 * ground/triangular-bounds.ts `relativeDrift`), so the same bounds. Each block's anchor is mirrored
 * in linear memory when it is made: for the pass, its entries below the diagonal as float32 (every
 * anchor's are float32 values: L^'s, the raw Sigma's, or a rounded diagonal's float64 factor's,
 * which differs from L^ only on the diagonal; an anchor whose are not is left to the twin) and its
 * diagonal as float64, half the bytes of a float64 copy to read each step; for the relative bounds,
 * the anchor, its inverse and the norms of the inverse's rows as float64 (and the block when the
 * exact drift last ran, as float32). A block already in linear memory (the classifier's factors) is
 * read where it is; any other is copied in.
 */
export class ConditionWasm {
  private readonly k: WasmKernels;
  private readonly x: ConditionExports;
  private readonly dd: number;
  /**
   * Per block k: its anchor at anchors + 8 dd k and its inverse at inverses + 8 dd k (float64,
   * for the relative bounds), the anchor's float32 entries at narrow + 4 dd k and its diagonal at
   * diagonals + 8 d k (for the pass).
   */
  private readonly anchors: number;
  private readonly inverses: number;
  private readonly narrow: number;
  private readonly diagonals: number;
  /** Per block k, for tier 2's relative bounds: its anchor's `rows` at rows + 8 d k, its `last` (float32) at lasts + 4 dd k. */
  private readonly rows: number;
  private readonly lasts: number;
  /**
   * Per block k, for `shifts`: its copy (a block not in linear memory) at copies + 4 dd k, its sums
   * and bound at sums + 32 k; its anchor's lo and hi at lows + 8 k and highs + 8 k (also read
   * block by block).
   */
  private readonly copies: number;
  private readonly sums: number;
  private readonly lows: number;
  private readonly highs: number;
  /** Per block k, the square roots of its anchor's lo and hi at roots + 16 k (`shifts`' bounds take them, not a sqrt of each per block). */
  private readonly roots: number;
  /**
   * Per block k, for `shifts`' relative sums: whether it wants them (float32 1 or 0 at wants + 4 k,
   * mirrored in `wanted`), and them at offs + 8 (2 d + 3) k (`conditionRows`).
   */
  private readonly wants: number;
  private readonly offs: number;
  /** Per block k, its `last`'s diagonal (float64) at lastDiagonals + 8 d k, for condition-bound.ts `sinceFrom` (where `batched`). */
  private readonly lastDiagonals: number;
  /** Per block k, its anchor's raw diagonal and its terms for condition-bound.ts `rawAdditive` (3 d float64) at raws + 24 d k (where `batched`). */
  private readonly raws: number;
  /**
   * Per block k (where `batched`), for condition-bound.ts `rawSince`: the raw diagonal and its
   * terms (`rawTerms`) of the block when the exact drift last ran, against its `last`, at
   * sinceRaws + 24 d k, and (for every slack) that exact drift at etas + 8 k (Infinity: none since
   * its anchor; `conditionRows` makes the sums since it only where there is one).
   */
  private readonly sinceRaws: number;
  private readonly etas: number;
  /**
   * Per block k (where `batched`), for `clear`: its lane's limit at limitsAt + 8 k (`limits`), and
   * at gated + 8 k that limit where it is finite and both its gates are open (condition-bound.ts
   * `fast`, mirrored by `gate`, and `narrowed`), NaN elsewhere (`regate`), so that the kernels'
   * first test is one comparison with the same outcome (NaN passes nothing); condition-bound.ts's
   * `served` (u32) at served + 4 k and bound at bounds + 8 k, kept here (`servedAt`, `boundAt`)
   * for `clear` to update; and `clear`'s list of the blocks it did not clear (u32) at pending + 4 i.
   */
  private readonly gated: number;
  private readonly limitsAt: number;
  private readonly served: number;
  private readonly bounds: number;
  private readonly pending: number;
  /** A view of linear memory as u32, remade after it grows (`words`). */
  private u32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private readonly wanted: Uint8Array;
  /** How many blocks `want` their relative sums: with none, `shifts` skips `conditionRows`'s loop over the blocks. */
  private wanting = 0;
  /** Whether the kernels run block by block (`shift`, `moves`, `since`, `drift`): from FROM on. */
  readonly blockwise: boolean;
  /** Whether they run for whole batches (`shifts`, `rows`): below SHIFTS_BELOW. */
  readonly batched: boolean;
  /** The array `resident` was last asked about, and its answer. */
  private seen?: Float32Array;
  private inMemory = false;
  /** Where `shift` or `moves` left the block it read (the stage, or the block's own place in linear memory). */
  private staged = 0;
  /** Per block: whether its anchor's entries below the diagonal are float32 values (the pass's kernel runs). */
  private readonly narrowedBlocks: Uint8Array;
  /** Per block, its `fast` gate (`gate`; where `batched`). */
  private readonly fastBlocks: Uint8Array;
  /**
   * The block copied in (float32 for `shift` and `moves`, float64 for `relativeAt`); d + 1
   * float64 of scratch (a row, or `moves`' sums below the diagonal); the sums out.
   */
  private readonly stage: number;
  private readonly row: number;
  private readonly out: number;
  /** The pass's masks of each block's strict lower triangle (assembly/condition.ts `conditionMasks`). */
  private readonly masks: number;
  /**
   * Views of the blocks `shift` copies in, made once per block of their buffer (the same step after
   * step, whether m is a whole parameter or one lane's view of it): a new view per call costs about
   * what the pass does at small d.
   */
  private readonly views: OffsetViews;

  /**
   * For `blocks` blocks of d x d, or undefined where the kernels do not run (below `from`, or
   * without WebAssembly). On-CPU ns per `block` cleared by the pass from a tier-1 anchor: at
   * d = 32 about 330 with the block read in place, 490 copied in; at 64 about 1210 and 1700 (the
   * copy is most of the difference). A float64 anchor and one chain took 450 and 500, 1750 and 1850.
   */
  static for(d: number, blocks: number, wasm = true, from = FROM): ConditionWasm | undefined {
    const k = wasm && d >= from ? wasmKernels() : undefined;
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
    this.blockwise = d >= FROM;
    this.batched = d < SHIFTS_BELOW;
    const batch = this.batched ? blocks : 0;
    this.views = new OffsetViews(dd);
    this.narrowedBlocks = new Uint8Array(blocks);
    this.fastBlocks = new Uint8Array(blocks);
    this.wanted = new Uint8Array(blocks);
    const sizes = [
      blocks * dd * 8,
      blocks * dd * 8,
      blocks * dd * 4,
      blocks * d * 8,
      blocks * d * 8,
      blocks * dd * 4,
      batch * dd * 4,
      batch * 32,
      blocks * 8,
      blocks * 8,
      batch * 4,
      batch * (2 * d + 3) * 8,
      batch * d * 8,
      batch * d * 24,
      batch * d * 24,
      batch * 8,
      batch * 8,
      batch * 8,
      batch * 4,
      batch * 8,
      batch * 4,
      dd * 8,
      (d + 1) * 8,
      32,
      blocks * 16,
      // The masks, then their list of quads (assembly/condition.ts `conditionMasks`).
      d < FLAT_BELOW ? 16 * Math.ceil(dd / 4) + 16 + 4 * Math.ceil(dd / 4) : 0,
    ].map((b) => Math.ceil(b / 16) * 16);
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const at = free.get(bytes)?.pop() ?? k.reserve(bytes);
    collected.register(this, { bytes, at });
    const starts = sizes.map((_, i) => at + sizes.slice(0, i).reduce((a, b) => a + b, 0));
    [
      this.anchors,
      this.inverses,
      this.narrow,
      this.diagonals,
      this.rows,
      this.lasts,
      this.copies,
      this.sums,
      this.lows,
      this.highs,
      this.wants,
      this.offs,
      this.lastDiagonals,
      this.raws,
      this.sinceRaws,
      this.etas,
      this.gated,
      this.limitsAt,
      this.served,
      this.bounds,
      this.pending,
      this.stage,
      this.row,
      this.out,
      this.roots,
      this.masks,
    ] = starts;
    if (d < FLAT_BELOW) this.x.conditionMasks(d, this.masks);
    // No exact drift yet (the block of memory may be another instance's).
    if (this.batched) this.k.f64().fill(Number.POSITIVE_INFINITY, this.etas >> 3, (this.etas >> 3) + batch);
    // No block wants its relative sums yet (`want` writes only a change of its own record): a
    // stale flag would make the pass skip a block whose gate is open, which `clear` then judged by
    // the bound another instance left there (in a frontier's worker, runs above the limit ended ok).
    this.k.f32().fill(0, this.wants >> 2, (this.wants >> 2) + batch);
    // No gates open yet (nor limits: `limits` sets them), nothing served, no bounds.
    this.words().fill(0, this.served >> 2, (this.served >> 2) + batch);
    this.k.f64().fill(Number.POSITIVE_INFINITY, this.bounds >> 3, (this.bounds >> 3) + batch);
    this.k.f64().fill(Number.NaN, this.gated >> 3, (this.gated >> 3) + batch);
    this.k.f64().fill(Number.POSITIVE_INFINITY, this.limitsAt >> 3, (this.limitsAt >> 3) + batch);
    // The other regions need no clearing: nothing reads a block's entries there before this
    // instance wrote them (condition-sequence.test.ts trains batches on memory others left).
    // - narrow, diagonals, lows, highs, roots, raws: written at each anchor (`anchor`, `extremes`,
    //   `rawAnchor`). The batch's pass reads them for every block, but a block's sums and bound are
    //   read only where it is `narrowed` (`shifted`, `shiftBound` after `fast`, `clear` through its
    //   gated limit: NaN until `anchor`), or where it `wants` (an anchor with an inverse).
    // - anchors, inverses, rows: written by `anchor` with an inverse, read (`moves`, `since`,
    //   `drift`, `conditionRows`, `rowsAt`) only for a block whose anchor has one.
    // - lasts, lastDiagonals, sinceRaws: written by `settle` and `lastDrift` at each exact drift,
    //   whose eta (condition-bound.ts `lastEta`, `lastEtas`; here `etas`) each new anchor sets to
    //   Infinity; their sums are read only where it is below 1.
    // - offs: written by `shifts` for the blocks that want them, read in the same `prepare` (`clear`,
    //   `offsAt` where `ready`); its raw bounds only where that pass made them (`rawFirst`).
    // - sums: written by each `shifts` for every block that does not want its relative sums; one that
    //   does is never `fast` (so its gated limit is NaN) nor `shifted`. A slack's diagonal sums that
    //   the pass leaves are not read (condition-bound.ts `additive`; `diagonalSums` rewrites both).
    // - pending: written by each `clear`, read for that `prepare`'s blocks only. copies, stage, row,
    //   out: written in the call that reads them. masks: above. The host check's slots: written
    //   whole by `anchorAt` before `relativeAt` reads them.
  }

  /** Block k's anchor m (and its inverse w and the norms of w's rows, for tier 2's relative bounds), into linear memory. */
  anchor(k: number, m: Float64Array, w?: Float64Array, rows?: Float64Array): void {
    const { d, dd } = this;
    const f64 = this.k.f64();
    if (w) {
      f64.set(m, (this.anchors >> 3) + k * dd);
      f64.set(w, (this.inverses >> 3) + k * dd);
    }
    if (rows) f64.set(rows, (this.rows >> 3) + k * d);
    const f32 = this.k.f32();
    const narrow = (this.narrow >> 2) + k * dd;
    const diagonal = (this.diagonals >> 3) + k * d;
    // Rounded to float32 in one native pass, then checked exact below the diagonal (NaN too: the
    // twin's pass gives it its NaN).
    f32.set(m, narrow);
    let exact = 1;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) if (f32[narrow + i * d + j] !== m[i * d + j]) exact = 0;
      f64[diagonal + i] = m[i * d + i];
    }
    this.narrowedBlocks[k] = exact;
    this.regate(k);
  }

  /** All of linear memory as u32 (remade after it grows): `clear`'s lists, at `clearedAt` and `pendingAt`. */
  words(): Uint32Array<ArrayBufferLike> {
    if (this.u32.length === 0) this.u32 = new Uint32Array(this.k.f64().buffer);
    return this.u32;
  }

  /** Block k's `fast` gate (condition-bound.ts), for `clear` (where `batched`). */
  gate(k: number, fast: number): void {
    this.fastBlocks[k] = fast;
    this.regate(k);
  }

  /** Block k's gated limit (at gated + 8 k) from its gates and limit (where `batched`). */
  private regate(k: number): void {
    if (!this.batched) return;
    const f64 = this.k.f64();
    const limit = f64[(this.limitsAt >> 3) + k];
    const open = (this.fastBlocks[k] & this.narrowedBlocks[k]) === 1 && limit !== Number.POSITIVE_INFINITY;
    f64[(this.gated >> 3) + k] = open ? limit : Number.NaN;
  }

  /** Each block's limit, its lane's (limits[lane], `units` blocks a lane), for `clear` (where `batched`). */
  limits(limits: ArrayLike<number>, units: number): void {
    if (!this.batched) return;
    const f64 = this.k.f64();
    for (let k = 0; k < limits.length * units; k++) {
      f64[(this.limitsAt >> 3) + k] = limits[Math.floor(k / units)];
      this.regate(k);
    }
  }

  /**
   * After `shifts` on blocks k = first .. first + count - 1 (all of live lanes), those its bounds
   * clear (assembly/condition.ts `conditionClear`, condition-bound.ts `shiftsCleared`'s tests; `raw`:
   * also a rounded diagonal's raw relative bounds, `offsAt`), their bounds at f64()[boundAt(k)]
   * and words()[servedAt(k)] one up; the others listed at words()[pendingAt + left ..]. Returns
   * how many it cleared.
   */
  clear(first: number, count: number, raw: boolean, left: number): number {
    return this.x.conditionClear(
      this.d,
      first,
      count,
      this.sums,
      this.gated,
      this.limitsAt,
      raw,
      this.wants,
      this.offs,
      this.served,
      this.bounds,
      this.pending,
      left,
    );
  }

  /** Where in `words()` block k's `served` count is (where `batched`). */
  servedAt(k: number): number {
    return (this.served >> 2) + k;
  }

  /** Where in `f64()` block k's bound is (where `batched`). */
  boundAt(k: number): number {
    return (this.bounds >> 3) + k;
  }

  /** Every block's bound (`boundAt`), into to. */
  copyBounds(to: Float64Array): void {
    // The bounds' view is made again only when linear memory grew (a new f64 view): a view made at
    // every step's read cost more than copying its kilobyte.
    const f64 = this.k.f64();
    if (this.boundsOf !== f64 || this.boundsView.length !== to.length) {
      const at = this.bounds >> 3;
      this.boundsView = f64.subarray(at, at + to.length);
      this.boundsOf = f64;
    }
    to.set(this.boundsView);
  }

  /** `copyBounds`' view of the bounds, and the view of linear memory it was made from. */
  private boundsView: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private boundsOf?: Float64Array;

  get pendingAt(): number {
    return this.pending >> 2;
  }

  /**
   * `shiftSums` of the block m[from..] (d x d, float32) against block k's anchor, into sums; false
   * (sums untouched) when the anchor is not one the kernel reads (`anchor`): the twin's turn.
   */
  shift(k: number, m: Float32Array, from: number, sums: Float64Array): boolean {
    if (!this.narrowedBlocks[k]) return false;
    this.bound(k, m, from, SLACK_EXACT);
    this.readSums(sums);
    return true;
  }

  /**
   * `shift`'s pass on block k, whose anchor the kernel reads (`narrowed`), and its additive bound
   * from those sums with the slack's code (condition-bound.ts `additive`, the same bits), in one
   * call; `readSums` then reads the sums.
   */
  bound(k: number, m: Float32Array, from: number, slack: number): number {
    const { d, dd } = this;
    const at = this.place(m, from);
    this.staged = at;
    return this.x.conditionShift(
      d,
      at,
      this.narrow + 4 * dd * k,
      this.diagonals + 8 * d * k,
      this.masks,
      this.out,
      k,
      slack,
      this.lows,
      this.highs,
      this.roots,
    );
  }

  /** The sums of the last `bound`, into sums. */
  readSums(sums: Float64Array): void {
    const f64 = this.k.f64();
    const o = this.out >> 3;
    sums[0] = f64[o];
    sums[1] = f64[o + 1];
    sums[2] = f64[o + 2];
  }

  /** Block k's anchor's raw diagonal and terms (condition-bound.ts `rawAnchor`), for `shifts` of a rounded diagonal's raw blocks. */
  rawAnchor(k: number, raws: Float64Array): void {
    if (this.batched) this.k.f64().set(raws, (this.raws >> 3) + 3 * this.d * k);
  }

  /**
   * Block k's exact drift `eta` (Infinity: none since its anchor), for `shifts`' sums since it, and
   * for a rounded diagonal's raw blocks the `rawTerms` of the raw block it ran on against its `last`
   * (3 d float64), for their `rawSince` bounds (where `batched`).
   */
  lastDrift(k: number, eta: number, terms?: Float64Array): void {
    if (!this.batched) return;
    const f64 = this.k.f64();
    f64[(this.etas >> 3) + k] = eta;
    if (terms) f64.set(terms, (this.sinceRaws >> 3) + 3 * this.d * k);
  }

  /** Block k's anchor's bounds on its extreme eigenvalues, for `shifts` and condition-bound.ts `shiftedHere`. */
  extremes(k: number, lo: number, hi: number): void {
    const f64 = this.k.f64();
    f64[this.lowAt(k)] = lo;
    f64[this.highAt(k)] = hi;
    // Correctly rounded, as the kernel's f64.sqrt and condition-bound.ts's Math.sqrt: the same bits.
    f64[(this.roots >> 3) + 2 * k] = Math.sqrt(lo);
    f64[(this.roots >> 3) + 2 * k + 1] = Math.sqrt(hi);
  }

  /** Whether block k's next `shifts` makes its relative sums (`offsAt`): an anchor with an inverse (`anchor`), whose additive bound failed. */
  want(k: number, yes: boolean): void {
    if (!this.batched || this.wanted[k] === (yes ? 1 : 0)) return;
    this.wanted[k] = yes ? 1 : 0;
    this.wanting += yes ? 1 : -1;
    this.k.f32()[(this.wants >> 2) + k] = yes ? 1 : 0;
  }

  /**
   * `shiftSums` of blocks k = first .. first + count - 1 of m (block k at m[from + dd k ..]) against
   * their anchors, and the bounds condition-bound.ts `additive` makes of them for slack `slack`
   * (assembly/condition.ts `conditionShifts`), except for the blocks that `want` their relative
   * bound's sums below the diagonal instead (`conditionRows`). In one call each (the blocks read
   * where they are in linear memory, or copied in with one copy), for `shifted`, `shiftBound` and
   * `offsAt`.
   */
  shifts(m: Float32Array, from: number, first: number, count: number, slack: number): void {
    const base = this.base(m, from, first, count);
    this.x.conditionShifts(
      this.d,
      base,
      this.narrow,
      this.diagonals,
      this.masks,
      first,
      count,
      this.sums,
      this.lows,
      this.highs,
      slack,
      this.wants,
      this.raws,
      this.roots,
    );
    this.rowsOf(base, first, count, slack);
  }

  /**
   * `shifts` (slack not RAW_SLACK) and then `clear` without `raw`, in one pass over the blocks
   * (assembly/condition.ts `conditionShiftsClear`: the same sums, bounds, clearings and list).
   * Returns how many it cleared.
   */
  shiftsClear(
    m: Float32Array,
    from: number,
    first: number,
    count: number,
    slack: number,
    left: number,
  ): number {
    const base = this.base(m, from, first, count);
    const n = this.x.conditionShiftsClear(
      this.d,
      base,
      this.narrow,
      this.diagonals,
      this.masks,
      first,
      count,
      this.sums,
      this.lows,
      this.highs,
      slack,
      this.wants,
      this.roots,
      this.gated,
      this.served,
      this.bounds,
      this.pending,
      left,
    );
    this.rowsOf(base, first, count, slack);
    return n;
  }

  /** Where the kernels read block k of m (block k at m[from + dd k ..]): at the result + 4 dd k, m itself in linear memory or its blocks first .. first + count - 1 copied in. */
  private base(m: Float32Array, from: number, first: number, count: number): number {
    if (this.resident(m)) return m.byteOffset + 4 * from;
    const { dd } = this;
    const lo = from + dd * first;
    const hi = lo + dd * count;
    this.k.f32().set(lo === 0 && hi === m.length ? m : m.subarray(lo, hi), (this.copies >> 2) + dd * first);
    return this.copies;
  }

  /** `shifts`' relative sums (`conditionRows`) of the blocks that `want` them, from base. */
  private rowsOf(base: number, first: number, count: number, slack: number): void {
    if (this.wanting === 0) return;
    const { d } = this;
    this.x.conditionRows(
      d,
      base,
      this.anchors,
      this.rows,
      this.lasts,
      this.wants,
      first,
      count,
      this.offs,
      slack === RAW_SLACK,
      this.raws,
      this.lows,
      this.highs,
      this.sinceRaws,
      this.etas,
      this.limitsAt,
    );
  }

  /**
   * Block k's sums from the last `shifts`, into sums; false (sums untouched) when its anchor is not
   * one the kernel reads (`anchor`), or the block wanted its relative sums instead (`want`: its
   * additive sums were not made): the twin's turn.
   */
  shifted(k: number, sums: Float64Array): boolean {
    if (!this.narrowedBlocks[k] || this.wanted[k] === 1) return false;
    const f64 = this.k.f64();
    const o = (this.sums >> 3) + 4 * k;
    sums[0] = f64[o];
    sums[1] = f64[o + 1];
    sums[2] = f64[o + 2];
    return true;
  }

  /**
   * Where in `f64()` block k's relative sums from the last `shifts` are, if it `wants` them (else
   * -1): 2 d + 3 float64, the squares below the diagonal, d rows' weighted sums, d rows' since
   * sums, and for a rounded diagonal's raw blocks its `rawRelative` and `rawSince` bounds
   * (assembly/condition.ts `conditionRows`).
   */
  offsAt(k: number): number {
    return this.wanted[k] === 1 ? (this.offs >> 3) + (2 * this.d + 3) * k : -1;
  }

  /** Where in `f64()` block k's anchor's row norms are (d float64, `anchor`). */
  rowsAt(k: number): number {
    return (this.rows >> 3) + this.d * k;
  }

  /** Where in `f64()` block k's `last` diagonal is (d float64, `settle`). */
  lastDiagonalAt(k: number): number {
    return (this.lastDiagonals >> 3) + this.d * k;
  }

  /** All of linear memory as float64 (for `diagonalAt`). */
  f64(): Float64Array {
    return this.k.f64();
  }

  /** Where in `f64()` block k's anchor's diagonal is (d float64). */
  diagonalAt(k: number): number {
    return (this.diagonals >> 3) + this.d * k;
  }

  /** Where in `f64()` block k's anchor's lo and hi are (`extremes`). */
  lowAt(k: number): number {
    return (this.lows >> 3) + k;
  }

  highAt(k: number): number {
    return (this.highs >> 3) + k;
  }

  /** Whether block k's anchor is one the kernels read (float32 values below its diagonal: `anchor`). */
  narrowed(k: number): boolean {
    return this.narrowedBlocks[k] === 1;
  }

  /** Block k's bound from the last `shifts` (NaN or Infinity where none; meaningless where `shifted` is false: a block that `want`s its relative sums has none). */
  shiftBound(k: number): number {
    return this.k.f64()[(this.sums >> 3) + 4 * k + 3];
  }

  /**
   * `driftMoves` of the block l[lo..] (d x d, float32) against block k's anchor (one with an
   * inverse), into out; the block stays staged for `since` and `drift`. With `staged` the block is
   * the one the last `shift` read, as it left it (the caller's word: same block, same step), not
   * staged again. False (out untouched) where it would be copied in below MOVES_FROM: the twins'
   * turn.
   */
  moves(
    k: number,
    l: Float32Array,
    lo: number,
    rounded: boolean,
    out: Float64Array,
    staged: boolean,
  ): boolean {
    const { d, dd } = this;
    if (!staged) {
      if (d < MOVES_FROM && !this.resident(l)) return false;
      this.staged = this.place(l, lo);
    }
    this.x.conditionMoves(
      d,
      this.staged,
      this.anchors + 8 * dd * k,
      this.rows + 8 * d * k,
      rounded,
      this.row,
      this.out,
    );
    const f64 = this.k.f64();
    const o = this.out >> 3;
    out[0] = f64[o];
    out[1] = f64[o + 1];
    out[2] = f64[o + 2];
    out[3] = f64[o + 3];
    return true;
  }

  /**
   * Stage the block l[lo..] for `since` (and then `moves` with `staged`, and `drift`), as `moves`
   * would: false (nothing staged) where it would be copied in below MOVES_FROM, the twins' turn.
   */
  stageBlock(l: Float32Array, lo: number): boolean {
    if (this.d < MOVES_FROM && !this.resident(l)) return false;
    this.staged = this.place(l, lo);
    return true;
  }

  /** Where the kernels read block m[from..]: where it is in linear memory, or the stage it is copied to. */
  private place(m: Float32Array, from: number): number {
    if (this.resident(m)) return m.byteOffset + 4 * from;
    this.k.f32().set(this.views.view(m, from), this.stage >> 2);
    return this.stage;
  }

  /**
   * Whether m is a view of linear memory. An array's buffer never changes: asked once per array
   * (the getters cost about what the copy does at d = 16, asked on every call). A view that
   * memory's growth detached (length 0) is asked again: no longer resident, its copy then throws
   * rather than the kernel reading another block.
   */
  private resident(m: Float32Array): boolean {
    if (m !== this.seen || m.length === 0) {
      this.seen = m;
      this.inMemory = m.buffer === this.k.f32().buffer;
    }
    return this.inMemory;
  }

  /** `sinceMoves` of the block `moves` staged against block k's `last` (`settle`). */
  since(k: number): number {
    const { d, dd } = this;
    return this.x.conditionSince(d, this.staged, this.lasts + 4 * dd * k, this.rows + 8 * d * k);
  }

  /**
   * `relativeDrift` of block l[lo..] (float32) from block k's anchor and its inverse: the block
   * `moves` staged, with `staged` (the caller's word), else staged here.
   */
  drift(k: number, l: Float32Array, lo: number, staged: boolean): number {
    const { dd } = this;
    if (!staged) this.staged = this.place(l, lo);
    return this.x.conditionDrift32(
      this.d,
      this.staged,
      this.anchors + 8 * dd * k,
      this.inverses + 8 * dd * k,
      this.row,
    );
  }

  /** Block k's `last` (float32 values, lower triangle), into linear memory for `since` and `shifts` (its diagonal also as float64). */
  settle(k: number, last: Float64Array): void {
    const { d, dd } = this;
    const f32 = this.k.f32();
    const to = (this.lasts >> 2) + k * dd;
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) f32[to + i * d + j] = last[i * d + j];
    if (!this.batched) return;
    const f64 = this.k.f64();
    const diagonal = (this.lastDiagonals >> 3) + k * d;
    for (let i = 0; i < d; i++) f64[diagonal + i] = last[i * (d + 1)];
  }

  /**
   * Per anchor slot of `anchorAt` (the host check's anchors, train/condition.ts), where its anchor
   * and that anchor's inverse are in linear memory (float64, d x d each, one after the other).
   */
  private readonly slots: number[] = [];

  /**
   * Anchor slot `slot`'s anchor a and its inverse w (d x d float64 each), copied into linear memory
   * once, for `relativeAt`: the host check's relative drift then copies in only the block, not the
   * anchor and its inverse at every call (at d = 64 two 32 kB copies, about what the drift costs).
   */
  anchorAt(slot: number, a: Float64Array, w: Float64Array): void {
    const bytes = 16 * this.dd;
    let at = this.slots[slot];
    if (at === undefined) {
      at = free.get(bytes)?.pop() ?? this.k.reserve(bytes);
      collected.register(this, { bytes, at });
      this.slots[slot] = at;
    }
    const f64 = this.k.f64();
    f64.set(a, at >> 3);
    f64.set(w, (at >> 3) + this.dd);
  }

  /** `relativeDrift` of l (d x d float64) from anchor slot `slot`'s anchor and inverse (`anchorAt`), l copied in. */
  relativeAt(slot: number, l: Float64Array): number {
    const at = this.slots[slot];
    this.k.f64().set(l, this.stage >> 3);
    return this.x.conditionDrift(this.d, this.stage, at, at + 8 * this.dd, this.row);
  }
}
