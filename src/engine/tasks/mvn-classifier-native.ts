import { type Activation, HeadKernel } from '../ops/classifier-loss.js';
import { inverseTransposeInto } from '../ops/triangular.js';
import { wasmKernels, wasmKernelsFor } from '../ops/wasm.js';
import type { Minibatches } from './minibatches.js';
import { DiagonalDensities } from './mvn-classifier-diagonal.js';
import { ClassifierLanes, LANE_MAPS, LANES_UP_TO } from './mvn-classifier-lanes.js';
import { ClassifierWasm, HALF_LOG_2PI } from './mvn-classifier-wasm.js';
import type { NativeTask, WholeStep } from './types.js';

/**
 * At most this many floats (points and classes, 64 MB) for `begin`'s copy of the batch's points
 * in each lane's epoch order; a larger batch is gathered step by step from where it is kept.
 */
const EPOCH_FLOATS = 1 << 24;

/**
 * Rows (of every lane's points) the WebAssembly epoch order takes per call, at least a lane's:
 * its blocks (two of rows x d floats, three of rows int32s) stay small whatever the batch.
 */
const ORDER_ROWS = 1 << 14;

/**
 * The classifier's loss and gradient for the native step, lane by lane: each unit's log-density
 * at the lane's minibatch (gaussian-fused.ts's DensityKernel, covariance factor), then the head
 * (classifier-loss.ts's HeadKernel), in the same order of operations as the fused tfjs op, so
 * both paths give a lane the same numbers. Nothing is allocated per step; each step's points are
 * gathered once, lane after lane, before any lane's arithmetic, from a copy of the batch's points
 * in each lane's epoch order (`order`): a random row of a large batch is a cache miss (read
 * inside a lane's chain of dependent arithmetic, it was most of a d = 2 step's density).
 * From d = 8 (wasmKernelsFor) a lane's densities and their backward run as WebAssembly
 * (mvn-classifier-wasm.ts), with the same numbers; `density` and `densityBackward` here are the
 * reference it is tested against, and what runs below. For full, tril and log-cholesky up to d =
 * 16 the native step runs `whole` instead (mvn-classifier-lanes.ts: every lane at once, two per
 * SIMD instruction, map included), also with the same numbers.
 */
export class NativeClassifier implements NativeTask {
  readonly counters = ['dead_unit_steps'];
  readonly sigmaGradient = true;
  /** Heads by minibatch length (an epoch's last minibatch may be shorter). */
  private readonly heads = new Map<number, HeadKernel>();
  /** This step's head, trial count, points and classes (read by the whole step, ClassifierTrials). */
  head!: HeadKernel;
  m = 0;
  /** Every lane's points of this step: trial i of lane b at (b * m + i) * d; and its class at b * m + i. */
  readonly points: Float32Array;
  readonly labels: Int32Array;
  private readonly logp: Float64Array;
  private readonly dlogp: Float64Array;
  /** Every unit's z of the current lane's trials, at (u * m + i) * d: kept from the forward for the backward. */
  private readonly zs: Float64Array;
  private readonly s: Float64Array;
  private readonly acc: Float64Array;
  private readonly accMu: Float64Array;
  /** W^T for W = L^-1 (row q holds column q of W), so both of its uses read rows. */
  private readonly wt: Float64Array;
  private readonly wasm?: ClassifierWasm;
  /** For a diagonal factor (NativeMap.diagonal): its densities; and which units of the lane took the dense path. */
  private readonly diagonal?: DiagonalDensities;
  private readonly dense: Uint8Array;
  private readonly useWasm: boolean;
  private readonly size: number;
  /**
   * Every lane's points and classes in its order of the current epoch (`epoch`), by chunks of
   * `chunk` lanes (the last one shorter), each step-major: row j of lane b's order at
   * b0 n + j c + (b - b0) for its chunk's first lane b0 and length c (`orderedRow`). A step then
   * reads every lane's rows of it from a few stretches of memory, one a chunk, not a row of each
   * lane from a random place in the batch (nor, lane-major, B rows each a lane's span apart), and
   * the chunks are what the WebAssembly kernel orders in one call.
   */
  private readonly ordered?: { points: Float32Array; labels: Int32Array };
  /** Lanes per chunk of `ordered`. */
  private readonly chunk: number;
  private epoch = -1;

