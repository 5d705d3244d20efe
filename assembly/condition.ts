// The condition check's passes over a block (src/engine/native/condition-bound.ts), on blocks in
// linear memory: the same float64 operations in the same order as their JavaScript twins
// (condition-bound.ts `shiftSums`, ground/triangular-bounds.ts `relativeDrift`), so the check's
// bounds do not depend on which of the two ran.

/** condition-bound.ts's V = 2^-24 (1 + 2^-20) and TINY = 2^-148, from their bits. */
const V: f64 = reinterpret<f64>(((<u64>(1023 - 24)) << 52) | ((<u64>1) << 32));
const TINY: f64 = reinterpret<f64>((<u64>(1023 - 148)) << 52);

/**
 * For the float32 block m (d x d row-major, upper triangle not read for its value) and an anchor
 * whose entries below the diagonal are float32 values, at a (float32, d x d row-major, its
 * diagonal not read), with its float64 diagonal at diagonal (d float64): out[0] = sum_i (m_ii -
 * a_ii)^2 and out[2] = sum_i (V |m_ii| + TINY)^2 in float64, and out[1] an upper bound on
 * sum_{j < i} (m_ij - a_ij)^2 taken in float32 SIMD, four entries an instruction (condition-bound.ts
 * `offSquares` proves its margin), into four f32x4 sums: below FLAT_BELOW the block's quads with
 * entries below its diagonal (`conditionMasks`'s list), entry f into lane f mod 16, the entries
 * outside the strict lower triangle zeroed by the masks at masks; from it on four rows at a time,
 * row i into sum i mod 4 and column j into its lane j mod 4 (`offShift`). Returns block k's
 * additive bound from them for slack 0, ROUNDED or SIGMA (`shiftBound`: condition-bound.ts
 * `additive`'s operations), its anchor's lo and hi at lows + 8 k and highs + 8 k, their square
 * roots at roots + 16 k: one call per block where the step bounds its blocks one by one.
 */
export function conditionShift(
  d: i32,
  m: usize,
  a: usize,
  diagonal: usize,
  masks: usize,
  out: usize,
  k: i32,
  slack: i32,
  lows: usize,
  highs: usize,
  roots: usize,
): f64 {
  shift(d, m, a, diagonal, masks, out);
  return shiftBound(d, out, m, <usize>k, slack, lows, highs, 0, roots);
}

/**
 * Below this d `shift` reads each block whole, d^2 float32 values four at a time in one loop, the
 * entries outside the strict lower triangle zeroed by `conditionMasks`'s masks (at d = 8 a row
 * loop's bookkeeping costs more than the extra reads); from it on, four rows at a time, their
 * quads left of the diagonal only (`offShift`: four independent sums, no list to read). At d = 16
 * the classifier's `tril` check took 6.5% to 7.2% of its step that way against 7.0% to 8.0% whole
 * (condition-cost.mjs, two runs each). condition-bound.ts `offSquares` follows the same choice.
 */
const FLAT_BELOW: i32 = 16;

/**
 * Below this d `shift` reads `conditionMasks`'s quads written out for each d (`offShift`): the same
 * quads into the same sums in the same order, with the masks as constants, not a loop over the
 * list. At d = 3 to 7 a block's pass took 4 to 6 ns less of its 25 to 33 (on-CPU, the classifier's
 * `tril` in training); the list's loops, one per sum with its own count, were a fifth of it.
 */
const LISTED_FROM: i32 = 8;

/**
 * For `shift` below FLAT_BELOW: at masks, ceil(d^2 / 4) v128 masks, lane l of mask c all ones
 * where entry 4c + l of a row-major d x d block lies below its diagonal, zeros elsewhere (past
 * the block too); after them (at `quadList`) the quads `shift` reads: four u32 counts, one per sum
 * s (the quads c with c mod 4 = s), then the byte offsets 16 c of sum 0's quads in ascending c,
 * then sum 1's, 2's and 3's. A quad whose mask is all zeros is left out: its squares are +0, and
 * adding +0 to a sum of non-negative float32 values (or NaN, or Infinity) leaves it as it was, so
 * the sums are those of every quad, bit for bit, at about half the quads at d = 8 to 15 (d = 8:
 * 10 of 16). Every quad listed is whole: for an odd d the last quad holds d^2 mod 4 = 1 entry, the
 * last diagonal one, and so is never listed (nothing past the block is read).
 */
export function conditionMasks(d: i32, masks: usize): void {
  const dd = d * d;
  const quads = (dd + 3) >> 2;
  for (let f = 0; f < quads << 2; f++) {
    const below = f < dd && f % d < f / d;
    store<u32>(masks + ((<usize>f) << 2), below ? 0xffffffff : 0);
  }
  const list = quadList(d, masks);
  let at = list + 16;
  for (let s = 0; s < 4; s++) {
    let count: u32 = 0;
    for (let c = s; c < quads; c += 4) {
      // Row i = 4c / d holds entries 4c .. 4c + 3 of the quad's first; one lies below the diagonal
      // where some column of the quad is left of its row's diagonal.
      let any = false;
      for (let f = c << 2; f < (c << 2) + 4 && f < dd; f++) if (f % d < f / d) any = true;
      if (!any) continue;
      store<u32>(at, c << 4);
      at += 4;
      count++;
    }
    store<u32>(list + ((<usize>s) << 2), count);
  }
}

/** Where `conditionMasks` put its list of quads: right after the masks (condition-wasm.ts sizes the region). */
@inline
function quadList(d: i32, masks: usize): usize {
  return masks + ((<usize>((d * d + 3) >> 2)) << 4);
}

/** `conditionShifts`'s slacks (condition-bound.ts SLACK) other than `exact` (0): `rounded-diagonal`, `cholesky`. */
const ROUNDED: i32 = 1;
const SIGMA: i32 = 2;
/** `rounded-diagonal` read on its raw blocks (their diagonals log L's): condition-bound.ts `rawAdditive`. */
const RAW: i32 = 3;
/** condition-bound.ts `rawAdditive`'s margins 2^-42, 2^-1000 and 1 + 2^-40, from their bits. */
const EXP_ERROR: f64 = reinterpret<f64>((<u64>(1023 - 42)) << 52);
const EXP_FLOOR: f64 = reinterpret<f64>((<u64>(1023 - 1000)) << 52);
const ROUNDING: f64 = 1 + reinterpret<f64>((<u64>(1023 - 40)) << 52);

/**
 * `conditionShift` of blocks k = first .. first + count - 1, one call for a step's many (a call
 * costs about what one block's pass does at d = 8): block k at m + 4 d^2 k against the anchor at
 * a + 4 d^2 k with its diagonal at diagonal + 8 d k, its sums at out + 32 k, and after them the
 * bound condition-bound.ts `additive` makes of them for slack `slack` (0, ROUNDED, SIGMA) and
 * the anchor's lo and hi (lows + 8 k, highs + 8 k; their square roots at roots + 16 k), with the
 * same float64 operations in the same order. Blocks whose flag (a float32 at flags + 4 k, `conditionRows`'s) is not 0 are skipped,
 * their sums and bound left as they were: those go straight to the relative bound, which
 * `conditionRows` makes the sums of (its own squares included), and nothing reads theirs here
 * (near the limit, a rounded diagonal's blocks all do: this pass was a third of the check there).
 */
