import { CholeskyKernel } from '../ops/cholesky-kernel.js';
import type { NativeMap } from './native-map.js';

const f32 = Math.fround;

/**
 * full-jitter: `full`'s Cholesky of the raw block, and where it fails, retried with each jitter
 * amount added to the diagonal in turn (each try counted in `cholesky_retries`) until one
 * succeeds or the amounts run out: the factor, pivots and counts of the tfjs `factor`, which
 * adds the float32 amount to the float32 diagonal. The gradient is the Cholesky backward at the
 * factor kept (its jitter is a constant), or d loss / d Sigma itself.
 */
export function fullJitter(d: number, options: Record<string, unknown>): NativeMap {
  const k = new CholeskyKernel(d);
  const jitter = options.jitter as number[];
  const relative = options.jitter_relative as boolean;
  const jittered = new Float32Array(d * d);
  const counts = new Float32Array(1);
  return {
    counters: ['cholesky_retries'],
    counts,
    forward(raw, at, l, lo, checks, ct) {
      counts[0] = 0;
      if (k.forward(raw, at, l, lo, checks, ct)) return true;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += raw[at + j * d + j];
      mean /= d;
      // A relative amount cannot help a matrix whose diagonal mean is <= 0 or NaN (full-jitter.ts).
      if (relative && !(mean > 0)) return false;
      for (const amount of jitter) {
        counts[0]++;
        for (let i = 0; i < d * d; i++) jittered[i] = raw[at + i];
        const add = f32(relative ? amount * mean : amount);
        for (let j = 0; j < d; j++) jittered[j * d + j] = f32(jittered[j * d + j] + add);
        if (k.forward(jittered, 0, l, lo, checks, ct)) return true;
      }
      return false;
    },
    backward: (_raw, at, l, dl, lo, draw) => k.backward(l, lo, dl, lo, draw, at),
    fromSigma(dsigma, lo, draw, at) {
      for (let i = 0; i < d * d; i++) draw[at + i] = dsigma[lo + i];
    },
  };
}
