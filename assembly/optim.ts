// The optimizers' updates over a run of lanes (src/engine/train/optim.ts holds the JavaScript
// twins these are tested against, and the formulas), four elements per f32x4. Every operation
// is one float32 operation, the correctly rounded result that the twins get as Math.fround of the
// float64 operation, so both give the same numbers. In the same pass, each updated lane's flag
// in `bad` is set when one of its new parameters is non-finite or beyond its bound (Health's
// outOfBounds); a flag already set stays set, and lanes not alive are left alone.
//
// Layout: `lanes` lanes of `size` elements each at p, g and the state arrays; per lane, its
// alive byte, its float32 bound, its flag byte, and its coefficients at coef + lane * 32 (eight
// float32 slots, in the order each kernel names).

/** Whether every element of `x` satisfies |x| <= bound (false for NaN). */
@inline
function within(ok: v128, x: v128, bound: v128): v128 {
  return v128.and(ok, f32x4.le(f32x4.abs(x), bound));
}

@inline
function flag(bad: usize, b: i32, ok: v128, okTail: bool): void {
  if (!(okTail && i32x4.all_true(ok))) store<u8>(bad + b, 1);
}

@inline
function sgdLane(nesterov: bool, size: i32, p: usize, g: usize, buf: usize, m: f32, rate: f32, bound: f32): bool {
  const mv = f32x4.splat(m);
  const rv = f32x4.splat(rate);
  const bv = f32x4.splat(bound);
  let ok = i32x4.splat(-1);
  let k = 0;
  for (; k + 4 <= size; k += 4) {
    const at = (<usize>k) << 2;
    const gk = v128.load(g + at);
    const next = f32x4.add(f32x4.mul(mv, v128.load(buf + at)), gk);
    v128.store(buf + at, next);
    const dir = nesterov ? f32x4.add(gk, f32x4.mul(mv, next)) : next;
    const pk = f32x4.sub(v128.load(p + at), f32x4.mul(rv, dir));
    v128.store(p + at, pk);
    ok = within(ok, pk, bv);
  }
  let tail = true;
  for (; k < size; k++) {
    const at = (<usize>k) << 2;
    const gk = load<f32>(g + at);
    const next = m * load<f32>(buf + at) + gk;
    store<f32>(buf + at, next);
    const pk = load<f32>(p + at) - rate * (nesterov ? gk + m * next : next);
    store<f32>(p + at, pk);
    if (!(Mathf.abs(pk) <= bound)) tail = false;
  }
  return tail && i32x4.all_true(ok);
}

/** SGD with momentum (Sgd in optim.ts); coefficients: momentum, learning rate. */
export function sgdLanes(
  lanes: i32,
  size: i32,
  nesterov: bool,
  p: usize,
  g: usize,
  buf: usize,
  coef: usize,
  alive: usize,
  bound: usize,
  bad: usize,
): void {
  for (let b = 0; b < lanes; b++) {
    if (load<u8>(alive + b) == 0) continue;
    const at = (<usize>b * <usize>size) << 2;
    const c = coef + ((<usize>b) << 5);
    const m = load<f32>(c);
    const rate = load<f32>(c, 4);
    const limit = load<f32>(bound + ((<usize>b) << 2));
    const ok = nesterov
      ? sgdLane(true, size, p + at, g + at, buf + at, m, rate, limit)
      : sgdLane(false, size, p + at, g + at, buf + at, m, rate, limit);
    if (!ok) store<u8>(bad + b, 1);
  }
}

