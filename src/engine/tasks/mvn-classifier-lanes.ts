import type { Activation } from '../ops/classifier-loss.js';
import type { WasmKernels } from '../ops/wasm.js';
import { HALF_LOG_2PI } from './mvn-classifier-wasm.js';
import type { WholeStep, WholeStepOut } from './types.js';

/**
 * How a parameterization's native map (native/maps.ts) makes L and takes dL, for the maps the
 * whole step runs: `full` (and the maps that are full's) factors Sigma and takes d loss / d Sigma
 * (the classifier's Sigma route); tril's L is the raw lower triangle; log-cholesky's has exp of the
 * raw diagonal on its own. The numbers are assembly/classifier-lanes.ts's map codes.
 */
export const LANE_MAPS: Record<string, LaneMap> = {
  full: 0,
  'spd-riemannian': 0,
  'full-clip': 0,
  tril: 1,
  'log-cholesky': 2,
};
type LaneMap = 0 | 1 | 2;
const SIGMA = 0;
/**
 * Lane pairs per kernel call, at most: a call's factors in pair form (16 U d^2 bytes a pair) stay
 * in cache from its forward to its backward within about 256 kB.
 */
const chunkOf = (units: number, d: number) => Math.max(1, Math.min(32, Math.floor(16384 / (units * d * d))));

/**
 * Up to this d the whole step beats the lane-by-lane one (64 lanes, side by side: 1.3x to 1.7x at
 * d = 2 to 8; 1.1x to 1.4x at 16; at 32 `full` is no faster, where the lane's own WebAssembly
 * kernels run two sums of one lane per instruction).
 */
export const LANES_UP_TO = 16;

/** What of the task's step the whole step reads: this step's trials (NativeClassifier.begin). */
export interface ClassifierTrials {
  /** Trial i of lane b at (b m + i) d. */
  readonly points: Float32Array;
  readonly labels: Int32Array;
  readonly m: number;
  readonly activation: Activation;
}

/** Offsets of the step's operands and scratch in linear memory (and, in the constructor, their sizes in bytes). */
interface Blocks {
  pairs: number;
  x: number;
  mu: number;
  raw: number;
  l: number;
  checks: number;
  ok: number;
  lp: number;
  zs: number;
  maha: number;
  g: number;
  gmu: number;
  graw: number;
  w: number;
  sc: number;
  weights: number;
  labels: number;
  loss: number;
  dead: number;
  dw: number;
  hs: number;
}

/**
 * The classifier's step of every live lane at once on WebAssembly, two lanes per f64x2
 * (assembly/classifier-lanes.ts): the map's forward (the Cholesky factor of Sigma, or L from the
 * raw block), the densities, then the head (assembly/classifier-head.ts: the log-determinants and
 * classifier-loss.ts's HeadKernel, a pair's two lanes side by side, with V8's Math.exp and Math.log
 * ported bit for bit, assembly/fdlibm.ts), then the densities' backward and the map's; after them,
 * each block's condition check on the factors the forward left in linear memory. Each lane gets the
 * numbers of the lane-by-lane step (NativeClassifier.lane after the map), which at d = 2 and 4 has
 * no independent work inside a lane to vectorize. The step's operands are copied into linear memory
 * whole (a few kilobytes: less than a lane's arithmetic); the kernels write only the live lanes,
 * whose results alone are copied out, so the others keep what they had.
 */
export class ClassifierLanes implements WholeStep {
  private readonly o: Blocks;
  private v?: Views;
  private readonly dd: number;
  private readonly chunk: number;

  constructor(
    private readonly k: WasmKernels,
    private readonly map: LaneMap,
    private readonly d: number,
    private readonly units: number,
    private readonly lanes: number,
    private readonly size: number,
    private readonly trials: () => ClassifierTrials,
  ) {
    const dd = d * d;
    this.dd = dd;
    this.chunk = chunkOf(units, d);
    const B = lanes;
    const U = units;
    const pairs = Math.ceil(B / 2);
    const block = 8 * B * U * size;
    const K = U;
    const bytes: Blocks = {
      pairs: 8 * pairs,
      x: 4 * B * size * d,
      mu: 4 * B * U * d,
      raw: 4 * B * U * dd,
      l: 4 * B * U * dd,
      checks: 4 * B * U * d,
      ok: 4 * B * U,
      lp: 16 * Math.min(pairs, this.chunk) * U * dd,
      zs: 16 * Math.min(pairs, this.chunk) * U * size * d,
      maha: block,
      g: block,
      gmu: 4 * B * U * d,
      graw: 4 * B * U * dd,
      w: 16 * dd,
      sc: 16 * (3 * dd + 2 * d),
      weights: 4 * B * K * U,
      labels: 4 * B * size,
      loss: 4 * B,
      dead: 4 * B,
      dw: 4 * B * K * U,
      hs: 16 * (2 * U * size + size * K + K * U),
    };
    const names = Object.keys(bytes) as (keyof Blocks)[];
    const at = k.shared(
      `classifier lanes ${d} ${U} ${size} ${B}`,
      names.map((name) => bytes[name]),
    );
    this.o = Object.fromEntries(names.map((name, i) => [name, at[i]])) as unknown as Blocks;
  }

