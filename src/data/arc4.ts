const CHUNKS = 6;
const START_DENOM = 2 ** 48;
const SIGNIFICANCE = 2 ** 52;
const OVERFLOW = 2 ** 53;

/**
 * seedrandom's generator for `seed`: the same numbers as `seedrandom(seed).double()`, drawn
 * several times faster. seedrandom (3.0.5) draws byte by byte through a method call per byte on a
 * plain array, and keys every generator through strings and a global entropy pool; here the key
 * schedule is seedrandom's, written out on a Uint8Array, and `fill` draws a whole block of doubles
 * in one loop with the ARC4 indices in locals, with seedrandom's arithmetic unchanged (six bytes,
 * then more until 52 bits are filled, then the shift that keeps it below 1). Every run draws its
 * data from these: at d = 16 a run of 400 points takes 6,400 normals, and a run keys four streams.
 * seedrandom itself stays the tests' reference (test/data/random.test.ts).
 */
export class Arc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(seed: string) {
    // seedrandom's mixkey: the key is the seed's characters smeared into at most 256 bytes.
    const key: number[] = [];
    let smear = 0;
    for (let k = 0; k < seed.length; k++) {
      smear ^= (key[k & 255] ?? 0) * 19;
      key[k & 255] = (smear + seed.charCodeAt(k)) & 255;
    }
    if (key.length === 0) key.push(0);
    // ARC4's key schedule, then the 256 bytes seedrandom drops (RC4-drop[256]).
    const s = this.s;
    for (let i = 0; i < 256; i++) s[i] = i;
    // key[at] is key[i % key.length], without a division per byte.
    for (let i = 0, j = 0, at = 0; i < 256; i++, at = at + 1 === key.length ? 0 : at + 1) {
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
   * randomness in every bit of the mantissa (seedrandom's `double`, one call per element).
   */
  fill(out: Float64Array, from: number, to: number): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = from; k < to; k++) {
      let n = 0;
      // ARC4's byte step is written out in both loops (not a method) so that i and j stay in locals.
      for (let c = 0; c < CHUNKS; c++) {
        i = (i + 1) & 255;
        const t = s[i];
        j = (j + t) & 255;
        const u = s[j];
        s[i] = u;
        s[j] = t;
        n = n * 256 + s[(u + t) & 255];
      }
      let d = START_DENOM;
      let x = 0;
      while (n < SIGNIFICANCE) {
        n = (n + x) * 256;
        d *= 256;
        i = (i + 1) & 255;
        const t = s[i];
        j = (j + t) & 255;
        const u = s[j];
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
