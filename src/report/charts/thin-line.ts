/**
 * The points of a polyline that draw it to within `tolerance` (in the units of `xs` and `ys`,
 * pixels where the caller scaled them so): Douglas-Peucker, each point dropped only if it lies
 * that close to the segment between the points kept around it. Returns the kept indices in order,
 * always the first and the last. A point whose coordinate is not finite is kept, and splits the
 * line there: the plot breaks its line at such points, so the stretches either side are thinned
 * on their own.
 */
export function thinLine(xs: ArrayLike<number>, ys: ArrayLike<number>, tolerance: number): number[] {
  const n = xs.length;
  const keep = new Uint8Array(n);
  let from = 0;
  for (let i = 0; i <= n; i++) {
    const finite = i < n && Number.isFinite(xs[i]) && Number.isFinite(ys[i]);
    if (finite) continue;
    if (i > from) keepStretch(xs, ys, from, i - 1, tolerance, keep);
    if (i < n) keep[i] = 1;
    from = i + 1;
  }
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) kept.push(i);
  return kept;
}

/** Marks in `keep` the points of the finite stretch first..last that Douglas-Peucker keeps. */
function keepStretch(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  first: number,
  last: number,
  tolerance: number,
  keep: Uint8Array,
): void {
  keep[first] = 1;
  keep[last] = 1;
  const tolerance2 = tolerance * tolerance;
  // A stack, not recursion: a retraced run can have a million steps. Squared distances and no
  // Math.hypot: this runs once per report, mostly before V8 has optimized it.
  const stack = [first, last];
  while (stack.length) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    const ax = xs[a];
    const ay = ys[a];
    const dx = xs[b] - ax;
    const dy = ys[b] - ay;
    const length2 = dx * dx + dy * dy;
    let far = -1;
    let farthest = tolerance2;
    for (let i = a + 1; i < b; i++) {
      const ex = xs[i] - ax;
      const ey = ys[i] - ay;
      // Distance to the segment a-b (to a itself when a and b coincide).
      let t = length2 > 0 ? (ex * dx + ey * dy) / length2 : 0;
      t = t < 0 ? 0 : Math.min(t, 1);
      const fx = ex - t * dx;
      const fy = ey - t * dy;
      const d2 = fx * fx + fy * fy;
      if (d2 > farthest) {
        farthest = d2;
        far = i;
      }
    }
    if (far < 0) continue;
    keep[far] = 1;
    stack.push(a, far, far, b);
  }
}