export function conditionShifts(
  d: i32,
  m: usize,
  a: usize,
  diagonal: usize,
  masks: usize,
  first: i32,
  count: i32,
  out: usize,
  lows: usize,
  highs: usize,
  slack: i32,
  flags: usize,
  raws: usize,
  roots: usize,
): void {
  shifts(d, m, a, diagonal, masks, first, count, out, lows, highs, slack, flags, raws, roots, false, 0, 0, 0, 0, 0);
}

/**
 * `conditionShifts` (slack 0, ROUNDED or SIGMA: not RAW) then `conditionClear` without `raw`, in one
 * call: after the pass, each block's clearing in ascending k (`settle`) on the bound it has then (a
 * block whose flag is set, the one it was left with, as `conditionClear` reads it), so the same
 * blocks cleared, bounds, counts and pending list as the two calls'. `conditionClear`'s tests
 * without `raw` read neither `conditionRows`' sums nor the flags, so running them before
 * `conditionRows` changes nothing. On-CPU at d = 4 (StepConditionBound.blocks, 128 blocks, all
 * cleared), 16.3 ns a block against the two calls' 17.0; 15.2 with the gated limits (one
 * comparison, `settle`). Clearing each pair of blocks right after its bounds, in the pass's own
 * loop, was slower: 18.9.
 */
export function conditionShiftsClear(
  d: i32,
  m: usize,
  a: usize,
  diagonal: usize,
  masks: usize,
  first: i32,
  count: i32,
  out: usize,
  lows: usize,
  highs: usize,
  slack: i32,
  flags: usize,
  roots: usize,
  gated: usize,
  served: usize,
  bounds: usize,
  pending: usize,
  left: i32,
): i32 {
  return shifts(d, m, a, diagonal, masks, first, count, out, lows, highs, slack, flags, 0, roots, true, gated, served, bounds, pending, left);
}

/**
 * `conditionShifts`, and with `clearing` (a constant at each call: the other's code folds away)
 * `conditionShiftsClear`'s clearing of each block after its bound (`settle`). Returns how many
 * it cleared.
 */
@inline
function shifts(
  d: i32,
  m: usize,
  a: usize,
  diagonal: usize,
  masks: usize,
  first: i32,
  count: i32,
  out: usize,
  lows: usize,
  highs: usize,
  slack: i32,
  flags: usize,
  raws: usize,
  roots: usize,
  clearing: bool,
  gated: usize,
  served: usize,
  bounds: usize,
  pending: usize,
  left: i32,
): i32 {
  const dd = <usize>(d * d);
  // Blocks cleared so far (`settle`): block k's place in the pending list is left + (k - first) - n.
  let n = 0;
  const base = pending + ((<usize>left) << 2) - ((<usize>first) << 2);
  const end = <usize>(first + count);
  // Each slack's bound reads only some of the diagonal's sums (condition-bound.ts `additive`,
  // `rawAdditive`); condition-bound.ts reads none of the others (`shifted`: a rounded diagonal's
  // raw blocks get theirs from the factor, `diagonalSums`).
  const diagonals = slack == RAW ? NO_DIAGONAL : slack == ROUNDED ? ALL : SQUARES;
  if (d < APART_FROM) {
    // Two blocks at a time: their sums in the lanes of f64x2 (`offPair`, `diagonalPair`), then in
    // a loop of its own their two bounds' square roots and divisions (`pairBound`; each lane's
    // operations are the scalar's, so the same bits) and each block's clearing: a pair's bound is
    // a chain of dependent operations whose latency the sums of the next pairs hid poorly in one
    // loop. On-CPU at d = 4 (kbench of 128 blocks, alternated): 10.6 to 11.4 ns a block against
    // 12.2 to 14.0 with each pair's sums and bound in turn. A pair with a block whose flag is set,
    // and every block with RAW, takes `shiftBound` block by block in the first loop.
    let k = <usize>first;
    for (; k + 1 < end; k += 2) {
      const o = out + (k << 5);
      const mk = m + ((dd * k) << 2);
      const ak = a + ((dd * k) << 2);
      const gk = diagonal + ((<usize>d * k) << 3);
      if (slack == RAW || !both(flags, k)) {
        for (let j: usize = 0; j < 2; j++) {
          if (load<f32>(flags + ((k + j) << 2)) != 0) continue;
          const oj = o + (j << 5);
          const mj = mk + ((dd * j) << 2);
          offShift(d, mj, ak + ((dd * j) << 2), masks, oj);
          if (diagonals != NO_DIAGONAL) diagonalShift(d, mj, gk + ((<usize>d * j) << 3), oj, diagonals);
          store<f64>(oj, shiftBound(d, oj, mj, k + j, slack, lows, highs, raws, roots), 24);
        }
        continue;
      }
      const m1 = mk + (dd << 2);
      storePair(o, 8, offPair(d, offSums(d, mk, ak, masks), offSums(d, m1, ak + (dd << 2), masks)));
      diagonalPair(d, mk, m1, gk, o, diagonals);
    }
    if (k < end && load<f32>(flags + (k << 2)) == 0) {
      const o = out + (k << 5);
      const mk = m + ((dd * k) << 2);
      offShift(d, mk, a + ((dd * k) << 2), masks, o);
      if (diagonals != NO_DIAGONAL) diagonalShift(d, mk, diagonal + ((<usize>d * k) << 3), o, diagonals);
      store<f64>(o, shiftBound(d, o, mk, k, slack, lows, highs, raws, roots), 24);
    }
    // `conditionShiftsClear` never runs RAW: its blocks' bounds came from the first loop.
    if (slack == RAW) return n;
    k = <usize>first;
    for (; k + 1 < end; k += 2) {
      if (both(flags, k)) pairBound(out + (k << 5), k, slack, lows, highs, roots);
      if (clearing) {
        n = settle(k, n, out, gated, served, bounds, base);
        n = settle(k + 1, n, out, gated, served, bounds, base);
      }
    }
    if (clearing && k < end) n = settle(k, n, out, gated, served, bounds, base);
    return n;
  }
  // From APART_FROM on, in three loops over the blocks, each block's sums below its diagonal,
  // then on its diagonal, then its bound: within one block each is a chain of dependent additions
  // (or a sqrt and a division), across blocks independent, so that in loops of their own one
  // block's chain runs beside the next block's rather than after it (the same operations on each
  // block: the same bits).
  for (let k = <usize>first; k < end; k++) {
    if (load<f32>(flags + (k << 2)) != 0) continue;
    offShift(d, m + ((dd * k) << 2), a + ((dd * k) << 2), masks, out + (k << 5));
  }
  if (diagonals != NO_DIAGONAL)
    for (let k = <usize>first; k < end; k++) {
      if (load<f32>(flags + (k << 2)) != 0) continue;
      diagonalShift(d, m + ((dd * k) << 2), diagonal + ((<usize>d * k) << 3), out + (k << 5), diagonals);
    }
  for (let k = <usize>first; k < end; k++) {
    if (load<f32>(flags + (k << 2)) != 0) continue;
    const o = out + (k << 5);
    store<f64>(o, shiftBound(d, o, m + ((dd * k) << 2), k, slack, lows, highs, raws, roots), 24);
  }
  if (clearing) for (let k = <usize>first; k < end; k++) n = settle(k, n, out, gated, served, bounds, base);
  return n;
}

