import { Arc4 } from './arc4.js';
import { boxMuller } from './box-muller.js';

/**
 * A seeded random stream. Every random number in covsweep comes from one of
 * these, derived from (run seed, purpose), so a run is reproducible from its
 * config alone and two purposes never share draws (changing the number of data
 * points does not change the shuffles).
 *
 * A stream is one sequence of uniforms u0, u1, ...: `uniform` takes the next,
 * `int` the next scaled, `normal` the next two through Box-Muller (the second
 * normal of the pair cached for the following call). The block methods give
 * exactly what the same number of single calls would, in one pass.
 */
export interface Stream {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller; the second draw is cached). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** out[from..to) = the next `to - from` uniforms, as that many `uniform()` calls. */
  uniforms(out: Float64Array, from: number, to: number): void;
  /** out[from..to) = the next `to - from` normals, as that many `normal()` calls. */
  normals(out: Float64Array, from: number, to: number): void;
}

export function stream(seed: number, purpose: string): Stream {
  return new Arc4Stream(new Arc4(`covsweep:${seed}:${purpose}`));
}

// Single draws come from a block read ahead, which grows from FIRST_BLOCK to LAST_BLOCK doubles:
// a stream that takes a handful of numbers reads few ahead, one that takes thousands refills rarely.
const FIRST_BLOCK = 32;
const LAST_BLOCK = 1024;

class Arc4Stream implements Stream {
  /** Uniforms read ahead; block[next..] are the stream's next ones. */
  private block = new Float64Array(FIRST_BLOCK);
  private next = FIRST_BLOCK;
  /** The cached second normal of a pair, when `hasSpare`. */
  private spare = 0;
  private hasSpare = false;
  /** The last pair of an odd block of normals, drawn and transformed here. */
  private readonly pair = new Float64Array(2);

  constructor(private readonly rng: Arc4) {}

  uniform(): number {
    if (this.next === this.block.length) this.refill();
    return this.block[this.next++];
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    this.drawPair();
    this.spare = this.pair[1];
    this.hasSpare = true;
    return this.pair[0];
  }

  uniforms(out: Float64Array, from: number, to: number): void {
    // What is read ahead first, then the rest straight from the generator.
    const ahead = Math.min(this.block.length - this.next, to - from);
    for (let k = 0; k < ahead; k++) out[from + k] = this.block[this.next + k];
    this.next += ahead;
    if (from + ahead < to) this.rng.fill(out, from + ahead, to);
  }

  normals(out: Float64Array, from: number, to: number): void {
    let k = from;
    if (k < to && this.hasSpare) {
      out[k++] = this.spare;
      this.hasSpare = false;
    }
    // Whole pairs are drawn as uniforms into out and transformed where they lie: those read
    // ahead here (with the generator's next uniform where they end mid-pair), the rest by the
    // generator, which draws and transforms a block in one pass (on WebAssembly where it runs).
    const end = k + ((to - k) & ~1);
    const ahead = Math.min(this.block.length - this.next, end - k);
    this.uniforms(out, k, k + ahead);
    let rest = k + ahead;
    if (ahead & 1) {
      this.rng.fill(out, rest, rest + 1);
      rest++;
    }
    boxMuller(out, k, rest);
    if (rest < end) this.rng.normals(out, rest, end);
    if (end < to) {
      this.drawPair();
      out[end] = this.pair[0];
      this.spare = this.pair[1];
      this.hasSpare = true;
    }
  }

  /** this.pair = the next two normals, from the next two uniforms. */
  private drawPair() {
    this.pair[0] = this.uniform();
    this.pair[1] = this.uniform();
    boxMuller(this.pair, 0, 2);
  }

  private refill() {
    if (this.block.length < LAST_BLOCK) this.block = new Float64Array(2 * this.block.length);
    this.rng.fill(this.block, 0, this.block.length);
    this.next = 0;
  }
}

/**
 * Fisher-Yates permutation of 0..n-1 (torch.randperm's role in seed 000): swap i with
 * floor(u (i + 1)) for i = n - 1 down to 1, each u the stream's next uniform (`int(i + 1)`), the
 * n - 1 uniforms drawn in one block first: the same numbers as a call per swap, and one tight loop
 * over the generator where a worker otherwise runs a call per draw, mostly before the JIT has
 * optimised it (every lane shuffles once per epoch, 256 lanes a worker).
 */
export function permutation(rng: Stream, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  if (n < 2) return p;
  const u = new Float64Array(n - 1);
  rng.uniforms(u, 0, n - 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[n - 1 - i] * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