  /**
   * With `wasm: false` the JavaScript kernels run at every d (the tests' reference); with
   * `diagonal`, every factor is diagonal (mvn-classifier-diagonal.ts); `epochFloats`: the most
   * floats the epoch-ordered copy of the points may take (`ordered`; tests set 0 to go without).
   */
  constructor(
    private readonly x: Float32Array,
    private readonly y: Int32Array,
    private readonly n: number,
    private readonly d: number,
    private readonly units: number,
    private readonly lanes: number,
    size: number,
    readonly activation: Activation,
    private readonly minibatches: Minibatches,
    {
      wasm = true,
      diagonal = false,
      epochFloats = EPOCH_FLOATS,
    }: { wasm?: boolean; diagonal?: boolean; epochFloats?: number } = {},
  ) {
    this.useWasm = wasm;
    this.size = size;
    this.points = new Float32Array(lanes * size * d);
    this.labels = new Int32Array(lanes * size);
    this.logp = new Float64Array(lanes * units * size);
    this.dlogp = new Float64Array(lanes * units * size);
    this.zs = new Float64Array(units * size * d);
    this.s = new Float64Array(d);
    this.acc = new Float64Array(d * d);
    this.accMu = new Float64Array(d);
    this.wt = new Float64Array(d * d);
    const k = wasm ? wasmKernelsFor(d) : undefined;
    if (k) this.wasm = new ClassifierWasm(k, d, units, size);
    if (diagonal)
      this.diagonal = new DiagonalDensities(d, units, this.points, this.zs, this.logp, this.dlogp);
    this.dense = new Uint8Array(units);
    this.chunk = Math.floor(Math.max(ORDER_ROWS, n) / n);
    if (lanes * n * (d + 1) <= epochFloats)
      this.ordered = { points: new Float32Array(lanes * n * d), labels: new Int32Array(lanes * n) };
  }

  begin(step: number): void {
    const { start, m, orders } = this.minibatches.at(step);
    const { n, d, x, y, points, labels, ordered } = this;
    this.m = m;
    if (ordered) {
      const epoch = Math.floor(step / this.minibatches.perEpoch);
      if (epoch !== this.epoch) this.order(orders);
      this.epoch = epoch;
    }
    // From the epoch's copy, row j of lane b is at orderedRow(b, j); from the batch, at b n + order[j].
    const from = ordered?.points ?? x;
    const classes = ordered?.labels ?? y;
    for (let b = 0; b < this.lanes; b++)
      for (let i = 0; i < m; i++) {
        const row = ordered ? this.orderedRow(b, start + i) : b * n + orders[b][start + i];
        labels[b * m + i] = classes[row];
        for (let p = 0; p < d; p++) points[(b * m + i) * d + p] = from[row * d + p];
      }
    let head = this.heads.get(m);
    if (!head) {
      head = new HeadKernel(this.lanes, this.units, this.units, m, this.activation);
      this.heads.set(m, head);
    }
    this.head = head;
  }

  /** Where row j of lane b's epoch order is in `ordered`. */
  private orderedRow(b: number, j: number): number {
    const b0 = b - (b % this.chunk);
    return b0 * this.n + j * Math.min(this.chunk, this.lanes - b0) + (b - b0);
  }

