import type { NativeMap } from './native-map.js';

const f32 = Math.fround;

/** tfjs's float32 softplus (its cpu kernel): exp(x) far below 0, x far above, log(1 + exp(x)) between. */
function softplus(x: number): number {
  const threshold = Math.log(1.1920928955078125e-7) + 2;
  if (x < threshold) return Math.exp(x);
  if (x > -threshold) return x;
  return Math.log(1 + Math.exp(x));
}

/**
 * softplus-cholesky: L = softplus(diagonal) + shift + strict lower triangle (factor diagonal as
 * checks), rounded as tfjs rounds its ops: softplus in float32, then the float32 sum with the
 * shift; d raw_jj = dL_jj sigmoid(raw_jj), the sigmoid in float32.
 */
export function softplusCholesky(d: number, options: Record<string, unknown>): NativeMap {
  const shift = f32(options.softplus_shift as number);
  return {
    forward(raw, at, l, lo, checks, ct) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) l[lo + i * d + j] = raw[at + i * d + j];
        const v = f32(f32(softplus(raw[at + i * d + i])) + shift);
        l[lo + i * d + i] = v;
        checks[ct + i] = v;
      }
      return true;
    },
    backward(raw, at, _l, dl, lo, draw) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) draw[at + i * d + j] = dl[lo + i * d + j];
        const sigmoid = f32(1 / (1 + Math.exp(-raw[at + i * d + i])));
        draw[at + i * d + i] = dl[lo + i * d + i] * sigmoid;
      }
    },
  };
}

/**
 * diag: the raw block is v [d], L = diag(exp(v / 2)) (its diagonal as checks), in float32 as
 * tfjs rounds it; d v_j = dL_jj L_jj / 2.
 */
export function diag(d: number): NativeMap {
  return {
    block: d,
    diagonal: true,
    forward(raw, at, l, lo, checks, ct) {
      for (let j = 0; j < d; j++) {
        const v = f32(Math.exp(f32(raw[at + j] * 0.5)));
        l[lo + j * d + j] = v;
        checks[ct + j] = v;
      }
      return true;
    },
    backward(_raw, at, l, dl, lo, draw) {
      for (let j = 0; j < d; j++) draw[at + j] = f32(dl[lo + j * d + j] * l[lo + j * d + j]) * 0.5;
    },
  };
}
