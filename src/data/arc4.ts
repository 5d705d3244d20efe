import { type Arc4Wasm, arc4Wasm } from './arc4-wasm.js';
import { boxMuller } from './box-muller.js';

const SIGNIFICANCE = 2 ** 52;
const OVERFLOW = 2 ** 53;
/** By shift k (0..3, from b0 in [16, 256)): 2^(32 - k) for the top three bytes, 2^(k - 56) for the result. */
const HIGH_SCALE = Float64Array.from({ length: 4 }, (_, k) => 2 ** (32 - k));
const OUT_SCALE = Float64Array.from({ length: 4 }, (_, k) => 2 ** (k - 56));
/**
 * Blocks from this many doubles on are drawn on WebAssembly (arc4-wasm.ts): copying the state in
 * and out costs what it saves at 32 doubles (measured), 1.2x at 64, 1.45x from 512 on.
 */
const WASM_FROM = 64;

/**
 * seedrandom's generator for `seed`: the same numbers as `seedrandom(seed).double()`, drawn
 * several times faster. seedrandom (3.0.5) draws byte by byte through a method call per byte on a
 * plain array, and keys every generator through strings and a global entropy pool; here the key
 * schedule is seedrandom's, written out on a Uint8Array, and `fill` draws a whole block of doubles
 * in one loop with the ARC4 indices in locals, each double built from its bytes in integers to
 * exactly seedrandom's value (six bytes, then more until 52 bits are filled, then the shift that
 * keeps it below 1). Every run draws its
 * data from these: at d = 16 a run of 400 points takes 6,400 normals, and a run keys four streams.
 * seedrandom itself stays the tests' reference (test/data/random.test.ts).
 */