/**
 * `conditionClear` without `raw` on block k, n blocks cleared before it: cleared where the pass's
 * bound is within its gated limit (at gated + 8 k), its bound kept at bounds + 8 k and its count
 * at served + 4 k one up, or else listed at base + 4 (k - n). Returns n, one up where it cleared.
 */
@inline
function settle(k: usize, n: i32, out: usize, gated: usize, served: usize, bounds: usize, base: usize): i32 {
  const bound = load<f64>(out + (k << 5), 24);
  if (bound <= load<f64>(gated + (k << 3))) {
    store<u32>(served + (k << 2), load<u32>(served + (k << 2)) + 1);
    store<f64>(bounds + (k << 3), bound);
    return n + 1;
  }
  store<u32>(base + ((k - <usize>n) << 2), <u32>k);
  return n;
}

/**
 * condition-bound.ts `prepare`'s clearing (`shiftsCleared`), after `conditionShifts` and
 * `conditionRows` on blocks k = first .. first + count - 1 (all of live lanes), in one pass over
 * typed arrays in linear memory rather than JavaScript's loop: block k is cleared where the pass's
 * bound at out + 32 k + 24 is within its gated limit (a float64 at gated + 8 k: its limit where
 * that is finite and its gates are open, a live anchor whose additive bound it tries first and one
 * the pass reads, NaN elsewhere: condition-wasm.ts `regate`); else, with `raw` (a rounded
 * diagonal's raw blocks) where it `wants` its relative sums (a float32 at wants + 4 k, not 0) and
 * its limit (a float64 at limits + 8 k) is finite, where the bound since its last exact drift
 * (`rawSince`, at offs + 8 (2 d + 3) k + 8 (2 d + 2)) or else the one from its anchor
 * (`rawRelative`, the float64 before it) is within it. The same tests in the same order as
 * `shiftsCleared`'s (float64 comparisons: the same outcomes, NaN clearing nothing). A block cleared gets its bound at
 * bounds + 8 k and its count of clearings at served + 4 k (u32) one up (condition-bound.ts
 * `clears`' bookkeeping); every other goes to pending + 4 (left + its index among them). Returns
 * how many it cleared (count - that many pending).
 */
export function conditionClear(
  d: i32,
  first: i32,
  count: i32,
  out: usize,
  gated: usize,
  limits: usize,
  raw: bool,
  wants: usize,
  offs: usize,
  served: usize,
  bounds: usize,
  pending: usize,
  left: i32,
): i32 {
  const rows = <usize>(2 * d + 3) << 3;
  const relativeAt = <usize>(2 * d + 1) << 3;
  let n = 0;
  let p = pending + ((<usize>left) << 2);
  for (let k = <usize>first; k < <usize>(first + count); k++) {
    const limit = load<f64>(limits + (k << 3));
    const finite = limit != Infinity;
    const bound = load<f64>(out + (k << 5), 24);
    let clear = bound <= load<f64>(gated + (k << 3));
    let value = bound;
    if (!clear && raw && finite && load<f32>(wants + (k << 2)) != 0) {
      const o = offs + rows * k + relativeAt;
      const relative = load<f64>(o);
      const since = load<f64>(o, 8);
      clear = since <= limit || relative <= limit;
      value = since <= limit ? since : relative;
    }
    if (clear) {
      store<u32>(served + (k << 2), load<u32>(served + (k << 2)) + 1);
      store<f64>(bounds + (k << 3), value);
      n++;
    } else {
      store<u32>(p, <u32>k);
      p += 4;
    }
  }
  return n;
}

/** From this d on `conditionShifts` runs its three passes in loops of their own (below it, one loop). */
const APART_FROM: i32 = 8;

/**
 * Block k's bound (condition-bound.ts `additive`, or `rawAdditive` for RAW) from its sums at o
 * and its anchor's lo and hi (lows + 8 k, highs + 8 k; their square roots at roots + 16 k).
 */
@inline
function shiftBound(
  d: i32,
  o: usize,
  mk: usize,
  k: usize,
  slack: i32,
  lows: usize,
  highs: usize,
  raws: usize,
  roots: usize,
): f64 {
  const squares = load<f64>(o);
  const off = load<f64>(o, 8);
  // sqrt(lo) and sqrt(hi) as the anchor's `extremes` left them at roots + 16 k (the same bits).
  const reach = load<f64>(roots + (k << 4));
  const top = load<f64>(roots + (k << 4), 8);
  let bound: f64 = Infinity;
  if (slack == RAW) bound = rawAdditive(d, mk, raws + ((<usize>(3 * d) * k) << 3), off, reach, top);
  else if (slack == SIGMA) {
    const lo = load<f64>(lows + (k << 3));
    const hi = load<f64>(highs + (k << 3));
    const e = Math.sqrt(squares + 2 * off);
    if (lo > e) bound = (hi + e) / (lo - e);
  } else {
    const e = Math.sqrt(squares + off) + (slack == ROUNDED ? Math.sqrt(load<f64>(o, 16)) : 0);
    if (reach > e) {
      const q = (top + e) / (reach - e);
      bound = q * q;
    }
  }
  return bound;
}

/**
 * `shiftBound` of blocks k and k + 1 (slack 0, ROUNDED or SIGMA; their sums at o and o + 32), in
 * the two lanes of f64x2: each lane's square root, division and the rest are the scalar's
 * operations on the same operands in the same order (IEEE 754 lane by lane), so the same bits.
 */
@inline
function pairBound(o: usize, k: usize, slack: i32, lows: usize, highs: usize, roots: usize): void {
  const squares = pair(o, 0);
  const off = pair(o, 8);
  let bound: v128;
  if (slack == SIGMA) {
    const lo = v128.load(lows + (k << 3));
    const hi = v128.load(highs + (k << 3));
    const e = f64x2.sqrt(f64x2.add(squares, f64x2.mul(f64x2.splat(2), off)));
    bound = v128.bitselect(f64x2.div(f64x2.add(hi, e), f64x2.sub(lo, e)), f64x2.splat(Infinity), f64x2.gt(lo, e));
  } else {
    // The roots' pairs (sqrt lo, sqrt hi) of blocks k and k + 1, as reach and top pairs.
    const r0 = v128.load(roots + (k << 4));
    const r1 = v128.load(roots + (k << 4), 16);
    const reach = v128.shuffle<f64>(r0, r1, 0, 2);
    const top = v128.shuffle<f64>(r0, r1, 1, 3);
    const e = f64x2.add(
      f64x2.sqrt(f64x2.add(squares, off)),
      slack == ROUNDED ? f64x2.sqrt(pair(o, 16)) : f64x2.splat(0),
    );
    const q = f64x2.div(f64x2.add(top, e), f64x2.sub(reach, e));
    bound = v128.bitselect(f64x2.mul(q, q), f64x2.splat(Infinity), f64x2.gt(reach, e));
  }
  storePair(o, 24, bound);
}

