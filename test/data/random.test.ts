import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Arc4 } from '../../src/data/arc4.js';
import { permutation, stream } from '../../src/data/random.js';

describe('seeded streams', () => {
  it("draw seedrandom's doubles exactly, for many keys and far into the stream", () => {
    for (const seed of ['covsweep:0:data', 'covsweep:511:truth', 'covsweep:7:init', '', 'x'.repeat(300)]) {
      const reference = seedrandom(seed);
      const fast = new Arc4(seed);
      const draws = (f: () => number) => Float64Array.from({ length: 20000 }, f);
      expect(draws(() => fast.double())).toEqual(draws(() => reference.double()));
    }
  });

  it('take the extra bytes of a double whose first six are small as seedrandom does', () => {
    // One double in 16 starts below 2^44 and needs a second extra byte: the loop that adds it
    // runs thousands of times in 60,000 draws, and every draw after it depends on it.
    const reference = seedrandom('covsweep:3:data');
    const fast = new Arc4('covsweep:3:data');
    const draws = Float64Array.from({ length: 60000 }, () => fast.double());
    expect(draws).toEqual(Float64Array.from({ length: 60000 }, () => reference.double()));
    expect(draws.filter((x) => x < 2 ** -4).length).toBeGreaterThan(3000);
  });

  it("give normals, integers and permutations from seedrandom's numbers", () => {
    const reference = seedrandom('covsweep:5:data');
    const s = stream(5, 'data');
    for (let k = 0; k < 1000; k++) {
      const r = Math.sqrt(-2 * Math.log(1 - reference.double()));
      const theta = 2 * Math.PI * reference.double();
      expect(s.normal()).toBe(r * Math.cos(theta));
      expect(s.normal()).toBe(r * Math.sin(theta));
    }
    const ints = seedrandom('covsweep:5:shuffle');
    const p = Array.from({ length: 50 }, (_, i) => i);
    for (let i = 49; i > 0; i--) {
      const j = Math.floor(ints.double() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    expect(Array.from(permutation(stream(5, 'shuffle'), 50))).toEqual(p);
  });
});