export class Arc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(seed: string) {
    // seedrandom's mixkey: the key is the seed's characters smeared into at most 256 bytes (a
    // byte not yet written reads as 0, as seedrandom's undefined does through `* 19` and `^`);
    // an empty seed is the key [0].
    const key = new Uint8Array(256);
    const length = Math.max(1, Math.min(256, seed.length));
    let smear = 0;
    for (let k = 0; k < seed.length; k++) {
      smear ^= key[k & 255] * 19;
      key[k & 255] = (smear + seed.charCodeAt(k)) & 255;
    }
    // ARC4's key schedule, then the 256 bytes seedrandom drops (RC4-drop[256]).
    const s = this.s;
    for (let i = 0; i < 256; i++) s[i] = i;
    // key[at] is key[i % length], without a division per byte.
    for (let i = 0, j = 0, at = 0; i < 256; i++, at = at + 1 === length ? 0 : at + 1) {
      const t = s[i];
      j = (j + key[at] + t) & 255;
      s[i] = s[j];
      s[j] = t;
    }
    let i = 0;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      i = (i + 1) & 255;
      const t = s[i];
      j = (j + t) & 255;
      s[i] = s[j];
      s[j] = t;
    }
    this.i = i;
    this.j = j;
  }

  /**
   * Writes the next `to - from` doubles of the stream into out[from..to): uniform in [0, 1), with
   * randomness in every bit of the mantissa (seedrandom's `double`, one call per element). Large
   * blocks on WebAssembly where it runs (`fillOn`), the same numbers as `fillHere`.
   */
  fill(out: Float64Array, from: number, to: number): void {
    const wasm = to - from >= WASM_FROM ? arc4Wasm() : undefined;
    if (wasm) this.fillOn(wasm, out, from, to, false);
    else this.fillHere(out, from, to);
  }

  /**
   * out[from..to) (to - from even) = what `fill` writes there, each pair then through Box-Muller
   * (box-muller.ts: normals). Large blocks on WebAssembly where it runs, drawn and transformed
   * there in one pass (`fillOn`), the same numbers: at d = 16 a worker's 256 runs take 1.6
   * million normals. The transform there takes its logarithms, sines and cosines without the
   * branches that uniform arguments mispredict (assembly/fdlibm.ts's plain forms): 21.5 ns a pair
   * warm against 26 in JavaScript, and from the first call, where the JavaScript starts unoptimised
   * (256 runs' data at d = 16 in a fresh process, median of 8: 105 -> 98 ms of CPU).
   */
  normals(out: Float64Array, from: number, to: number): void {
    const wasm = to - from >= WASM_FROM ? arc4Wasm() : undefined;
    if (wasm) this.fillOn(wasm, out, from, to, true);
    else {
      this.fillHere(out, from, to);
      boxMuller(out, from, to);
    }
  }

  /**
   * `fill` (or `normals`, when `normal`) on WebAssembly (assembly/arc4.ts): the state copied in,
   * the doubles and the state out.
   */
  fillOn(wasm: Arc4Wasm, out: Float64Array, from: number, to: number, normal: boolean): void {
    const { bytes, doubles, capacity } = wasm;
    bytes.set(this.s, 0);
    bytes[256] = this.i;
    bytes[257] = this.j;
    for (let at = from; at < to; at += capacity) {
      const count = Math.min(capacity, to - at);
      if (normal) wasm.normals(count);
      else wasm.fill(count);
      out.set(count === capacity ? doubles : doubles.subarray(0, count), at);
    }
    this.s.set(bytes.subarray(0, 256));
    this.i = bytes[256];
    this.j = bytes[257];
  }

  /**
   * `fill` in JavaScript: the reference of the WebAssembly kernel (its twin, operation for
   * operation), and what draws small blocks and everything where WebAssembly is off.
   *
   * seedrandom builds n = b0 b1 ... b5 (base 256) one multiply-add at a time, then takes n = 256 n
   * and x = b6, and halves n and d and shifts x right until n < 2^53: (n + x) / d. Here the seven
   * bytes are drawn first and the double is built from integers: when b0 >= 16 (15 doubles in 16),
   * 256 n is in [2^52, 2^56), so the halvings drop the k = 27 - clz32(b0) low bits of the 56-bit
   * integer b0..b6 and the double is (b0..b6 >> k) / 2^(56 - k); (b0 b1 b2) 2^(32 - k) +
   * (b3..b6 >>> k) is that integer exactly (below 2^53) and a scaling by a power of two, exact
   * too, finishes. The same bits, without the chain of six dependent floating-point multiply-adds
   * that held every double back. When b0 < 16, seedrandom's loops run on from its state after the
   * seventh byte.
   */
  fillHere(out: Float64Array, from: number, to: number): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    // ARC4's byte step is written out (not a method) so that i and j stay in locals.
    let t: number;
    let u: number;
    for (let k = from; k < to; k++) {
      // Seven bytes, each step written out: as loops (V8 does not unroll them) they cost a fifth more.
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      let high = s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      high = (high << 8) | s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      high = (high << 8) | s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      let low = s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      low = (low << 8) | s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      low = (low << 8) | s[(u + t) & 255];
      i = (i + 1) & 255;
      t = s[i];
      j = (j + t) & 255;
      u = s[j];
      s[i] = u;
      s[j] = t;
      low = (low << 8) | s[(u + t) & 255];
      // high = b0 b1 b2, low = b3 b4 b5 b6 (an int32: its sign bit is b3's top bit).
      const b0 = high >>> 16;
      if (b0 >= 16) {
        const shift = 27 - Math.clz32(b0);
        out[k] = (high * HIGH_SCALE[shift] + (low >>> shift)) * OUT_SCALE[shift];
        continue;
      }
      // seedrandom's state after the seventh byte: n = b0..b5 256, d = 2^56, x = b6.
      let n = (high * 2 ** 24 + (low >>> 8)) * 256;
      let d = 2 ** 56;
      let x = low & 255;
      while (n < SIGNIFICANCE) {
        n = (n + x) * 256;
        d *= 256;
        i = (i + 1) & 255;
        t = s[i];
        j = (j + t) & 255;
        u = s[j];
        s[i] = u;
        s[j] = t;
        x = s[(u + t) & 255];
      }
      while (n >= OVERFLOW) {
        n /= 2;
        d /= 2;
        x >>>= 1;
      }
      out[k] = (n + x) / d;
    }
    this.i = i;
    this.j = j;
  }
}