/** The float64 at o + offset and the one 32 bytes after it (two blocks' same sum), as an f64x2. */
@inline
function pair(o: usize, offset: usize): v128 {
  return f64x2.replace_lane(f64x2.splat(load<f64>(o + offset)), 1, load<f64>(o + offset + 32));
}

/** Whether the flags (float32 at flags + 4 k, `conditionRows`') of blocks k and k + 1 are both 0. */
@inline
function both(flags: usize, k: usize): bool {
  return load<f32>(flags + (k << 2)) == 0 && load<f32>(flags + (k << 2), 4) == 0;
}

/** Lane 0 of x to o + offset (block k's sums) and lane 1 to o + offset + 32 (block k + 1's). */
@inline
function storePair(o: usize, offset: usize, x: v128): void {
  store<f64>(o + offset, f64x2.extract_lane(x, 0));
  store<f64>(o + offset, f64x2.extract_lane(x, 1), 32);
}

/**
 * condition-bound.ts `rawAdditive` (its twin, the same float64 operations in the same order): the
 * additive bound of a rounded diagonal's block from its raw diagonal (m_ii = log L_ii) and its
 * anchor's (raws: d raw diagonal entries, then d c_i, then d b_i, float64), off the pass's bound
 * on the squares below the diagonal, reach and top the square roots of the anchor's lo and hi.
 */
@inline
function rawAdditive(d: i32, m: usize, raws: usize, off: f64, reach: f64, top: f64): f64 {
  let diagonal: f64 = 0;
  const n = <usize>d << 3;
  for (let i = 0; i < d; i++) {
    const r = <usize>i << 3;
    const x = Math.abs(<f64>load<f32>(m + ((<usize>(i * (d + 1))) << 2)) - load<f64>(raws + r));
    if (!(x <= 0.5)) return Infinity;
    const t = (load<f64>(raws + n + r) * (x + x * x + EXP_ERROR) + load<f64>(raws + 2 * n + r) + EXP_FLOOR) * ROUNDING;
    diagonal += t * t;
  }
  const e = Math.sqrt(off + diagonal);
  if (!(reach > e)) return Infinity;
  const q = (top + e) / (reach - e);
  return q * q;
}

/** `shift`'s diagonal sums: none (a rounded diagonal's raw blocks: `rawAdditive` reads its own), out[0] alone, out[0] and out[2]. */
const NO_DIAGONAL: i32 = 0;
const SQUARES: i32 = 1;
const ALL: i32 = 2;

/** `conditionShift`'s sums: below the diagonal (`offShift`), then on it (`diagonalShift`). */
@inline
function shift(d: i32, m: usize, a: usize, diagonal: usize, masks: usize, out: usize): void {
  offShift(d, m, a, masks, out);
  diagonalShift(d, m, diagonal, out, ALL);
}

/** `masked` with its mask given: the quad at byte offset o of the block m and its anchor a. */
@inline
function quad(m: usize, a: usize, o: usize, mask: v128): v128 {
  return squared(v128.and(f32x4.sub(v128.load(m + o), v128.load(a + o)), mask));
}

/** `conditionShift`'s out[1], the bound on the squares below the diagonal (`offSums`' lanes added, then `widen`). */
@inline
function offShift(d: i32, m: usize, a: usize, masks: usize, out: usize): void {
  const v = offSums(d, m, a, masks);
  const sum =
    f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  store<f64>(out, widen(sum, belowDiagonal(d)), 8);
}

/**
 * `offShift` of two blocks from their `offSums` v and w, in the lanes of f64x2: each block's lanes
 * added in `offShift`'s order ((0 + 1) + (2 + 3), IEEE 754 lane by lane), then `widen`'s
 * operations on both, so the same bits (four shuffles and two additions for the two blocks, where
 * each took four extractions and three additions).
 */
@inline
function offPair(d: i32, v: v128, w: v128): v128 {
  // (v0 + v1, v2 + v3, w0 + w1, w2 + w3), then (v0 + v1) + (v2 + v3) and w's in lanes 0 and 1.
  const halves = f32x4.add(v128.shuffle<f32>(v, w, 0, 2, 4, 6), v128.shuffle<f32>(v, w, 1, 3, 5, 7));
  const sums = f32x4.add(v128.shuffle<f32>(halves, halves, 0, 2, 0, 2), v128.shuffle<f32>(halves, halves, 1, 3, 1, 3));
  const n = belowDiagonal(d);
  const widened = f64x2.add(f64x2.promote_low_f32x4(sums), f64x2.splat(subnormals(n)));
  return f64x2.mul(f64x2.mul(widened, f64x2.splat(roundings(n))), f64x2.splat(UNSCALE));
}

/**
 * The sums `offShift` adds: lane l of the result the float32 sum of the squares in its lanes l of
 * s0, s1, s2 and s3, as (s0 + s1) + (s2 + s3).
 */
