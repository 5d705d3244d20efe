import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Arc4 } from '../../src/data/arc4.js';
import { arc4Wasm } from '../../src/data/arc4-wasm.js';
import { boxMuller } from '../../src/data/box-muller.js';
import { permutation, stream } from '../../src/data/random.js';
import { bits, referenceStream } from './reference-stream.js';

/** A small deterministic generator for the tests' block sizes and call mixes (not under test). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

describe('seeded streams', () => {
  it("fill blocks of any size with seedrandom's doubles, for many keys and far into the stream", () => {
    for (const seed of ['covsweep:0:data', 'covsweep:511:truth', 'covsweep:7:init', '', 'x'.repeat(300)]) {
      const reference = seedrandom(seed);
      const fast = new Arc4(seed);
      const size = lcg(seed.length);
      const out = new Float64Array(20000);
      // Blocks of 0 to 299 doubles, each at its own offset, in one buffer.
      for (let at = 0; at < out.length; ) {
        const to = Math.min(out.length, at + size(300));
        fast.fill(out, at, to);
        at = to;
      }
      expect(bits(out)).toEqual(bits(Float64Array.from({ length: out.length }, () => reference.double())));
    }
  });

  it('key the generator as seedrandom does: short, empty, long (past 256 characters) and non-ASCII keys', () => {
    const keys = [
      '',
      'a',
      'covsweep:0:data',
      'covsweep:511:shuffle',
      'ü€😀:x',
      'k'.repeat(255),
      'k'.repeat(256),
    ];
    for (let n = 0; n < 200; n++) keys.push(`covsweep:${n}:${['truth', 'data', 'init', 'shuffle'][n % 4]}`);
    for (let n = 200; n < 1200; n += 97)
      keys.push(Array.from({ length: n }, (_, k) => String.fromCharCode(32 + ((k * n) % 900))).join(''));
    for (const key of keys) {
      const reference = seedrandom(key);
      const out = new Float64Array(40);
      new Arc4(key).fill(out, 0, out.length);
      expect(bits(out)).toEqual(bits(Array.from(out, () => reference.double())));
    }
  });

  it('take the extra bytes of a double whose first six are small as seedrandom does', () => {
    // One double in 16 starts below 2^44 and needs a second extra byte: the loop that adds it
    // runs thousands of times in 60,000 draws, and every draw after it depends on it.
    const reference = seedrandom('covsweep:3:data');
    const draws = new Float64Array(60000);
    new Arc4('covsweep:3:data').fill(draws, 0, draws.length);
    expect(bits(draws)).toEqual(bits(Float64Array.from({ length: 60000 }, () => reference.double())));
    expect(draws.filter((x) => x < 2 ** -4).length).toBeGreaterThan(3000);
  });

  it('build every double from its bytes as seedrandom does, whichever byte leads, over a million draws, in JavaScript and on WebAssembly', () => {
    // fill builds a double from integers by how many bits its first byte b0 leaves to shift
    // away (b0 in [16, 32), [32, 64), [64, 128), [128, 256)), and runs seedrandom's loops when
    // b0 < 16 (an eighth byte), and again when b0 = 0 and b1 < 16 (a ninth, one double in 4096).
    // 64 keys x 16,384 draws reach every case hundreds of times or more, and each case's bytes
    // shift every later draw. Both twins draw every key; the WebAssembly one in blocks of its
    // capacity and a remainder (16,384 = 2 x 7,936 + 512).
    const wasm = arc4Wasm();
    expect(wasm).toBeDefined();
    expect(wasm!.capacity).toBe(7936);
    const leads = [0, 0, 0, 0, 0, 0];
    for (let key = 0; key < 64; key++) {
      const seed = `covsweep:${key * 37}:${['truth', 'data', 'init', 'shuffle'][key % 4]}`;
      const reference = seedrandom(seed);
      const out = new Float64Array(16384);
      new Arc4(seed).fillHere(out, 0, out.length);
      const want = Float64Array.from({ length: out.length }, () => reference.double());
      expect(bits(out)).toEqual(bits(want));
      const onWasm = new Float64Array(16384);
      new Arc4(seed).fillOn(wasm!, onWasm, 0, onWasm.length, false);
      expect(bits(onWasm)).toEqual(bits(want));
      for (const x of out) leads[x < 2 ** -12 ? 0 : Math.max(1, Math.floor(Math.log2(x)) + 6)]++;
    }
    // [0, 2^-12): nine bytes; [2^-12, 2^-4): eight; then the four shifts of seven (about 256,
    // 65,000, 65,000, 131,000, 262,000 and 524,000 draws).
    for (const count of leads) expect(count).toBeGreaterThan(100);
  });

  it('carry the state between JavaScript and WebAssembly draws: blocks on either side of the threshold, in any order', () => {
    // fill draws blocks of 64 doubles or more on WebAssembly and smaller ones in JavaScript, each
    // taking the state the other left; sizes 0 to 199 at random switch sides often.
    for (let key = 0; key < 20; key++) {
      const seed = `covsweep:${key}:switch`;
      const reference = seedrandom(seed);
      const fast = new Arc4(seed);
      const size = lcg(key + 11);
      const out = new Float64Array(30000);
      for (let at = 0; at < out.length; ) {
        const to = Math.min(out.length, at + size(200));
        fast.fill(out, at, to);
        at = to;
      }
      expect(bits(out)).toEqual(bits(Float64Array.from({ length: out.length }, () => reference.double())));
    }
  });

  it('give the reference numbers whatever the mix of single draws and blocks, spare normal included', () => {
    // Every call kind in random order and sizes (odd blocks of normals leave a spare that the
    // next normal, single or block, must return), long enough to cross many read-ahead blocks.
    for (let seed = 0; seed < 40; seed++) {
      const s = stream(seed, 'mix');
      const r = referenceStream(seed, 'mix');
      const pick = lcg(seed + 1);
      const got: number[] = [];
      const want: number[] = [];
      for (let call = 0; call < 400; call++) {
        const kind = pick(6);
        const m = pick(4) === 0 ? 0 : pick(kind < 4 ? 3 : 90);
        const out = new Float64Array(m + 3);
        // Single draws: uniforms, integers in [0, k + 1), normals (twice as often).
        const single = [() => s.uniform(), (k: number) => s.int(k + 1), () => s.normal(), () => s.normal()];
        const reference = [
          () => r.uniform(),
          (k: number) => r.int(k + 1),
          () => r.normal(),
          () => r.normal(),
        ];
        if (kind < 4)
          for (let k = 0; k < m; k++) {
            got.push(single[kind](k));
            want.push(reference[kind](k));
          }
        if (kind === 4) {
          s.uniforms(out, 1, m + 1);
          for (let k = 0; k < m; k++) want.push(r.uniform());
        }
        if (kind === 5) {
          s.normals(out, 1, m + 1);
          for (let k = 0; k < m; k++) want.push(r.normal());
        }
        if (kind >= 4) {
          // Only out[1..m] is written.
          expect([out[0], out[m + 1], out[m + 2]]).toEqual([0, 0, 0]);
          got.push(...out.subarray(1, m + 1));
        }
      }
      expect(bits(got)).toEqual(bits(want));
    }
  });

  it('give normals in one block as one normal after another from a fresh stream', () => {
    for (const n of [1, 2, 31, 32, 33, 1023, 1024, 1025, 6400]) {
      const r = referenceStream(n, 'data');
      const out = new Float64Array(n);
      stream(n, 'data').normals(out, 0, n);
      expect(bits(out)).toEqual(bits(Array.from({ length: n }, () => r.normal())));
    }
  });

  it('give a block of normals after single draws as the reference, whether what is read ahead ends mid-pair or not', () => {
    // `before` uniforms leave 32 - before of the first read-ahead block (or, past 32, of the
    // second of 64), odd or even: the block's pairs are taken there, one pair across the block's
    // end and the generator when odd, and the rest on the generator's path (WebAssembly, past the
    // capacity of one call at 20,000).
    for (const before of [0, 1, 2, 31, 33, 35, 64]) {
      for (const n of [70, 6400, 20000]) {
        const s = stream(before, 'data');
        const r = referenceStream(before, 'data');
        for (let k = 0; k < before; k++) expect(s.uniform()).toBe(r.uniform());
        const out = new Float64Array(n);
        s.normals(out, 0, n);
        expect(bits(out)).toEqual(bits(Array.from({ length: n }, () => r.normal())));
        expect(bits([s.uniform(), s.normal()])).toEqual(bits([r.uniform(), r.normal()]));
      }
    }
  });

  it("transform uniforms on WebAssembly as box-muller.ts does where the branch-free forms give way to fdlibm's own", () => {
    // u1 where 1 - u1 is near a power of two (log's short branch) or its edges, and u2 where
    // 2 pi u2 is near a multiple of pi/4 (the quadrants, the reductions' longer forms, kernelCos's
    // edges) or tiny; each paired with random partners, and out-of-range and NaN inputs, which
    // take the exact forms and give what Math gives (u2 up to 2^18, where theta is within the
    // reach of the ported sin and cos).
    const near = (x: number, reach: number) => {
      const out: number[] = [];
      for (let s = -reach; s <= reach; s++) out.push(x + s * 2 ** -52 * Math.max(x, 2 ** -1000));
      return out;
    };
    const u1s = [
      0,
      2 ** -60,
      2 ** -53,
      0.25,
      0.5,
      0.75,
      1 - 2 ** -53,
      2 ** -20,
      1 - 2 ** -20,
      Number.NaN,
      -0.5,
      1.5,
    ];
    for (let k = 1; k < 53; k++) u1s.push(...near(1 - 2 ** -k, 3));
    const u2s = [0, 2 ** -60, 2 ** -30, 1e-9, Number.NaN, -0.25, 1e5];
    for (let n = 0; n <= 8; n++) u2s.push(...near(n / 8, 6));
    for (const t of [0.3, 0.78125])
      for (let n = 0; n < 4; n++) u2s.push(...near((n * Math.PI) / 2 + t, 3).map((x) => x / (2 * Math.PI)));
    const next = lcg(5);
    const uniforms: number[] = [];
    for (const u1 of u1s) uniforms.push(u1, next(1 << 30) / 2 ** 30);
    for (const u2 of u2s) uniforms.push(next(1 << 30) / 2 ** 30, u2);
    for (let k = 0; k < 2000; k++) uniforms.push(u1s[next(u1s.length)], u2s[next(u2s.length)]);
    const wasm = arc4Wasm()!;
    expect(uniforms.length).toBeLessThan(wasm.capacity);
    wasm.doubles.set(uniforms);
    wasm.boxMuller(uniforms.length);
    const want = Float64Array.from(uniforms);
    boxMuller(want, 0, want.length);
    // Any NaN is NaN (its bits are the hardware's: JavaScript and WebAssembly need not agree).
    const exact = (x: ArrayLike<number>) => Array.from(x, (v) => (Number.isNaN(v) ? 'NaN' : bits([v])[0]));
    expect(exact(wasm.doubles.subarray(0, uniforms.length))).toEqual(exact(want));
    expect(exact(want).filter((v) => v === 'NaN').length).toBeGreaterThan(10);
  });

  it('draw normals on WebAssembly as the JavaScript draws and transforms them, over a million pairs', () => {
    // Arc4's `normals` on WebAssembly (draws and Box-Muller in one pass, with V8's log, cos and
    // sin ported: assembly/fdlibm.ts) against `fillHere` then box-muller.ts's `boxMuller`, for
    // 160 keys x 16,384 normals (2 calls of the capacity and a remainder each).
    const wasm = arc4Wasm()!;
    for (let key = 0; key < 160; key++) {
      const seed = `covsweep:${key * 13}:data`;
      const want = new Float64Array(16384);
      new Arc4(seed).fillHere(want, 0, want.length);
      boxMuller(want, 0, want.length);
      const got = new Float64Array(16384);
      const fast = new Arc4(seed);
      fast.fillOn(wasm, got, 0, got.length, true);
      expect(bits(got)).toEqual(bits(want));
      // The state moves on as past the same uniforms.
      const after = new Float64Array(3);
      fast.fill(after, 0, 3);
      const reference = new Arc4(seed);
      reference.fillHere(new Float64Array(16384), 0, 16384);
      const next = new Float64Array(3);
      reference.fillHere(next, 0, 3);
      expect(bits(after)).toEqual(bits(next));
    }
  });

  it("give permutations from seedrandom's numbers", () => {
    const ints = seedrandom('covsweep:5:shuffle');
    const p = Array.from({ length: 50 }, (_, i) => i);
    for (let i = 49; i > 0; i--) {
      const j = Math.floor(ints.double() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    expect(Array.from(permutation(stream(5, 'shuffle'), 50))).toEqual(p);
  });

  it('shuffle from one block of uniforms as from a draw per swap, leaving the stream where those draws would', () => {
    // Sizes around the read-ahead blocks (32 to 1024), after single draws that leave part of a
    // block read ahead, and the stream's next numbers after the permutation.
    for (const [seed, n, before] of [
      [0, 1, 0],
      [1, 2, 0],
      [2, 33, 5],
      [3, 400, 0],
      [4, 400, 31],
      [5, 1500, 7],
    ]) {
      const s = stream(seed, 'shuffle');
      const r = referenceStream(seed, 'shuffle');
      for (let k = 0; k < before; k++) expect(s.uniform()).toBe(r.uniform());
      const want = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [want[i], want[j]] = [want[j], want[i]];
      }
      expect(Array.from(permutation(s, n))).toEqual(want);
      expect(bits([s.uniform(), s.normal(), s.uniform()])).toEqual(
        bits([r.uniform(), r.normal(), r.uniform()]),
      );
    }
  });
});