/** Adam (Adam in optim.ts); coefficients: beta1, 1 - beta1, beta2, 1 - beta2, eps, step size (negative), sqrt(1 - beta2^t). */
export function adamLanes(
  lanes: i32,
  size: i32,
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  coef: usize,
  alive: usize,
  bound: usize,
  bad: usize,
): void {
  for (let b = 0; b < lanes; b++) {
    if (load<u8>(alive + b) == 0) continue;
    const base = (<usize>b * <usize>size) << 2;
    const c = coef + ((<usize>b) << 5);
    const b1 = load<f32>(c);
    const c1 = load<f32>(c, 4);
    const b2 = load<f32>(c, 8);
    const c2 = load<f32>(c, 12);
    const eps = load<f32>(c, 16);
    const stepSize = load<f32>(c, 20);
    const correction2 = load<f32>(c, 24);
    const limit = load<f32>(bound + ((<usize>b) << 2));
    const b1v = f32x4.splat(b1);
    const c1v = f32x4.splat(c1);
    const b2v = f32x4.splat(b2);
    const c2v = f32x4.splat(c2);
    const epsv = f32x4.splat(eps);
    const sv = f32x4.splat(stepSize);
    const cv = f32x4.splat(correction2);
    const bv = f32x4.splat(limit);
    let ok = i32x4.splat(-1);
    let k = 0;
    for (; k + 4 <= size; k += 4) {
      const at = base + ((<usize>k) << 2);
      const gk = v128.load(g + at);
      const mk = f32x4.add(f32x4.mul(v128.load(m + at), b1v), f32x4.mul(c1v, gk));
      const vk = f32x4.add(f32x4.mul(v128.load(v + at), b2v), f32x4.mul(f32x4.mul(c2v, gk), gk));
      v128.store(m + at, mk);
      v128.store(v + at, vk);
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(vk), cv), epsv);
      const pk = f32x4.add(v128.load(p + at), f32x4.div(f32x4.mul(sv, mk), denom));
      v128.store(p + at, pk);
      ok = within(ok, pk, bv);
    }
    let tail = true;
    for (; k < size; k++) {
      const at = base + ((<usize>k) << 2);
      const gk = load<f32>(g + at);
      const mk = load<f32>(m + at) * b1 + c1 * gk;
      const vk = load<f32>(v + at) * b2 + c2 * gk * gk;
      store<f32>(m + at, mk);
      store<f32>(v + at, vk);
      const denom = Mathf.sqrt(vk) / correction2 + eps;
      const pk = load<f32>(p + at) + (stepSize * mk) / denom;
      store<f32>(p + at, pk);
      if (!(Mathf.abs(pk) <= limit)) tail = false;
    }
    flag(bad, b, ok, tail);
  }
}

/** RMSprop (Rmsprop in optim.ts); coefficients: alpha, 1 - alpha, eps, -lr. */
export function rmspropLanes(
  lanes: i32,
  size: i32,
  p: usize,
  g: usize,
  s: usize,
  coef: usize,
  alive: usize,
  bound: usize,
  bad: usize,
): void {
  for (let b = 0; b < lanes; b++) {
    if (load<u8>(alive + b) == 0) continue;
    const base = (<usize>b * <usize>size) << 2;
    const c = coef + ((<usize>b) << 5);
    const a = load<f32>(c);
    const ca = load<f32>(c, 4);
    const eps = load<f32>(c, 8);
    const rate = load<f32>(c, 12);
    const limit = load<f32>(bound + ((<usize>b) << 2));
    const av = f32x4.splat(a);
    const cav = f32x4.splat(ca);
    const epsv = f32x4.splat(eps);
    const rv = f32x4.splat(rate);
    const bv = f32x4.splat(limit);
    let ok = i32x4.splat(-1);
    let k = 0;
    for (; k + 4 <= size; k += 4) {
      const at = base + ((<usize>k) << 2);
      const gk = v128.load(g + at);
      const sk = f32x4.add(f32x4.mul(v128.load(s + at), av), f32x4.mul(f32x4.mul(cav, gk), gk));
      v128.store(s + at, sk);
      const avg = f32x4.add(f32x4.sqrt(sk), epsv);
      const pk = f32x4.add(v128.load(p + at), f32x4.div(f32x4.mul(rv, gk), avg));
      v128.store(p + at, pk);
      ok = within(ok, pk, bv);
    }
    let tail = true;
    for (; k < size; k++) {
      const at = base + ((<usize>k) << 2);
      const gk = load<f32>(g + at);
      const sk = load<f32>(s + at) * a + ca * gk * gk;
      store<f32>(s + at, sk);
      const pk = load<f32>(p + at) + (rate * gk) / (Mathf.sqrt(sk) + eps);
      store<f32>(p + at, pk);
      if (!(Mathf.abs(pk) <= limit)) tail = false;
    }
    flag(bad, b, ok, tail);
  }
}
