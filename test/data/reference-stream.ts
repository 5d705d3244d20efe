import seedrandom from 'seedrandom';

/**
 * covsweep's streams as they were written before the block draws: seedrandom's own `double()`
 * per uniform and textbook Box-Muller with the second normal kept for the next call. The tests
 * hold every fast path to these numbers bit for bit.
 */
export function referenceStream(seed: number, purpose: string) {
  const rng = seedrandom(`covsweep:${seed}:${purpose}`);
  let spare: number | undefined;
  return {
    uniform: () => rng.double(),
    int: (n: number) => Math.floor(rng.double() * n),
    normal() {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return z;
      }
      const r = Math.sqrt(-2 * Math.log(1 - rng.double()));
      const theta = 2 * Math.PI * rng.double();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/** The bits of each number, so that comparisons tell -0 from 0 and see every last bit. */
export const bits = (x: ArrayLike<number>) => Array.from(new BigUint64Array(Float64Array.from(x).buffer));
