// The classifier's epoch-ordered copy of its points (src/engine/tasks/mvn-classifier-native.ts's
// `order`, whose JavaScript loop, orderLane, is its reference): a chunk of lanes' rows in each
// lane's order of the epoch, step-major (each step's rows of the chunk's lanes side by side). A
// worker makes it once an epoch, in a loop over every point of every lane that V8 had not yet
// optimised by then; here it runs compiled from the first row.

/**
 * For lanes b = 0..lanes-1 of n rows each: row j of lane b in `points` (d float32 each) and
 * `labels` (an int32 each), at j lanes + b, is row order[b n + j] of that lane in `x` and `y`
 * (at b n + order[b n + j]). The bytes are copied as they are.
 */
export function epochOrder(
  lanes: i32,
  n: i32,
  d: i32,
  order: usize,
  x: usize,
  y: usize,
  points: usize,
  labels: usize,
): void {
  const row = (<usize>d) << 2;
  for (let b = 0; b < lanes; b++) {
    const base = <usize>b * <usize>n;
    for (let j = 0; j < n; j++) {
      const to = <usize>j * <usize>lanes + <usize>b;
      const from = base + <usize>load<i32>(order + ((base + <usize>j) << 2));
      store<i32>(labels + (to << 2), load<i32>(y + (from << 2)));
      const src = x + from * row;
      const dst = points + to * row;
      for (let p: usize = 0; p < row; p += 4) store<u32>(dst + p, load<u32>(src + p));
    }
  }
}
