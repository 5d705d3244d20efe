// Box-Muller's transform of uniforms into normals, as src/data/box-muller.ts's JavaScript twin (its
// reference) takes them, with V8's Math.log, Math.sin and Math.cos ported operation for operation
// (fdlibm.ts): compiled into dist/arc4.wasm, where the seeded streams' uniforms are drawn, so that
// a block of normals leaves WebAssembly once. Every run's data passes here (6,400 normals a run
// at d = 16, 1.6 million a worker of 256 runs).

import { cosOf, fdlibmLog, fdlibmSinCos, logIsPlain, logPlain, sinCosPlain, sinOf } from './fdlibm';

/** 2 pi, as JavaScript's 2 * Math.PI (doubling is exact). */
const TWO_PI: f64 = 6.283185307179586;

/**
 * Each pair (u1, u2) of the `count` float64s at `at` (count even) becomes (r cos theta,
 * r sin theta), r = sqrt(-2 log(1 - u1)), theta = 2 pi u2, rounded as the JavaScript computes
 * them. Logarithm, sine and cosine take their branch-free forms (fdlibm.ts's logPlain and
 * sinCosPlain) where those cover the arguments, that is for all but about one pair in 10^5, and
 * the exact forms otherwise (also for u outside [0, 1), NaN included): the same numbers either
 * way, for u2 up to 2^18 (theta within 2^20 pi/2, the reach of the ported sin and cos).
 */
export function boxMuller(at: usize, count: i32): void {
  for (let k = 0; k < count; k += 2) {
    const p = at + ((<usize>k) << 3);
    const v = 1.0 - load<f64>(p);
    const theta = TWO_PI * load<f64>(p, 8);
    const r = sqrt<f64>(-2.0 * (logIsPlain(v) ? logPlain(v) : fdlibmLog(v)));
    if (!sinCosPlain(theta)) fdlibmSinCos(theta);
    store<f64>(p, r * cosOf);
    store<f64>(p, r * sinOf, 8);
  }
}
