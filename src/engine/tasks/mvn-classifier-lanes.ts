import type { HeadKernel } from '../ops/classifier-loss.js';
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
const LOG_CHOLESKY = 2;
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
  readonly head: HeadKernel;
}

/** Offsets of the step's operands and scratch in linear memory. */
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
}

/**
 * The classifier's step of every live lane at once on WebAssembly, two lanes per f64x2
 * (assembly/classifier-lanes.ts): the map's forward (the Cholesky factor of Sigma, or L from the
 * raw block), the densities, then here the head (classifier-loss.ts's HeadKernel, in JavaScript,
 * as are the log-determinant's Math.log and log-cholesky's Math.exp: the lane's own functions,
 * bit for bit), then the densities' backward and the map's. Each lane gets the numbers of the
 * lane-by-lane step (NativeClassifier.lane after the map), which at d = 2 and 4 has no
 * independent work inside a lane to vectorize. The step's buffers are copied into linear memory
 * whole and back whole (a few kilobytes: less than a lane's arithmetic), the kernels write only
 * the live lanes, so the others keep what they had.
 */
export class ClassifierLanes implements WholeStep {
  private readonly o: Blocks;
  private readonly logp: Float64Array;
  private v?: Views;
  private readonly dd: number;
  private readonly block: number;
  private readonly chunk: number;

  constructor(
    private readonly k: WasmKernels,
    private readonly map: LaneMap,
    private readonly d: number,
    private readonly units: number,
    private readonly lanes: number,
    size: number,
    private readonly trials: () => ClassifierTrials,
  ) {
    const dd = d * d;
    this.dd = dd;
    this.chunk = chunkOf(units, d);
    const B = lanes;
    const U = units;
    const pairs = Math.ceil(B / 2);
    this.block = 8 * B * U * size;
    const [p, x, mu, raw, l, checks, ok, lp, zs, maha, g, gmu, graw, w, sc] = k.shared(
      `classifier lanes ${d} ${U} ${size} ${B}`,
      [
        8 * pairs,
        4 * B * size * d,
        4 * B * U * d,
        4 * B * U * dd,
        4 * B * U * dd,
        4 * B * U * d,
        4 * B * U,
        16 * Math.min(pairs, this.chunk) * U * dd,
        16 * Math.min(pairs, this.chunk) * U * size * d,
        this.block,
        this.block,
        4 * B * U * d,
        4 * B * U * dd,
        16 * dd,
        16 * (3 * dd + 2 * d),
      ],
    );
    this.o = { pairs: p, x, mu, raw, l, checks, ok, lp, zs, maha, g, gmu, graw, w, sc };
    this.logp = new Float64Array(B * U * size);
  }

  evaluate(params: Float32Array[], alive: Uint8Array, withGrads: boolean, out: WholeStepOut): void {
    const { k, d, dd, units: U, lanes: B, o, map } = this;
    const { points, m } = this.trials();
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
    f32.set(out.checks, o.checks >> 2);
    if (map === LOG_CHOLESKY)
      // L's diagonal as the map makes it: the float32 exp (Math.exp, rounded) of the raw one.
      for (let b = 0; b < B; b++) {
        if (!alive[b]) continue;
        for (let e = b * U * dd; e < (b + 1) * U * dd; e += dd)
          for (let j = 0; j < d; j++) f32[(o.raw >> 2) + e + j * d + j] = Math.exp(raw[e + j * d + j]);
      }
    const { grads } = out;
    if (withGrads) {
      f32.set(grads[0], o.gmu >> 2);
      f32.set(grads[1], o.graw >> 2);
    }
    // A chunk of pairs at a time, forward, head and backward, so that its factors and z are still
    // in cache for the backward.
    const { chunk } = this;
    for (let first = 0; first < count; first += chunk) {
      const n = Math.min(chunk, count - first);
      const pairs = o.pairs + 8 * first;
      k.exports.classifierLanesForward(
        map === SIGMA,
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
      for (let c = 2 * first; c < 2 * (first + n); c++) {
        // Views again after each lane: its condition check may grow linear memory.
        const lanes = this.views().pairs;
        // A lane paired with itself once.
        if (c % 2 === 0 || lanes[c] !== lanes[c - 1]) this.head(lanes[c], raw, params[2], withGrads, out);
      }
      if (withGrads)
        k.exports.classifierLanesBackward(map, d, U, m, pairs, n, o.lp, o.zs, o.g, o.ok, o.gmu, o.graw, o.sc);
    }
    const after = this.views();
    if (withGrads) {
      grads[0].set(after.gmu);
      grads[1].set(after.graw);
    }
    out.checks.set(after.checks);
  }

  /**
   * Lane b's log-densities from the forward's |z|^2 and its factors' log-determinants (Math.log,
   * as the lane takes them), its condition bounds, then its head forward and backward
   * (d loss / d log p into the g block for the backward kernel).
   */
  private head(b: number, raw: Float32Array, w: Float32Array, withGrads: boolean, out: WholeStepOut): void {
    const { k, d, dd, units: U, o, logp } = this;
    const { labels, m, head } = this.trials();
    const l0 = (this.map === SIGMA ? o.l : o.raw) >> 2;
    const m0 = o.maha >> 3;
    for (let u = 0; u < U; u++) {
      const e = (b * U + u) * dd;
      out.condition?.block(b, u, k.f32(), l0 + e, raw, e);
      // Views taken after the check, which may grow linear memory (detaching older views).
      const f32 = k.f32();
      const maha = k.f64();
      let half = 0;
      for (let j = 0; j < d; j++) half += Math.log(f32[l0 + e + j * d + j]);
      for (let i = 0; i < m; i++) {
        const c = (b * U + u) * m + i;
        logp[c] = -0.5 * maha[m0 + c] - half - d * HALF_LOG_2PI;
      }
    }
    out.loss[b] = head.forward(logp, w, b, labels);
    out.counts[0][b] = head.dead;
    if (withGrads) head.backward(w, b, labels, 1, this.views().g, out.grads[2]);
  }

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
        g: new Float64Array(buffer, o.g, this.block >> 3),
        gmu: new Float32Array(buffer, o.gmu, B * U * d),
        graw: new Float32Array(buffer, o.graw, B * U * dd),
        checks: new Float32Array(buffer, o.checks, B * U * d),
      };
    }
    return this.v;
  }
}

interface Views {
  pairs: Int32Array;
  g: Float64Array;
  gmu: Float32Array;
  graw: Float32Array;
  checks: Float32Array;
}