@inline
function offSums(d: i32, m: usize, a: usize, masks: usize): v128 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  if (d < LISTED_FROM) {
    // `conditionMasks`'s list at each d: quad c (entries 4c .. 4c + 3 of the row-major block)
    // into sum c mod 4 in ascending c, its mask's lanes -1 below the diagonal. condition-batch.test.ts
    // holds every d's sums to the JavaScript twin's, upper triangles not zero.
    if (d == 3) {
      s0 = f32x4.add(s0, quad(m, a, 0, i32x4(0, 0, 0, -1)));
      s1 = f32x4.add(s1, quad(m, a, 16, i32x4(0, 0, -1, -1)));
    } else if (d == 4) {
      s1 = f32x4.add(s1, quad(m, a, 16, i32x4(-1, 0, 0, 0)));
      s2 = f32x4.add(s2, quad(m, a, 32, i32x4(-1, -1, 0, 0)));
      s3 = f32x4.add(s3, quad(m, a, 48, i32x4(-1, -1, -1, 0)));
    } else if (d == 5) {
      s0 = f32x4.add(s0, quad(m, a, 64, i32x4(-1, -1, 0, 0)));
      s1 = f32x4.add(s1, quad(m, a, 16, i32x4(0, -1, 0, 0)));
      s1 = f32x4.add(s1, quad(m, a, 80, i32x4(-1, -1, -1, -1)));
      s2 = f32x4.add(s2, quad(m, a, 32, i32x4(0, 0, -1, -1)));
      s3 = f32x4.add(s3, quad(m, a, 48, i32x4(0, 0, 0, -1)));
    } else if (d == 6) {
      s0 = f32x4.add(s0, quad(m, a, 64, i32x4(0, 0, -1, -1)));
      s0 = f32x4.add(s0, quad(m, a, 128, i32x4(-1, -1, -1, 0)));
      s1 = f32x4.add(s1, quad(m, a, 16, i32x4(0, 0, -1, 0)));
      s1 = f32x4.add(s1, quad(m, a, 80, i32x4(-1, 0, 0, 0)));
      s2 = f32x4.add(s2, quad(m, a, 96, i32x4(-1, -1, -1, -1)));
      s3 = f32x4.add(s3, quad(m, a, 48, i32x4(-1, -1, 0, 0)));
      s3 = f32x4.add(s3, quad(m, a, 112, i32x4(0, 0, -1, -1)));
    } else {
      s0 = f32x4.add(s0, quad(m, a, 128, i32x4(0, 0, 0, -1)));
      s1 = f32x4.add(s1, quad(m, a, 16, i32x4(0, 0, 0, -1)));
      s1 = f32x4.add(s1, quad(m, a, 80, i32x4(0, -1, -1, -1)));
      s1 = f32x4.add(s1, quad(m, a, 144, i32x4(-1, -1, -1, -1)));
      s2 = f32x4.add(s2, quad(m, a, 160, i32x4(0, 0, -1, -1)));
      s3 = f32x4.add(s3, quad(m, a, 48, i32x4(0, 0, -1, -1)));
      s3 = f32x4.add(s3, quad(m, a, 112, i32x4(-1, -1, -1, -1)));
      s3 = f32x4.add(s3, quad(m, a, 176, i32x4(-1, -1, -1, -1)));
    }
  } else if (d < FLAT_BELOW) {
    // Entry f of the block (row-major) into lane f mod 16: quad c into sum c mod 4, in ascending c,
    // the quads with entries below the diagonal alone (`conditionMasks`'s list).
    const list = quadList(d, masks);
    let t = list + 16;
    let end = t + ((<usize>load<u32>(list)) << 2);
    for (; t < end; t += 4) {
      const o = <usize>load<u32>(t);
      s0 = f32x4.add(s0, masked(m + o, a + o, masks + o));
    }
    end += (<usize>load<u32>(list, 4)) << 2;
    for (; t < end; t += 4) {
      const o = <usize>load<u32>(t);
      s1 = f32x4.add(s1, masked(m + o, a + o, masks + o));
    }
    end += (<usize>load<u32>(list, 8)) << 2;
    for (; t < end; t += 4) {
      const o = <usize>load<u32>(t);
      s2 = f32x4.add(s2, masked(m + o, a + o, masks + o));
    }
    end += (<usize>load<u32>(list, 12)) << 2;
    for (; t < end; t += 4) {
      const o = <usize>load<u32>(t);
      s3 = f32x4.add(s3, masked(m + o, a + o, masks + o));
    }
  } else {
    // Four rows at a time (a strip), row i into sum i mod 4, column j into its lane j mod 4: the
    // strip's columns left of its first row's diagonal are whole quads of four rows, four
    // independent sums, no row's bookkeeping; its 4 x 4 block on the diagonal is three quads
    // with constant masks (its first row has nothing there). Each lane's terms come row by row,
    // left to right, as condition-bound.ts `offSquares` adds them. Rows one by one (their lengths,
    // 1 to d - 1, a loop and branches each) took the whole pass 226 to 229 ns a block at d = 32
    // and 640 at 64, in turn over 32 blocks; strips take 141 to 155 and 560 to 610.
    const row = (<usize>d) << 2;
    const strips = d >> 2;
    let mr = m;
    let ar = a;
    for (let s = 0; s < strips; s++) {
      const diagonalAt = (<usize>s) << 4;
      for (let o: usize = 0; o < diagonalAt; o += 16) {
        s0 = f32x4.add(s0, square(mr + o, ar + o));
        s1 = f32x4.add(s1, square(mr + row + o, ar + row + o));
        s2 = f32x4.add(s2, square(mr + 2 * row + o, ar + 2 * row + o));
        s3 = f32x4.add(s3, square(mr + 3 * row + o, ar + 3 * row + o));
      }
      s1 = f32x4.add(s1, quad(mr + row, ar + row, diagonalAt, i32x4(-1, 0, 0, 0)));
      s2 = f32x4.add(s2, quad(mr + 2 * row, ar + 2 * row, diagonalAt, i32x4(-1, -1, 0, 0)));
      s3 = f32x4.add(s3, quad(mr + 3 * row, ar + 3 * row, diagonalAt, i32x4(-1, -1, -1, 0)));
      mr += row << 2;
      ar += row << 2;
    }
    // A d that is not a multiple of 4 leaves 1 to 3 rows: row 4 strips + r (into sum r) has the
    // strips' whole quads and r columns more, loaded with zeros beside them (nothing past the
    // block is read: the last row's diagonal ends it).
    const whole = (<usize>strips) << 4;
    for (let r = 0; r < (d & 3); r++) {
      const mi = mr + (<usize>r) * row;
      const ai = ar + (<usize>r) * row;
      let q = r == 0 ? s0 : r == 1 ? s1 : s2;
      for (let o: usize = 0; o < whole; o += 16) q = f32x4.add(q, square(mi + o, ai + o));
      if (r != 0) q = f32x4.add(q, squared(f32x4.sub(partial(mi + whole, r), partial(ai + whole, r))));
      if (r == 0) s0 = q;
      else if (r == 1) s1 = q;
      else s2 = q;
    }
  }
  return f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
}

/**
 * `conditionShift`'s sums on the diagonal as `diagonals` asks: out[0] (SQUARES), or out[0] and
 * out[2] (ALL); the other left as it was (a slack whose bound does not read it, `conditionShifts`).
 * Entries i and i + 1 (i even) in the two lanes of f64x2 sums, the lanes added at the end, then
 * an odd d's last entry (condition-bound.ts `shiftSums` and `diagonalSums`, the same order): two
 * chains of d / 2 additions, not one of d.
 */
@inline
function diagonalShift(d: i32, m: usize, diagonal: usize, out: usize, diagonals: i32): void {
  const step = (<usize>(d + 1)) << 2;
  let squares = f64x2.splat(0);
  let rounded = f64x2.splat(0);
  let p = m;
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const mii = entries(p, p + step);
    const t = f64x2.sub(mii, v128.load(diagonal + ((<usize>i) << 3)));
    squares = f64x2.add(squares, f64x2.mul(t, t));
    if (diagonals == ALL) {
      const dii = roundedTerm(mii);
      rounded = f64x2.add(rounded, f64x2.mul(dii, dii));
    }
    p += step << 1;
  }
  let sq = f64x2.extract_lane(squares, 0) + f64x2.extract_lane(squares, 1);
  let ro = f64x2.extract_lane(rounded, 0) + f64x2.extract_lane(rounded, 1);
  if (i < d) {
    const mii = <f64>load<f32>(p);
    const t = mii - load<f64>(diagonal + ((<usize>i) << 3));
    sq += t * t;
    const dii = V * Math.abs(mii) + TINY;
    ro += dii * dii;
  }
  store<f64>(out, sq);
  if (diagonals == ALL) store<f64>(out, ro, 16);
}

/**
 * `diagonalShift` of the blocks m and m1 (their anchors' diagonals at diagonal and diagonal + 8 d,
 * their sums at o and o + 32) in the lanes of f64x2: entry i of both blocks in one f64x2, the even
 * entries' terms in one sum and the odd entries' in another, added, then an odd d's last entry's,
 * as `diagonalShift` adds them in its two lanes (the same operations in the same order): their
 * out[0] at o and o + 32, and where `diagonals` is ALL their out[2] at o + 16 and o + 48.
 */