  evaluate(params: Float32Array[], alive: Uint8Array, withGrads: boolean, out: WholeStepOut): void {
    const { k, d, units: U, lanes: B, o, map } = this;
    const { points, labels, m, activation } = this.trials();
    const raw = params[1];
    // Live lanes two by two (an odd one with itself): the pairs need not be neighbours.
    const views = this.views();
    const i32 = views.pairs;
    let count = 0;
    let open = -1;
    for (let b = 0; b < B; b++) {
      if (!alive[b]) continue;
      if (open < 0) open = b;
      else {
        i32[2 * count] = open;
        i32[2 * count++ + 1] = b;
        open = -1;
      }
    }
    if (open >= 0) {
      i32[2 * count] = open;
      i32[2 * count++ + 1] = open;
    }
    if (count === 0) return;
    const f32 = k.f32();
    f32.set(points.subarray(0, B * m * d), o.x >> 2);
    f32.set(params[0], o.mu >> 2);
    f32.set(raw, o.raw >> 2);
    f32.set(params[2], o.weights >> 2);
    views.labels.set(labels.subarray(0, B * m));
    // A chunk of pairs at a time, forward, head and backward, so that its factors and z are still
    // in cache for the backward.
    const { chunk } = this;
    for (let first = 0; first < count; first += chunk) {
      const n = Math.min(chunk, count - first);
      const pairs = o.pairs + 8 * first;
      k.exports.classifierLanesForward(
        map,
        d,
        U,
        m,
        pairs,
        n,
        o.x,
        o.mu,
        o.raw,
        o.l,
        o.checks,
        o.ok,
        o.lp,
        o.zs,
        o.maha,
        o.w,
      );
      k.exports.classifierLanesHead(
        activation === 'exp',
        withGrads,
        d,
        U,
        U,
        m,
        d * HALF_LOG_2PI,
        pairs,
        n,
        map === SIGMA ? o.l : o.raw,
        o.maha,
        o.weights,
        o.labels,
        o.loss,
        o.dead,
        o.g,
        o.dw,
        o.hs,
      );
      if (withGrads)
        k.exports.classifierLanesBackward(map, d, U, m, pairs, n, o.lp, o.zs, o.g, o.ok, o.gmu, o.graw, o.sc);
    }
    // Each block's condition check at its factor, all of them in linear memory now (o.l for
    // Sigma's, o.raw for the others: their raw blocks with L's diagonal), where tier 2's pass
    // reads them in one call; Sigma's pass reads Sigma (o.raw).
    out.condition?.blocks(this.memory, o.raw >> 2, (map === SIGMA ? o.l : o.raw) >> 2, raw, alive);
    // The kernels wrote the live lanes' entries: only those are copied out.
    const after = this.views();
    const { grads } = out;
    if (withGrads) {
      copyLive(after.gmu, grads[0], alive);
      copyLive(after.graw, grads[1], alive);
      copyLive(after.dw, grads[2], alive);
    }
    copyLive(after.checks, out.checks, alive);
    copyLive(after.loss, out.loss, alive);
    copyLive(after.dead, out.counts[0], alive);
  }

  /** The view of linear memory, again (the condition check's, for each block). */
  private readonly memory = () => this.k.f32();

  /**
   * Views of the blocks the host reads whole, made again only when memory grew (growth detaches
   * the old buffer: its views are then empty). Made once, not per step: a view is garbage.
   */
  private views(): Views {
    if (!this.v || this.v.pairs.length === 0) {
      const { o, k, lanes: B, units: U, d, dd } = this;
      const buffer = k.f32().buffer;
      this.v = {
        pairs: new Int32Array(buffer, o.pairs, 2 * Math.ceil(B / 2)),
        labels: new Int32Array(buffer, o.labels, B * this.size),
        gmu: new Float32Array(buffer, o.gmu, B * U * d),
        graw: new Float32Array(buffer, o.graw, B * U * dd),
        checks: new Float32Array(buffer, o.checks, B * U * d),
        loss: new Float32Array(buffer, o.loss, B),
        dead: new Float32Array(buffer, o.dead, B),
        dw: new Float32Array(buffer, o.dw, B * U * U),
      };
    }
    return this.v;
  }
}

/**
 * The entries of the live lanes (alive[b], lane-major: `from.length / alive.length` a lane) of
 * `from` into `to`: a run of live lanes as one copy, a short one entry by entry (a view per
 * short run would be garbage).
 */
function copyLive(from: Float32Array, to: Float32Array, alive: Uint8Array) {
  const B = alive.length;
  const span = from.length / B;
  for (let b = 0; b < B; ) {
    if (!alive[b]) {
      b++;
      continue;
    }
    let end = b + 1;
    while (end < B && alive[end]) end++;
    const lo = b * span;
    const hi = end * span;
    if (lo === 0 && hi === from.length) to.set(from);
    else if (hi - lo >= 256) to.set(from.subarray(lo, hi), lo);
    else for (let i = lo; i < hi; i++) to[i] = from[i];
    b = end;
  }
}

interface Views {
  pairs: Int32Array;
  labels: Int32Array;
  gmu: Float32Array;
  graw: Float32Array;
  checks: Float32Array;
  loss: Float32Array;
  dead: Float32Array;
  dw: Float32Array;
}