  /**
   * Every lane's points and classes into `ordered` in its order of an epoch, once an epoch, where
   * each step's gather from the batch read one row of each lane, a cache (and TLB) miss each.
   */
  private order(orders: readonly Int32Array[]) {
    const { n, d, x, y, lanes } = this;
    const { points, labels } = this.ordered!;
    const k = this.useWasm ? wasmKernels() : undefined;
    if (!k) {
      for (let b = 0; b < lanes; b++) {
        const b0 = b - (b % this.chunk);
        orderLane(
          orders[b],
          b,
          b0 * n + (b - b0),
          Math.min(this.chunk, lanes - b0),
          n,
          d,
          x,
          y,
          points,
          labels,
        );
      }
      return;
    }
    // On WebAssembly (assembly/epoch-order.ts), a chunk of `ordered` at a time through blocks
    // that every batch of this d shares: rows and orders in, the ordered rows out.
    const rows = Math.max(ORDER_ROWS, n);
    const per = this.chunk;
    const [xAt, yAt, orderAt, pointsAt, labelsAt] = k.shared(`epoch-order:${d}:${rows}`, [
      4 * rows * d,
      4 * rows,
      4 * rows,
      4 * rows * d,
      4 * rows,
    ]);
    const f32 = k.f32();
    const i32 = new Int32Array(f32.buffer);
    for (let b0 = 0; b0 < lanes; b0 += per) {
      const m = Math.min(per, lanes - b0);
      const [from, to] = [b0 * n, (b0 + m) * n];
      f32.set(x.subarray(from * d, to * d), xAt >> 2);
      i32.set(y.subarray(from, to), yAt >> 2);
      for (let b = 0; b < m; b++) i32.set(orders[b0 + b], (orderAt >> 2) + b * n);
      k.exports.epochOrder(m, n, d, orderAt, xAt, yAt, pointsAt, labelsAt);
      points.set(f32.subarray(pointsAt >> 2, (pointsAt >> 2) + (to - from) * d), from * d);
      labels.set(i32.subarray(labelsAt >> 2, (labelsAt >> 2) + (to - from)), from);
    }
  }

  /**
   * Up to d = 16 (LANES_UP_TO), for full, tril and log-cholesky (and the maps that are full's),
   * every lane's step at once across lanes on WebAssembly (mvn-classifier-lanes.ts), where it runs.
   */
  whole(parameterization: string): WholeStep | undefined {
    const map = LANE_MAPS[parameterization];
    const k = this.useWasm && this.d <= LANES_UP_TO && !this.diagonal ? wasmKernels() : undefined;
    if (map === undefined || !k) return undefined;
    return new ClassifierLanes(k, map, this.d, this.units, this.lanes, this.size, () => this);
  }

  /** Whether the last `lane` ran on WebAssembly (so left its factors in linear memory: `laneFactors`). */
  private wasmLane = false;

  laneFactors(): Float32Array | undefined {
    return this.wasmLane ? this.wasm!.factors() : undefined;
  }

  lane(
    b: number,
    params: Float32Array[],
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
    counts: Float32Array[],
    sigma: boolean,
  ): number {
    const { units: U, head, logp, dlogp, labels, m, dense } = this;
    // A diagonal factor's O(d) densities need no WebAssembly (nor the Sigma route, which no
    // diagonal map takes).
    const diagonal = sigma ? undefined : this.diagonal;
    // Without the Sigma route a lane is O(d^2) a trial, and below d = 16 the copies into linear
    // memory cost what WebAssembly saves (0.94x at d = 8, measured); the Sigma route's O(d^3)
    // inverse gains from d = 8.
    const wasm = !diagonal && (sigma || this.d >= 16) ? this.wasm : undefined;
    const mu = params[0];
    const w = params[2];
    this.wasmLane = wasm !== undefined;
    if (wasm) wasm.forward(b, m, this.points, mu, l, logp);
    else
      for (let u = 0; u < U; u++) {
        // A unit the diagonal path cannot take (DiagonalDensities.forward) takes the dense one.
        dense[u] = diagonal?.forward(b, u, m, mu, l) ? 0 : 1;
        if (dense[u]) this.density(b, u, mu, l);
      }
    const loss = head.forward(logp, w, b, labels);
    counts[0][b] = head.dead;
    if (!grads) return loss;
    head.backward(w, b, labels, 1, dlogp, grads[2]);
    if (wasm) wasm.backward(b, m, dlogp, dl, grads[0], sigma);
    else
      for (let u = 0; u < U; u++)
        if (dense[u]) this.densityBackward(b, u, l, dl, grads[0], sigma);
        else diagonal!.backward(b, u, m, l, dl, grads[0]);
    return loss;
  }

