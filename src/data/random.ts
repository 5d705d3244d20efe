import { Arc4 } from './arc4.js';

/**
 * A seeded random stream. Every random number in covsweep comes from one of
 * these, derived from (run seed, purpose), so a run is reproducible from its
 * config alone and two purposes never share draws (changing the number of data
 * points does not change the shuffles).
 */
export interface Stream {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller; the second draw is cached). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function stream(seed: number, purpose: string): Stream {
  const rng = new Arc4(`covsweep:${seed}:${purpose}`);
  let spare: number | undefined;
  return {
    uniform: () => rng.double(),
    int: (n) => Math.floor(rng.double() * n),
    normal() {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return z;
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - rng.double()));
      const theta = 2 * Math.PI * rng.double();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/** Fisher-Yates permutation of 0..n-1 (torch.randperm's role in seed 000). */
export function permutation(rng: Stream, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
