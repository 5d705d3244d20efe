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
 * For each lane of the pairs (an odd lane paired with itself: computed twice, the same numbers
 * written twice): log p of its (unit, trial) = -|z|^2 / 2 - sum_j log L_jj - `constant`
 * (d log(2 pi) / 2), from maha (f64, (lane U + u) m + i) and the float32 factors at l
 * ((lane U + u) d^2), then the head on the lane's weights (w, float32 [B, K, U]) and classes
 * (labels, i32 [B m]): its loss and dead-unit count into loss and dead (float32 [B]) and, with
 * `withGrads`, d loss / d log p into g (f64, as maha) and d loss / d W into dw (float32, as w).
 * `exp`: the activation is exp(log p) (0 where float32 rounds it to 0, counted dead), else log p.
 * sc: f64 scratch of 2 (2 U m + m K + K U), a half for each lane of a pair.
 *
 * The two lanes of a pair go side by side, statement by statement, through the forward: a lane's
 * forward is one chain of dependent logarithms and exponentials (log L_jj, then exp of log p, the
 * softmax's exps, the log of their sum), each waiting on the one before, and two chains at once
 * keep the core busy where one waits on each in turn. Each lane's operations, and their order,
 * are its own as before.
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
  const dd = d * d;
  // Each lane's scratch: logp [U m], act [U m], soft [m K], acc [K U].
  const logpA = sc;
  const actA = f64At(logpA, U * m);
  const softA = f64At(actA, U * m);
  const accA = f64At(softA, m * K);
  const logpB = f64At(accA, K * U);
  const actB = f64At(logpB, U * m);
  const softB = f64At(actB, U * m);
  const accB = f64At(softB, m * K);
  for (let pair = 0; pair < count; pair++) {
    const a = load<i32>(pairs + (<usize>pair << 3));
    const b = load<i32>(pairs + (<usize>pair << 3), 4);
    // Log-densities.
    for (let u = 0; u < U; u++) {
      const ea = a * U + u;
      const eb = b * U + u;
      const la = f32At(l, ea * dd);
      const lb = f32At(l, eb * dd);
      let halfA: f64 = 0;
      let halfB: f64 = 0;
      for (let j = 0; j < d; j++) {
        halfA += fdlibmLog(<f64>load<f32>(f32At(la, j * d + j)));
        halfB += fdlibmLog(<f64>load<f32>(f32At(lb, j * d + j)));
      }
      for (let i = 0; i < m; i++) {
        store<f64>(f64At(logpA, u * m + i), -0.5 * load<f64>(f64At(maha, ea * m + i)) - halfA - constant);
        store<f64>(f64At(logpB, u * m + i), -0.5 * load<f64>(f64At(maha, eb * m + i)) - halfB - constant);
      }
    }
    // HeadKernel.forward.
    let deadA = 0;
    let deadB = 0;
    for (let c = 0; c < U * m; c++) {
      const xa = load<f64>(f64At(logpA, c));
      const xb = load<f64>(f64At(logpB, c));
      if (exp) {
        const va = fdlibmExp(xa);
        const vb = fdlibmExp(xb);
        const isDeadA = <f32>va == 0;
        const isDeadB = <f32>vb == 0;
        store<f64>(f64At(actA, c), isDeadA ? 0 : va);
        store<f64>(f64At(actB, c), isDeadB ? 0 : vb);
        if (isDeadA) deadA++;
        if (isDeadB) deadB++;
      } else {
        store<f64>(f64At(actA, c), xa);
        store<f64>(f64At(actB, c), xb);
      }
    }
    const wa = f32At(w, a * K * U);
    const wb = f32At(w, b * K * U);
    let totalA: f64 = 0;
    let totalB: f64 = 0;
    for (let i = 0; i < m; i++) {
      const sa = f64At(softA, i * K);
      const sb = f64At(softB, i * K);
      let maxA = -Infinity;
      let maxB = -Infinity;
      for (let k = 0; k < K; k++) {
        let oa: f64 = 0;
        let ob: f64 = 0;
        for (let j = 0; j < U; j++) {
          oa += <f64>load<f32>(f32At(wa, k * U + j)) * load<f64>(f64At(actA, j * m + i));
          ob += <f64>load<f32>(f32At(wb, k * U + j)) * load<f64>(f64At(actB, j * m + i));
        }
        store<f64>(f64At(sa, k), oa);
        store<f64>(f64At(sb, k), ob);
        if (oa > maxA) maxA = oa;
        if (ob > maxB) maxB = ob;
      }
      const logitA = load<f64>(f64At(sa, load<i32>(f32At(labels, a * m + i))));
      const logitB = load<f64>(f64At(sb, load<i32>(f32At(labels, b * m + i))));
      let sumA: f64 = 0;
      let sumB: f64 = 0;
      for (let k = 0; k < K; k++) {
        const va = fdlibmExp(load<f64>(f64At(sa, k)) - maxA);
        const vb = fdlibmExp(load<f64>(f64At(sb, k)) - maxB);
        store<f64>(f64At(sa, k), va);
        store<f64>(f64At(sb, k), vb);
        sumA += va;
        sumB += vb;
      }
      for (let k = 0; k < K; k++) {
        store<f64>(f64At(sa, k), load<f64>(f64At(sa, k)) / sumA);
        store<f64>(f64At(sb, k), load<f64>(f64At(sb, k)) / sumB);
      }
      totalA += maxA + fdlibmLog(sumA) - logitA;
      totalB += maxB + fdlibmLog(sumB) - logitB;
    }
    store<f32>(f32At(loss, a), <f32>(totalA / m));
    store<f32>(f32At(dead, a), <f32>deadA);
    store<f32>(f32At(loss, b), <f32>(totalB / m));
    store<f32>(f32At(dead, b), <f32>deadB);
    if (withGrads) {
      headBackward(exp, U, K, m, a, actA, softA, accA, wa, labels, g, dw);
      if (b != a) headBackward(exp, U, K, m, b, actB, softB, accB, wb, labels, g, dw);
    }
  }
}

/**
 * HeadKernel.backward with an incoming gradient of 1, for lane b from its forward's act and soft:
 * d loss / d log p into g, d loss / d W into dw (acc: its f64 sums).
 */
@inline
function headBackward(
  exp: bool,
  U: i32,
  K: i32,
  m: i32,
  b: i32,
  act: usize,
  soft: usize,
  acc: usize,
  wb: usize,
  labels: usize,
  g: usize,
  dw: usize,
): void {
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
