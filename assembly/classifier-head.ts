// The classifier's head for every live lane of a chunk of lane pairs (tasks/mvn-classifier-lanes.ts),
// between classifier-lanes.ts's forward and backward: each lane's log-densities from |z|^2 and
// its factors' log-determinants, then ops/classifier-loss.ts's HeadKernel forward and backward
// (incoming gradient 1), the same float64 operations in the same order, with exp and log as
// V8's Math computes them (fdlibm.ts), so every lane gets the numbers of the lane-by-lane step.

import { fdlibmExp, fdlibmLog } from './fdlibm';

@inline
function f64At(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

@inline
function f32At(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * For each lane of the pairs (an odd lane paired with itself once): log p of its (unit, trial)
 * = -|z|^2 / 2 - sum_j log L_jj - `constant` (d log(2 pi) / 2), from maha (f64, (lane U + u) m +
 * i) and the float32 factors at l ((lane U + u) d^2), then the head on the lane's weights (w,
 * float32 [B, K, U]) and classes (labels, i32 [B m]): its loss and dead-unit count into loss and
 * dead (float32 [B]) and, with `withGrads`, d loss / d log p into g (f64, as maha) and d loss / d
 * W into dw (float32, as w). `exp`: the activation is exp(log p) (0 where float32 rounds it to
 * 0, counted dead), else log p. sc: f64 scratch of 2 U m + m K + K U.
 */
export function classifierLanesHead(
  exp: bool,
  withGrads: bool,
  d: i32,
  units: i32,
  classes: i32,
  m: i32,
  constant: f64,
  pairs: usize,
  count: i32,
  l: usize,
  maha: usize,
  w: usize,
  labels: usize,
  loss: usize,
  dead: usize,
  g: usize,
  dw: usize,
  sc: usize,
): void {
  const U = units;
  const K = classes;
  const logp = sc;
  const act = f64At(logp, U * m);
  const soft = f64At(act, U * m);
  const acc = f64At(soft, m * K);
  const dd = d * d;
  for (let pair = 0; pair < count; pair++) {
    const first = load<i32>(pairs + (<usize>pair << 3));
    const other = load<i32>(pairs + (<usize>pair << 3), 4);
    // Both lanes of the pair, a lane paired with itself once.
    for (let b = first, second = false; ; b = other, second = true) {
      if (second && other == first) break;
      for (let u = 0; u < U; u++) {
        const e = b * U + u;
        const lu = f32At(l, e * dd);
        let half: f64 = 0;
        for (let j = 0; j < d; j++) half += fdlibmLog(<f64>load<f32>(f32At(lu, j * d + j)));
        for (let i = 0; i < m; i++)
          store<f64>(f64At(logp, u * m + i), -0.5 * load<f64>(f64At(maha, e * m + i)) - half - constant);
      }
      // HeadKernel.forward.
      let deadCount = 0;
      for (let c = 0; c < U * m; c++) {
        const x = load<f64>(f64At(logp, c));
        if (exp) {
          const v = fdlibmExp(x);
          const isDead = <f32>v == 0;
          store<f64>(f64At(act, c), isDead ? 0 : v);
          if (isDead) deadCount++;
        } else store<f64>(f64At(act, c), x);
      }
      const wb = f32At(w, b * K * U);
      let total: f64 = 0;
      for (let i = 0; i < m; i++) {
        const s = f64At(soft, i * K);
        let max = -Infinity;
        for (let k = 0; k < K; k++) {
          let o: f64 = 0;
          for (let j = 0; j < U; j++) o += <f64>load<f32>(f32At(wb, k * U + j)) * load<f64>(f64At(act, j * m + i));
          store<f64>(f64At(s, k), o);
          if (o > max) max = o;
        }
        const logit = load<f64>(f64At(s, load<i32>(f32At(labels, b * m + i))));
        let sum: f64 = 0;
        for (let k = 0; k < K; k++) {
          const v = fdlibmExp(load<f64>(f64At(s, k)) - max);
          store<f64>(f64At(s, k), v);
          sum += v;
        }
        for (let k = 0; k < K; k++) store<f64>(f64At(s, k), load<f64>(f64At(s, k)) / sum);
        total += max + fdlibmLog(sum) - logit;
      }
      store<f32>(f32At(loss, b), <f32>(total / m));
      store<f32>(f32At(dead, b), <f32>deadCount);
      if (withGrads) {
        // HeadKernel.backward with an incoming gradient of 1.
        const gm = 1.0 / <f64>m;
        for (let c = 0; c < K * U; c++) store<f64>(f64At(acc, c), 0);
        for (let i = 0; i < m; i++) {
          const s = f64At(soft, i * K);
          const label = load<i32>(f32At(labels, b * m + i));
          for (let j = 0; j < U; j++) {
            const a = load<f64>(f64At(act, j * m + i));
            let dact: f64 = 0;
            for (let k = 0; k < K; k++) {
              const gout = gm * (load<f64>(f64At(s, k)) - (k == label ? 1.0 : 0.0));
              dact += gout * <f64>load<f32>(f32At(wb, k * U + j));
              const r = f64At(acc, k * U + j);
              store<f64>(r, load<f64>(r) + gout * a);
            }
            store<f64>(f64At(g, (b * U + j) * m + i), exp ? dact * a : dact);
          }
        }
        const dwb = f32At(dw, b * K * U);
        for (let c = 0; c < K * U; c++) store<f32>(f32At(dwb, c), <f32>load<f64>(f64At(acc, c)));
      }
      if (second) break;
    }
  }
}