@inline
function diagonalPair(d: i32, m: usize, m1: usize, diagonal: usize, o: usize, diagonals: i32): void {
  const step = (<usize>(d + 1)) << 2;
  const next = (<usize>d) << 3;
  let even = f64x2.splat(0);
  let odd = f64x2.splat(0);
  let roundedEven = f64x2.splat(0);
  let roundedOdd = f64x2.splat(0);
  let i = 0;
  for (; i + 1 < d; i += 2) {
    const at = <usize>i * step;
    const x0 = entries(m + at, m1 + at);
    const x1 = entries(m + at + step, m1 + at + step);
    // Entries i and i + 1 of the two anchors' diagonals, as (block, block + 1) pairs.
    const a = v128.load(diagonal + ((<usize>i) << 3));
    const a1 = v128.load(diagonal + next + ((<usize>i) << 3));
    const t0 = f64x2.sub(x0, v128.shuffle<f64>(a, a1, 0, 2));
    const t1 = f64x2.sub(x1, v128.shuffle<f64>(a, a1, 1, 3));
    even = f64x2.add(even, f64x2.mul(t0, t0));
    odd = f64x2.add(odd, f64x2.mul(t1, t1));
    if (diagonals == ALL) {
      const r0 = roundedTerm(x0);
      const r1 = roundedTerm(x1);
      roundedEven = f64x2.add(roundedEven, f64x2.mul(r0, r0));
      roundedOdd = f64x2.add(roundedOdd, f64x2.mul(r1, r1));
    }
  }
  let squares = f64x2.add(even, odd);
  let rounded = f64x2.add(roundedEven, roundedOdd);
  if (i < d) {
    const at = <usize>i * step;
    const x = entries(m + at, m1 + at);
    const a = f64x2.replace_lane(v128.load64_zero(diagonal + ((<usize>i) << 3)), 1, load<f64>(diagonal + next + ((<usize>i) << 3)));
    const t = f64x2.sub(x, a);
    squares = f64x2.add(squares, f64x2.mul(t, t));
    const r = roundedTerm(x);
    rounded = f64x2.add(rounded, f64x2.mul(r, r));
  }
  storePair(o, 0, squares);
  if (diagonals == ALL) storePair(o, 16, rounded);
}

/** V |m_ii| + TINY of two blocks' entries, in float64 (`diagonalShift`'s operations). */
@inline
function roundedTerm(mii: v128): v128 {
  return f64x2.add(f64x2.mul(f64x2.splat(V), f64x2.abs(mii)), f64x2.splat(TINY));
}

/** The float32 at p and the one at p1, as float64 in the two lanes of f64x2. */
@inline
function entries(p: usize, p1: usize): v128 {
  return f64x2.promote_low_f32x4(f32x4.replace_lane(v128.load32_zero(p), 1, load<f32>(p1)));
}

/** `square` with the entries outside the strict lower triangle zeroed by the mask at masks (their squares +0). */
@inline
function masked(m: usize, a: usize, masks: usize): v128 {
  return quad(m, a, 0, v128.load(masks));
}

/** (m - a)^2 of the four float32 values at m and a, in float32, scaled as `squared`. */
@inline
function square(m: usize, a: usize): v128 {
  return squared(f32x4.sub(v128.load(m), v128.load(a)));
}

/**
 * (2^32 t)^2 in float32: the scaling is exact, and keeps the squares of moves down to 2^-95 out of
 * float32's subnormals, whose arithmetic costs several times more (a block that moves by 1e-20 a
 * step); a move of norm 2^32 or more overflows to Infinity (no bound from this pass).
 */
@inline
function squared(t: v128): v128 {
  const s = f32x4.mul(t, f32x4.splat(SCALE));
  return f32x4.mul(s, s);
}

/** The first `part` (1 to 3) float32 values at p, zeros after them; nothing past them read. */
@inline
function partial(p: usize, part: i32): v128 {
  if (part == 1) return v128.load32_zero(p);
  const pair = v128.load64_zero(p);
  return part == 2 ? pair : f32x4.replace_lane(pair, 2, load<f32>(p, 8));
}

/**
 * condition-bound.ts `offSquares`'s margin: an upper bound on the exact sum of n squares whose
 * float32 sum (each difference, square and addition rounded to float32) is `sum`.
 */
@inline
function widen(sum: f32, n: f64): f64 {
  return (<f64>sum + subnormals(n)) * roundings(n) * UNSCALE;
}

/** How many entries a d x d block has below its diagonal, d (d - 1) / 2: `widen`'s n. */
@inline
function belowDiagonal(d: i32): f64 {
  return (<f64>d * <f64>(d - 1)) / 2;
}

/** `widen`'s allowance for n squares' rounding in float32's subnormals: n 2^-149. */
@inline
function subnormals(n: f64): f64 {
  return n * SUBNORMAL;
}

/** `widen`'s factor for the float32 roundings of n squares' differences, squares and sums: 1 + (n + 8) 2^-23. */
@inline
function roundings(n: f64): f64 {
  return 1 + (n + 8) * TWO_U;
}

/** `squared`'s scale 2^32 and its square's inverse 2^-64, from their bits. */
const SCALE: f32 = reinterpret<f32>((<u32>(127 + 32)) << 23);
const UNSCALE: f64 = reinterpret<f64>((<u64>(1023 - 64)) << 52);

/** float32's smallest subnormal 2^-149 and twice its unit roundoff 2^-23, from their bits. */
const SUBNORMAL: f64 = reinterpret<f64>((<u64>(1023 - 149)) << 52);
const TWO_U: f64 = reinterpret<f64>((<u64>(1023 - 23)) << 52);

/**
 * condition-bound.ts `driftMoves`: for the float32 block l and the float64 anchor a (d x d
 * row-major, upper triangles not read), rows (d float64) the norms of the rows of the anchor's
 * inverse W: out[0] = ||L - A||_F^2, out[1] = sum_i (sum_j |L - A|_ij rows_j (+ D_ii rows_i))^2,
 * and for a rounded diagonal out[2] = ||D||_F^2, out[3] = ||D W||_F^2 (D_ii = V |l_ii| + TINY).
 * `anchorRows`' sums below the diagonal (into sums, d + 1 float64), then each row's diagonal in
 * scalar sums (condition-bound.ts `movesFrom`'s operations).
 */
export function conditionMoves(d: i32, l: usize, a: usize, rows: usize, rounded: bool, sums: usize, out: usize): void {
  anchorRows(d, l, a, rows, sums);
  let diagonal: f64 = 0;
  let relative: f64 = 0;
  let dSquares: f64 = 0;
  let dwSquares: f64 = 0;
  for (let i = 0; i < d; i++) {
    const lii = <f64>load<f32>(l + ((<usize>(i * (d + 1))) << 2));
    const ri = load<f64>(rows + ((<usize>i) << 3));
    const t = lii - load<f64>(a + ((<usize>(i * (d + 1))) << 3));
    diagonal += t * t;
    let row = load<f64>(sums + ((<usize>(i + 1)) << 3)) + Math.abs(t) * ri;
    if (rounded) {
      const dii = V * Math.abs(lii) + TINY;
      dSquares += dii * dii;
      const dw = dii * ri;
      dwSquares += dw * dw;
      row += dw;
    }
    relative += row * row;
  }
  store<f64>(out, load<f64>(sums) + diagonal);
  store<f64>(out, relative, 8);
  store<f64>(out, dSquares, 16);
  store<f64>(out, dwSquares, 24);
}