  /**
   * log N(x_i | mu_u, L_u L_u^T) of lane b's trials into logp[(b * U + u) * m + i], with r = x_i -
   * mu_u and z = L_u^-1 r (forward substitution), z kept in zs for the backward.
   */
  private density(b: number, u: number, mu: Float32Array, l: Float32Array) {
    const { d, m, zs, logp, points } = this;
    const lo = u * d * d;
    const mo = (b * this.units + u) * d;
    let half = 0;
    for (let j = 0; j < d; j++) half += Math.log(l[lo + j * d + j]);
    for (let i = 0; i < m; i++) {
      const xo = (b * m + i) * d;
      const zo = (u * m + i) * d;
      let maha = 0;
      for (let p = 0; p < d; p++) {
        const lp = lo + p * d;
        let t = points[xo + p] - mu[mo + p];
        for (let q = 0; q < p; q++) t -= l[lp + q] * zs[zo + q];
        const zp = t / l[lp + p];
        zs[zo + p] = zp;
        maha += zp * zp;
      }
      logp[(b * this.units + u) * m + i] = -0.5 * maha - half - d * HALF_LOG_2PI;
    }
  }

  /**
   * d loss / d mu_u and d loss / d L_u (lower triangle, zeros above, into dl[u * d * d..]) from d
   * loss / d log p: with s = L^-T z = Sigma^-1 r, d(-|z|^2 / 2) / dL_pq = s_p z_q and d / dmu = s; the
   * log-determinant adds -1 / L_jj per unit of d loss / d log p. With `sigma`, d loss / d Sigma_u
   * instead: sum_i g_i s_i s_i^T / 2 - (sum_i g_i) Sigma^-1 / 2, symmetric.
   */
  private densityBackward(
    b: number,
    u: number,
    l: Float32Array,
    dl: Float32Array,
    dmu: Float32Array,
    sigma: boolean,
  ) {
    const { d, m, zs, s, acc, accMu, dlogp } = this;
    const lo = u * d * d;
    const mo = (b * this.units + u) * d;
    let gsum = 0;
    for (let i = 0; i < m; i++) {
      const g = dlogp[(b * this.units + u) * m + i];
      gsum += g;
      const zo = (u * m + i) * d;
      for (let p = d - 1; p >= 0; p--) {
        let t = zs[zo + p];
        for (let q = p + 1; q < d; q++) t -= l[lo + q * d + p] * s[q];
        s[p] = t / l[lo + p * d + p];
      }
      // Sums over the trials of g s_p s_q (`sigma`) or g s_p z_q, and of g s_p. The first trial's
      // terms are added to 0 (no zeroing pass; 0 + x, as a zeroed sum gives it), the last trial's
      // sums go straight to dl (with the log-determinant's term) and dmu: the values of a
      // separate pass, without it.
      const v = sigma ? s : zs;
      const vo = sigma ? 0 : zo;
      const first = i === 0;
      const last = i === m - 1;
      const toDl = last && !sigma;
      for (let p = 0; p < d; p++) {
        const gs = g * s[p];
        const rp = p * d;
        if (toDl) {
          for (let q = 0; q < p; q++) dl[lo + rp + q] = (first ? 0 : acc[rp + q]) + gs * v[vo + q];
          dl[lo + rp + p] = (first ? 0 : acc[rp + p]) + gs * v[vo + p] + -gsum / l[lo + rp + p];
          // Zeros above: the WebAssembly twin copies whole blocks out, so both write all of dl.
          for (let q = p + 1; q < d; q++) dl[lo + rp + q] = 0;
        } else for (let q = 0; q <= p; q++) acc[rp + q] = (first ? 0 : acc[rp + q]) + gs * v[vo + q];
        const sum = (first ? 0 : accMu[p]) + gs;
        if (last) dmu[mo + p] = sum;
        else accMu[p] = sum;
      }
    }
    if (sigma) {
      inverseTransposeInto(l, lo, d, this.wt);
      const { wt } = this;
      for (let p = 0; p < d; p++) {
        // (Sigma^-1)_pq = sum_{k >= p} W_kp W_kq, each in two interleaved sums (even and odd k -
        // p): a sum's chain of dependent adds, not the multiplies, is what bounds a dot
        // product's speed (see ops/triangular.ts). Two q at a time, so four chains overlap; each
        // sum's own sequence of float ops is the one-q loop's.
        const rp = p * d;
        let q = 0;
        for (; q + 1 <= p; q += 2) {
          const rq = q * d;
          const rn = rq + d;
          let even = 0;
          let odd = 0;
          let evenN = 0;
          let oddN = 0;
          let k = p;
          for (; k + 1 < d; k += 2) {
            const a = wt[rp + k];
            const c = wt[rp + k + 1];
            even += a * wt[rq + k];
            odd += c * wt[rq + k + 1];
            evenN += a * wt[rn + k];
            oddN += c * wt[rn + k + 1];
          }
          if (k < d) {
            even += wt[rp + k] * wt[rq + k];
            evenN += wt[rp + k] * wt[rn + k];
          }
          dl[lo + p * d + q] = dl[lo + q * d + p] = (acc[p * d + q] - gsum * (even + odd)) / 2;
          dl[lo + p * d + q + 1] = dl[lo + (q + 1) * d + p] =
            (acc[p * d + q + 1] - gsum * (evenN + oddN)) / 2;
        }
        if (q <= p) {
          const rq = q * d;
          let even = 0;
          let odd = 0;
          let k = p;
          for (; k + 1 < d; k += 2) {
            even += wt[rp + k] * wt[rq + k];
            odd += wt[rp + k + 1] * wt[rq + k + 1];
          }
          if (k < d) even += wt[rp + k] * wt[rq + k];
          dl[lo + p * d + q] = dl[lo + q * d + p] = (acc[p * d + q] - gsum * (even + odd)) / 2;
        }
      }
    }
  }
}

