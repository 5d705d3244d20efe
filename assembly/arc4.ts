// seedrandom's doubles from an ARC4 state, as src/data/arc4.ts's `fill` draws them (its JavaScript
// twin and reference, operation for operation): a module of its own (dist/arc4.wasm, built by
// scripts/build-wasm.mjs), which src/data/arc4-wasm.ts loads below the engine's kernels. Every run
// draws thousands of doubles, seven ARC4 byte steps each; here the state's bytes are read and
// written without the typed-array bounds checks of JavaScript, 1.6x its draws (measured).
//
// Linear memory, one page, nothing allocated: the state's 256 bytes at 0, its indices i and j at
// 256 and 257, the doubles out from 1024 on (ARC4_CAPACITY of them per call).

import { boxMuller } from './box-muller';

const STATE: usize = 0;
const OUT: usize = 1024;
const SIGNIFICANCE: f64 = 4503599627370496.0; // 2^52
const OVERFLOW: f64 = 9007199254740992.0; // 2^53

/** Doubles one call writes at most: what fits in the page after OUT. */
export const ARC4_CAPACITY: i32 = 7936;

/** 2^e for an exponent e of a normal double. */
@inline
function pow2(e: i32): f64 {
  return reinterpret<f64>(<u64>(1023 + e) << 52);
}

/**
 * The stream's next `count` doubles at OUT, the state moved on past them. b0..b6 are each double's
 * first seven bytes: when b0 >= 16 the double is the 56-bit integer b0..b6 shifted right by
 * k = 27 - clz(b0), times 2^(k - 56), both exact (arc4.ts's fill says why that is seedrandom's
 * number); otherwise seedrandom's loops run on from its state after the seventh byte.
 */
export function arc4Fill(count: i32): void {
  let i: u32 = load<u8>(STATE + 256);
  let j: u32 = load<u8>(STATE + 257);
  let t: u32;
  let u: u32;
  for (let k = 0; k < count; k++) {
    // Seven byte steps, written out as in arc4.ts.
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    let high: u32 = load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    high = (high << 8) | load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    high = (high << 8) | load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    let low: u32 = load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    low = (low << 8) | load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    low = (low << 8) | load<u8>(STATE + ((u + t) & 255));
    i = (i + 1) & 255;
    t = load<u8>(STATE + i);
    j = (j + t) & 255;
    u = load<u8>(STATE + j);
    store<u8>(STATE + i, u);
    store<u8>(STATE + j, t);
    low = (low << 8) | load<u8>(STATE + ((u + t) & 255));
    // high = b0 b1 b2, low = b3 b4 b5 b6.
    const b0 = high >>> 16;
    let value: f64;
    if (b0 >= 16) {
      const shift = 27 - <i32>clz<u32>(b0);
      const m = ((<u64>high << 32) | <u64>low) >> <u64>shift;
      value = <f64>m * pow2(shift - 56);
    } else {
      // seedrandom's state after the seventh byte: n = b0..b5 256, d = 2^56, x = b6.
      let n: f64 = (<f64>high * 16777216.0 + <f64>(low >>> 8)) * 256.0;
      let d: f64 = pow2(56);
      let x: u32 = low & 255;
      while (n < SIGNIFICANCE) {
        n = (n + <f64>x) * 256.0;
        d *= 256.0;
        i = (i + 1) & 255;
        t = load<u8>(STATE + i);
        j = (j + t) & 255;
        u = load<u8>(STATE + j);
        store<u8>(STATE + i, u);
        store<u8>(STATE + j, t);
        x = load<u8>(STATE + ((u + t) & 255));
      }
      while (n >= OVERFLOW) {
        n /= 2.0;
        d /= 2.0;
        x >>>= 1;
      }
      value = (n + <f64>x) / d;
    }
    store<f64>(OUT + (<usize>k << 3), value);
  }
  store<u8>(STATE + 256, <u8>i);
  store<u8>(STATE + 257, <u8>j);
}

/**
 * The stream's next `count` doubles (even) at OUT as normals, pair by pair through Box-Muller
 * (box-muller.ts): the numbers of `arc4Fill` then src/data/box-muller.ts's `boxMuller`.
 */
export function arc4Normals(count: i32): void {
  arc4Fill(count);
  boxMuller(OUT, count);
}

/** Box-Muller over `count` doubles (even) at OUT, written there by the caller: for the tests. */
export function arc4BoxMuller(count: i32): void {
  boxMuller(OUT, count);
}