/**
 * `conditionMoves` up to each row's diagonal, for blocks k = first .. first + count - 1 whose flag
 * (a float32 at flags + 4 k) is not 0, one call for a step's many: block k (float32) at m + 4 d^2 k, its
 * anchor (float64) at a + 8 d^2 k, the norms of its inverse's rows at rows + 8 d k. Into out +
 * 8 (2 d + 3) k: the off-diagonal squares (pairs' lanes, then the odd columns'), then per row i its
 * weighted sum before its diagonal's term (condition-bound.ts `movesFrom` adds the diagonal's
 * terms, from a factor whose diagonal this block may not have: a rounded one), then per row i
 * `conditionSince`'s sum before its diagonal's term, against the block when the exact drift last
 * ran (float32, at lasts + 4 d^2 k; condition-bound.ts `sinceFrom` adds the diagonal's), made only
 * where there is one (its eta, at etas + 8 k, below 1: nothing reads them otherwise). With `raw` (a
 * rounded diagonal's raw blocks, their diagonals log L's), after them the relative bound with the
 * diagonal's terms from the raw diagonal (condition-bound.ts `rawRelative`, its twin: the same
 * operations in the same order), from the anchor's `rawTerms` at raws + 24 d k and its lo and hi
 * at lows + 8 k and highs + 8 k, then the bound from the last exact drift with the diagonal's
 * terms from the raw diagonal (condition-bound.ts `rawSince`, Infinity without one), from that
 * drift's eta and the `rawTerms` of the block then at sinceRaws + 24 d k.
 *
 * With `raw`, the bound from the last exact drift comes first (as `conditionClear` tries them):
 * where it is within the block's limit (a float64 at limits + 8 k), the sums from the anchor are
 * not made and its relative bound is Infinity. Near the limit that bound clears most blocks (score
 * matching's precision-cholesky at d = 16: 4 in 5), and its pass reads half of what both do.
 */
export function conditionRows(
  d: i32,
  m: usize,
  a: usize,
  rows: usize,
  lasts: usize,
  flags: usize,
  first: i32,
  count: i32,
  out: usize,
  raw: bool,
  raws: usize,
  lows: usize,
  highs: usize,
  sinceRaws: usize,
  etas: usize,
  limits: usize,
): void {
  const dd = <usize>(d * d);
  const relativeAt = <usize>(2 * d + 1) << 3;
  for (let k = <usize>first; k < <usize>(first + count); k++) {
    if (load<f32>(flags + (k << 2)) == 0) continue;
    const l = m + ((dd * k) << 2);
    const rk = rows + ((<usize>d * k) << 3);
    const o = out + ((<usize>(2 * d + 3) * k) << 3);
    const eta = load<f64>(etas + (k << 3));
    const lo = raw ? load<f64>(lows + (k << 3)) : 0;
    const hi = raw ? load<f64>(highs + (k << 3)) : 0;
    if (eta < 1) {
      sinceRows(d, l, lasts + ((dd * k) << 2), rk, o + ((<usize>(d + 1)) << 3));
      if (raw) {
        const since = rawSince(d, l, sinceRaws + ((<usize>(3 * d) * k) << 3), rk, o + ((<usize>(d + 1)) << 3), eta, lo, hi);
        store<f64>(o + relativeAt, since, 8);
        if (since <= load<f64>(limits + (k << 3))) {
          store<f64>(o + relativeAt, Infinity);
          continue;
        }
      }
    } else if (raw) store<f64>(o + relativeAt, Infinity, 8);
    anchorRows(d, l, a + ((dd * k) << 3), rk, o);
    if (raw) store<f64>(o + relativeAt, rawRelative(d, l, raws + ((<usize>(3 * d) * k) << 3), rk, o + 8, lo, hi));
  }
}

/**
 * `conditionRows`' sums from the anchor for the float32 block l, its float64 anchor a and the
 * norms of its inverse's rows: into o the squares below the diagonal, into o + 8 (1 + i) row i's
 * weighted sum below its diagonal. Each row's columns in pairs in the lanes of f64x2 sums (the
 * squares over every row in one, the row's own in another, added at the row's end), then an odd
 * row's last column.
 */
@inline
function anchorRows(d: i32, l: usize, a: usize, rk: usize, o: usize): void {
  let pairs = f64x2.splat(0);
  let tail: f64 = 0;
  for (let i = 0; i < d; i++) {
    const lr = l + ((<usize>(i * d)) << 2);
    const ar = a + ((<usize>(i * d)) << 3);
    let weighted = f64x2.splat(0);
    let j = 0;
    for (; j + 1 < i; j += 2) {
      const t = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(lr + ((<usize>j) << 2))), v128.load(ar + ((<usize>j) << 3)));
      pairs = f64x2.add(pairs, f64x2.mul(t, t));
      weighted = f64x2.add(weighted, f64x2.mul(f64x2.abs(t), v128.load(rk + ((<usize>j) << 3))));
    }
    let row = f64x2.extract_lane(weighted, 0) + f64x2.extract_lane(weighted, 1);
    if (j < i) {
      const t = <f64>load<f32>(lr + ((<usize>j) << 2)) - load<f64>(ar + ((<usize>j) << 3));
      tail += t * t;
      row += Math.abs(t) * load<f64>(rk + ((<usize>j) << 3));
    }
    store<f64>(o + ((<usize>(i + 1)) << 3), row);
  }
  store<f64>(o, f64x2.extract_lane(pairs, 0) + f64x2.extract_lane(pairs, 1) + tail);
}

/**
 * `conditionRows`' sums since the last exact drift for the float32 blocks l and s (the block then)
 * and the norms of the anchor's inverse's rows: into o + 8 i row i's `sinceRow`.
 */
@inline
function sinceRows(d: i32, l: usize, s: usize, rk: usize, o: usize): void {
  for (let i = 0; i < d; i++)
    store<f64>(o + ((<usize>i) << 3), sinceRow(l + ((<usize>(i * d)) << 2), s + ((<usize>(i * d)) << 2), rk, i));
}

/**
 * sum_{j < i} |l_j - s_j| rows_j for row i of two float32 blocks (at lr and sr): its columns in
 * pairs in the lanes of an f64x2 (added at the row's end), then an odd row's last one
 * (`anchorRows`' order, and condition-bound.ts `sinceMoves`').
 */
@inline
function sinceRow(lr: usize, sr: usize, rows: usize, i: i32): f64 {
  let weighted = f64x2.splat(0);
  let j = 0;
  for (; j + 1 < i; j += 2) {
    const t = f64x2.sub(
      f64x2.promote_low_f32x4(v128.load64_zero(lr + ((<usize>j) << 2))),
      f64x2.promote_low_f32x4(v128.load64_zero(sr + ((<usize>j) << 2))),
    );
    weighted = f64x2.add(weighted, f64x2.mul(f64x2.abs(t), v128.load(rows + ((<usize>j) << 3))));
  }
  let row = f64x2.extract_lane(weighted, 0) + f64x2.extract_lane(weighted, 1);
  if (j < i) {
    const t = <f64>load<f32>(lr + ((<usize>j) << 2)) - <f64>load<f32>(sr + ((<usize>j) << 2));
    row += Math.abs(t) * load<f64>(rows + ((<usize>j) << 3));
  }
  return row;
}

