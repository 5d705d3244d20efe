// src/engine/ops/symmetric-eigen-kernel.ts (tred2 then tql2) with V kept transposed: vt + 8 (c n
// + r) holds V_rc, so that the column operations of both steps (Householder updates, QL
// rotations) run over contiguous memory, two entries per f64x2. Every entry gets the same float64
// operations in the same order as the JavaScript kernel; its sums stay sequential.

// @ts-ignore: decorator
@inline
function at(m: usize, n: i32, r: i32, c: i32): usize {
  return m + ((<usize>(r * n + c)) << 3);
}

/**
 * Decomposes the symmetric n x n matrix at vt (float64; symmetric, so it is its own transpose) in
 * place: V^T into vt, eigenvalues into d, off-diagonal scratch e (n float64 each). Returns 1 when
 * the QL iteration converged, 0 when it did not (30 n sweeps), and 2 when it met a NaN off-diagonal
 * entry that the JavaScript kernel reads past its arrays with: the caller then runs that kernel.
 */
export function symmetricEigen(n: i32, vt: usize, d: usize, e: usize): i32 {
  tridiagonalize(n, vt, d, e);
  return diagonalize(n, vt, d, e);
}

function tridiagonalize(n: i32, vt: usize, d: usize, e: usize): void {
  for (let j = 0; j < n; j++) store<f64>(d + ((<usize>j) << 3), load<f64>(at(vt, n, j, n - 1)));
  for (let i = n - 1; i > 0; i--) {
    let scale: f64 = 0;
    let h: f64 = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(load<f64>(d + ((<usize>k) << 3)));
    if (scale == 0) {
      store<f64>(e + ((<usize>i) << 3), load<f64>(d + ((<usize>(i - 1)) << 3)));
      for (let j = 0; j < i; j++) {
        store<f64>(d + ((<usize>j) << 3), load<f64>(at(vt, n, j, i - 1)));
        store<f64>(at(vt, n, j, i), 0);
        store<f64>(at(vt, n, i, j), 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        const p = d + ((<usize>k) << 3);
        const x = load<f64>(p) / scale;
        store<f64>(p, x);
        h += x * x;
      }
      let f = load<f64>(d + ((<usize>(i - 1)) << 3));
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      store<f64>(e + ((<usize>i) << 3), scale * g);
      h -= f * g;
      store<f64>(d + ((<usize>(i - 1)) << 3), f - g);
      for (let j = 0; j < i; j++) store<f64>(e + ((<usize>j) << 3), 0);
      for (let j = 0; j < i; j++) {
        f = load<f64>(d + ((<usize>j) << 3));
        store<f64>(at(vt, n, i, j), f);
        const cj = at(vt, n, j, 0);
        g = load<f64>(e + ((<usize>j) << 3)) + load<f64>(cj + ((<usize>j) << 3)) * f;
        for (let k = j + 1; k <= i - 1; k++) g += load<f64>(cj + ((<usize>k) << 3)) * load<f64>(d + ((<usize>k) << 3));
        // e_k += V_kj f for k in (j, i): independent of the sum above.
        const fv = f64x2.splat(f);
        let k = j + 1;
        for (; k + 1 <= i - 1; k += 2) {
          const o = e + ((<usize>k) << 3);
          v128.store(o, f64x2.add(v128.load(o), f64x2.mul(v128.load(cj + ((<usize>k) << 3)), fv)));
        }
        if (k <= i - 1) {
          const o = e + ((<usize>k) << 3);
          store<f64>(o, load<f64>(o) + load<f64>(cj + ((<usize>k) << 3)) * f);
        }
        store<f64>(e + ((<usize>j) << 3), g);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        const p = e + ((<usize>j) << 3);
        const x = load<f64>(p) / h;
        store<f64>(p, x);
        f += x * load<f64>(d + ((<usize>j) << 3));
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) {
        const p = e + ((<usize>j) << 3);
        store<f64>(p, load<f64>(p) - hh * load<f64>(d + ((<usize>j) << 3)));
      }
      for (let j = 0; j < i; j++) {
        f = load<f64>(d + ((<usize>j) << 3));
        g = load<f64>(e + ((<usize>j) << 3));
        // V_kj -= f e_k + g d_k for k in [j, i).
        const cj = at(vt, n, j, 0);
        const fv = f64x2.splat(f);
        const gv = f64x2.splat(g);
        let k = j;
        for (; k + 1 <= i - 1; k += 2) {
          const o = cj + ((<usize>k) << 3);
          const u = f64x2.add(
            f64x2.mul(fv, v128.load(e + ((<usize>k) << 3))),
            f64x2.mul(gv, v128.load(d + ((<usize>k) << 3))),
          );
          v128.store(o, f64x2.sub(v128.load(o), u));
        }
        if (k <= i - 1) {
          const o = cj + ((<usize>k) << 3);
          store<f64>(o, load<f64>(o) - (f * load<f64>(e + ((<usize>k) << 3)) + g * load<f64>(d + ((<usize>k) << 3))));
        }
        store<f64>(d + ((<usize>j) << 3), load<f64>(cj + ((<usize>(i - 1)) << 3)));
        store<f64>(cj + ((<usize>i) << 3), 0);
      }
    }
    store<f64>(d + ((<usize>i) << 3), h);
  }
  for (let i = 0; i < n - 1; i++) {
    const ci = at(vt, n, i, 0);
    store<f64>(ci + ((<usize>(n - 1)) << 3), load<f64>(ci + ((<usize>i) << 3)));
    store<f64>(ci + ((<usize>i) << 3), 1);
    const h = load<f64>(d + ((<usize>(i + 1)) << 3));
    const cn = at(vt, n, i + 1, 0);
    if (h != 0) {
      for (let k = 0; k <= i; k++) store<f64>(d + ((<usize>k) << 3), load<f64>(cn + ((<usize>k) << 3)) / h);
      for (let j = 0; j <= i; j++) {
        const cj = at(vt, n, j, 0);
        let g: f64 = 0;
        for (let k = 0; k <= i; k++) g += load<f64>(cn + ((<usize>k) << 3)) * load<f64>(cj + ((<usize>k) << 3));
        const gv = f64x2.splat(g);
        let k = 0;
        for (; k + 1 <= i; k += 2) {
          const o = cj + ((<usize>k) << 3);
          v128.store(o, f64x2.sub(v128.load(o), f64x2.mul(gv, v128.load(d + ((<usize>k) << 3)))));
        }
        if (k <= i) {
          const o = cj + ((<usize>k) << 3);
          store<f64>(o, load<f64>(o) - g * load<f64>(d + ((<usize>k) << 3)));
        }
      }
    }
    for (let k = 0; k <= i; k++) store<f64>(cn + ((<usize>k) << 3), 0);
  }
  for (let j = 0; j < n; j++) {
    const o = at(vt, n, j, n - 1);
    store<f64>(d + ((<usize>j) << 3), load<f64>(o));
    store<f64>(o, 0);
  }
  store<f64>(at(vt, n, n - 1, n - 1), 1);
  store<f64>(e, 0);
}

function diagonalize(n: i32, vt: usize, d: usize, e: usize): i32 {
  for (let i = 1; i < n; i++) store<f64>(e + ((<usize>(i - 1)) << 3), load<f64>(e + ((<usize>i) << 3)));
  store<f64>(e + ((<usize>(n - 1)) << 3), 0);
  let f: f64 = 0;
  let tst1: f64 = 0;
  let sweeps = 30 * n;
  const eps: f64 = 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    const el = e + ((<usize>l) << 3);
    const dl = d + ((<usize>l) << 3);
    tst1 = Math.max(tst1, Math.abs(load<f64>(dl)) + Math.abs(load<f64>(el)));
    let m = l;
    while (m < n) {
      if (Math.abs(load<f64>(e + ((<usize>m) << 3))) <= eps * tst1) break;
      m++;
    }
    if (m == n) return 2;
    if (m > l) {
      do {
        if (--sweeps < 0) return 0;
        let g = load<f64>(dl);
        let p = (load<f64>(dl, 8) - g) / (2 * load<f64>(el));
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        store<f64>(dl, load<f64>(el) / (p + r));
        store<f64>(dl, load<f64>(el) * (p + r), 8);
        const dl1 = load<f64>(dl, 8);
        let h = g - load<f64>(dl);
        for (let i = l + 2; i < n; i++) {
          const o = d + ((<usize>i) << 3);
          store<f64>(o, load<f64>(o) - h);
        }
        f += h;
        p = load<f64>(d + ((<usize>m) << 3));
        let c: f64 = 1;
        let c2 = c;
        let c3 = c;
        const el1 = load<f64>(el, 8);
        let s: f64 = 0;
        let s2: f64 = 0;
        for (let i = m - 1; i >= l; i--) {
          const ei = load<f64>(e + ((<usize>i) << 3));
          const di = load<f64>(d + ((<usize>i) << 3));
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * ei;
          h = c * p;
          r = Math.sqrt(p * p + ei * ei);
          store<f64>(e + ((<usize>(i + 1)) << 3), s * r);
          s = ei / r;
          c = p / r;
          p = c * di - s * g;
          store<f64>(d + ((<usize>(i + 1)) << 3), h + s * (c * g + s * di));
          // Rows i and i + 1 of V^T (columns of V), rotated.
          const a = at(vt, n, i, 0);
          const b = a + ((<usize>n) << 3);
          const sv = f64x2.splat(s);
          const cv = f64x2.splat(c);
          let k = 0;
          for (; k + 1 < n; k += 2) {
            const o = (<usize>k) << 3;
            const x = v128.load(a + o);
            const y = v128.load(b + o);
            v128.store(b + o, f64x2.add(f64x2.mul(sv, x), f64x2.mul(cv, y)));
            v128.store(a + o, f64x2.sub(f64x2.mul(cv, x), f64x2.mul(sv, y)));
          }
          if (k < n) {
            const o = (<usize>k) << 3;
            const x = load<f64>(a + o);
            const y = load<f64>(b + o);
            store<f64>(b + o, s * x + c * y);
            store<f64>(a + o, c * x - s * y);
          }
        }
        p = (-s * s2 * c3 * el1 * load<f64>(el)) / dl1;
        store<f64>(el, s * p);
        store<f64>(dl, c * p);
      } while (Math.abs(load<f64>(el)) > eps * tst1);
    }
    store<f64>(dl, load<f64>(dl) + f);
    store<f64>(el, 0);
  }
  return 1;
}