/**
 * Lane b's rows in its epoch order, step-major in its chunk of `lanes` lanes: row j (at
 * first + j lanes) is its row order[j] (at b n + order[j] of the batch): the
 * reference of the WebAssembly kernel (assembly/epoch-order.ts), and what orders the rows where
 * it does not run. A function called lane by lane rather than a loop over every
 * lane inside `order`, which a worker runs once per epoch, so it always ran unoptimised until V8
 * replaced it mid-loop: called 256 times, V8 optimises this small one within the first lanes (an
 * epoch of 256 lanes of 400 points at d = 8: 8-9 ms the first time and 2.5-4.3 ms the second,
 * from 13-19 and 6-9). The kernel runs compiled from the first row: a worker's first step, median
 * of 10 cold batches, 69 -> 65 ms at d = 8 and 90 -> 76 ms at d = 16, and the first step of the
 * second epoch at d = 8 17 -> 14 ms.
 */
function orderLane(
  order: Int32Array,
  b: number,
  first: number,
  lanes: number,
  n: number,
  d: number,
  x: Float32Array,
  y: Int32Array,
  points: Float32Array,
  labels: Int32Array,
): void {
  for (let j = 0; j < n; j++) {
    const to = first + j * lanes;
    const row = b * n + order[j];
    labels[to] = y[row];
    const from = row * d;
    const at = to * d;
    for (let p = 0; p < d; p++) points[at + p] = x[from + p];
  }
}