/**
 * condition-bound.ts `rawRowSquares` from each row's sum below its diagonal (at sums + 8 i): sum_i
 * (that sum + the diagonal's term from the raw diagonal of m and raws times rows_i)^2, Infinity
 * past a term's reach (`rawRelative`'s and `rawSince`'s).
 */
@inline
function rawRowSquares(d: i32, m: usize, raws: usize, rows: usize, sums: usize): f64 {
  const n = <usize>d << 3;
  let squares: f64 = 0;
  for (let i = 0; i < d; i++) {
    const r = <usize>i << 3;
    const x = Math.abs(<f64>load<f32>(m + ((<usize>(i * (d + 1))) << 2)) - load<f64>(raws + r));
    if (!(x <= 0.5)) return Infinity;
    const t = (load<f64>(raws + n + r) * (x + x * x + EXP_ERROR) + load<f64>(raws + 2 * n + r) + EXP_FLOOR) * ROUNDING;
    const row = load<f64>(sums + r) + t * load<f64>(rows + r);
    squares += row * row;
  }
  return squares;
}

/**
 * condition-bound.ts `rawSince` (its twin, the same operations in the same order): the bound from
 * the last exact drift `eta`, from each row's since sum below its diagonal (at sums + 8 i) and the
 * diagonal's term from the raw diagonal of m and the `rawTerms` of the block then, at raws.
 */
@inline
function rawSince(d: i32, m: usize, raws: usize, rows: usize, sums: usize, eta: f64, lo: f64, hi: f64): f64 {
  if (!(eta < 1) || !(lo > 0)) return Infinity;
  const total = eta + Math.sqrt(rawRowSquares(d, m, raws, rows, sums)) * ROUNDING;
  if (!(total < 1)) return Infinity;
  const up = 1 + total;
  const down = 1 - total;
  return (hi * (up * up)) / (lo * (down * down));
}

/**
 * condition-bound.ts `rawRelative`'s end: from each row's weighted sum below its diagonal (at
 * sums + 8 i) and the diagonal's term from the raw diagonal of m and the anchor's `rawTerms`.
 */
@inline
function rawRelative(d: i32, m: usize, raws: usize, rows: usize, sums: usize, lo: f64, hi: f64): f64 {
  const eta = Math.sqrt(rawRowSquares(d, m, raws, rows, sums));
  if (!(eta < 1)) return Infinity;
  const up = 1 + eta;
  const down = 1 - eta;
  return (hi * (up * up)) / (lo * (down * down));
}

/**
 * condition-bound.ts `sinceMoves`: sum_i (sum_{j <= i} |l_ij - s_ij| rows_j)^2 for the float32
 * blocks l and s (the block when the exact drift last ran), rows as `conditionMoves`'s: each row's
 * `sinceRow`, then its diagonal's term (`conditionRows`'s order, so `sinceFrom` can finish it).
 */
export function conditionSince(d: i32, l: usize, s: usize, rows: usize): f64 {
  let since: f64 = 0;
  for (let i = 0; i < d; i++) {
    const lr = l + ((<usize>(i * d)) << 2);
    const sr = s + ((<usize>(i * d)) << 2);
    let row = sinceRow(lr, sr, rows, i);
    const t = <f64>load<f32>(lr + ((<usize>i) << 2)) - <f64>load<f32>(sr + ((<usize>i) << 2));
    row += Math.abs(t) * load<f64>(rows + ((<usize>i) << 3));
    since += row * row;
  }
  return since;
}

/**
 * ||(L - A) W||_F for L (float64, or float32 in `conditionDrift32`), float64 A and W (d x d
 * row-major, upper triangles not read), row (d float64) scratch: relativeDrift's operations, row i
 * of (L - A) W as a sum of rows k of W, four columns at a time in two f64x2 (`drift`), its squares
 * added in ascending column order.
 */
export function conditionDrift(d: i32, l: usize, a: usize, w: usize, row: usize): f64 {
  return drift<f64>(d, l, a, w, row);
}

export function conditionDrift32(d: i32, l: usize, a: usize, w: usize, row: usize): f64 {
  return drift<f32>(d, l, a, w, row);
}

@inline
function drift<T>(d: i32, l: usize, a: usize, w: usize, row: usize): f64 {
  const rs = (<usize>d) << 3;
  let squares: f64 = 0;
  for (let i = 0; i < d; i++) {
    const lr = l + <usize>(i * d) * sizeof<T>();
    const ar = a + <usize>i * rs;
    // Row i's deltas L_ik - A_ik (k <= i) into row.
    for (let k = 0; k <= i; k++)
      store<f64>(row + ((<usize>k) << 3), <f64>load<T>(lr + <usize>k * sizeof<T>()) - load<f64>(ar + ((<usize>k) << 3)));
    // Row i of (L - A) W four columns at a time, each column's sum in registers over its k (from
    // the column on, ascending, the zero deltas skipped), where the sums of all columns once went
    // through memory at every k: the same operations on each sum, so the same bits.
    for (let j0 = 0; j0 <= i; j0 += 4) {
      let r01 = f64x2.splat(0);
      let r23 = f64x2.splat(0);
      const wj = w + ((<usize>j0) << 3);
      // k = j0, j0 + 1, j0 + 2: the columns from j0 to k alone.
      const top = min(j0 + 2, i);
      for (let k = j0; k <= top; k++) {
        const delta = load<f64>(row + ((<usize>k) << 3));
        if (delta == 0) continue;
        const wk = wj + <usize>k * rs;
        if (k == j0) r01 = f64x2.replace_lane(r01, 0, f64x2.extract_lane(r01, 0) + delta * load<f64>(wk));
        else {
          r01 = f64x2.add(r01, f64x2.mul(f64x2.splat(delta), v128.load(wk)));
          if (k == j0 + 2) r23 = f64x2.replace_lane(r23, 0, f64x2.extract_lane(r23, 0) + delta * load<f64>(wk, 16));
        }
      }
      // From k = j0 + 3 on, all four columns.
      for (let k = j0 + 3; k <= i; k++) {
        const delta = load<f64>(row + ((<usize>k) << 3));
        if (delta == 0) continue;
        const c = f64x2.splat(delta);
        const wk = wj + <usize>k * rs;
        r01 = f64x2.add(r01, f64x2.mul(c, v128.load(wk)));
        r23 = f64x2.add(r23, f64x2.mul(c, v128.load(wk, 16)));
      }
      const r0 = f64x2.extract_lane(r01, 0);
      squares += r0 * r0;
      if (j0 + 1 <= i) {
        const r1 = f64x2.extract_lane(r01, 1);
        squares += r1 * r1;
      }
      if (j0 + 2 <= i) {
        const r2 = f64x2.extract_lane(r23, 0);
        squares += r2 * r2;
      }
      if (j0 + 3 <= i) {
        const r3 = f64x2.extract_lane(r23, 1);
        squares += r3 * r3;
      }
    }
  }
  return Math.sqrt(squares);
}
