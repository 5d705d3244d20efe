import { stream } from '../../src/data/random.js';
import { stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { symmetricEigenvalues, withEigenvalues } from '../../src/ground/dense64.js';

/**
 * The float64 condition number of the covariance of a float32 raw block: the `repro --trace`
 * computation. For precision-cholesky, of the precision L L^T (log-cholesky's map of the same
 * block): the same number, without the float64 inverse's rounding at cond 1e12.
 */
export function conditionNumber64(name: string, raw: Float32Array, d: number): number {
  const map = parameterization(name === 'precision-cholesky' ? 'log-cholesky' : name);
  const values = symmetricEigenvalues(map.covariance(raw, d), d);
  return values[0] > 0 ? values[d - 1] / values[0] : Number.POSITIVE_INFINITY;
}

/** A covariance with eigenvalues log-spaced from 1 down to 1 / cond, in a random basis. */
export function randomCovariance(seed: number, d: number, cond: number): Float64Array {
  const rng = stream(seed, 'condition-test');
  return withEigenvalues(
    Array.from({ length: d }, (_, j) => cond ** (-j / (d - 1))),
    () => rng.normal(),
  );
}

/** Parameterizations whose raw block is the covariance itself (the condition walks' symmetric moves). */
const SIGMA_RAW = ['full', 'spd-riemannian', 'full-clip'];

/**
 * The condition walks' batch (condition-batch and condition-blocks tests): 4 lanes of 2 blocks,
 * lane 0 near the limit, lane 1 well within it, lane 2 near a lower limit, lane 3's limit
 * infinite (no check at all); the step's check with its kernels and its JavaScript twins.
 */
export function conditionWalk(name: string, d: number, seed: number) {
  const p = parameterization(name);
  const lanes = 4;
  const units = 2;
  const dd = d * d;
  const blocks = lanes * units;
  const limits = [2 ** 23, 2 ** 23, 1e5, Number.POSITIVE_INFINITY];
  const checks = stepConditionBound(name, d, units, limits)!;
  const twins = stepConditionBound(name, d, units, limits, { wasm: false })!;
  const raw = new Float32Array(blocks * dd);
  for (let k = 0; k < blocks; k++) {
    const cond = [4e6, 1e3, 3e4, 1e2][Math.floor(k / units)];
    raw.set(p.fromCovariance(randomCovariance(seed + k, d, cond), d), k * dd);
  }
  return { lanes, units, dd, blocks, checks, twins, raw };
}

/**
 * One step of a condition walk: every entry of each lower triangle (and its mirror, for a raw
 * covariance) scaled by 1 + 2e-3 z, lane 1's by small moves that tier 2 clears from its anchor
 * (smaller for a covariance block: its move is Sigma's own, against Sigma's smallest eigenvalue).
 */
export function walkStep(
  name: string,
  raw: Float32Array,
  d: number,
  units: number,
  rng: ReturnType<typeof stream>,
) {
  const dd = d * d;
  const sigma = SIGMA_RAW.includes(name);
  for (let k = 0; k < raw.length / dd; k++) {
    const small = Math.floor(k / units) === 1 ? (sigma ? 1e-6 : 1e-4) : 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        const at = k * dd + i * d + j;
        raw[at] *= 1 + (small || 2e-3) * rng.normal();
        if (sigma) raw[k * dd + j * d + i] = raw[at];
      }
  }
}

/**
 * Linear memory from where the next block goes, `bytes` of it, filled with float32 ones (grown as
 * needed): a set flag, and a small bound (two such floats read as a float64 are 2^-7), wherever a
 * condition kernel reads before it writes. What a batch placed there sees of another's leftovers.
 */
export function dirtyNextBlocks(bytes: number): void {
  const kernels = wasmKernels()!;
  const at = kernels.reserve(0);
  const { memory } = kernels.exports;
  const room = memory.buffer.byteLength - at;
  if (room < bytes) memory.grow(Math.ceil((bytes - room) / 65536));
  kernels.f32().fill(1, at >> 2, (at + bytes) >> 2);
}
