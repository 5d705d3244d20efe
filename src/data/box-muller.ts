/**
 * Box-Muller in place: each pair (u1, u2) of a[from..to) (to - from even) becomes
 * (r cos theta, r sin theta), r = sqrt(-2 log(1 - u1)), theta = 2 pi u2;
 * 1 - u1 keeps the logarithm's argument in (0, 1]. The reference of the WebAssembly transform
 * (assembly/box-muller.ts, which draws most of a run's normals), and what transforms small blocks
 * and everything where WebAssembly is off.
 */
export function boxMuller(a: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - a[k]));
    const theta = 2 * Math.PI * a[k + 1];
    a[k] = r * Math.cos(theta);
    a[k + 1] = r * Math.sin(theta);
  }
}
