/** xorshift128: fast, seeded, 32-bit words (the inputs of the tests that hold a kernel to JavaScript on millions of values). */
export function words(seed: number) {
  let [a, b, c, d] = [seed, 0x9e3779b9, 0x243f6a88, 0xb7e15162];
  return () => {
    const t = a ^ (a << 11);
    [a, b, c] = [b, c, d];
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
}
