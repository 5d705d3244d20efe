/**
 * Small dense float64 matrices (row-major Float64Array, d x d): data
 * generation, the parameterizations' reference maps and the metrics. These
 * are plain loops on purpose: they are the independent float64 side that the
 * float32 tfjs engine is checked against.
 */

export function identity(d: number, scale = 1): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = scale;
  return m;
}

/** Lower Cholesky factor of a symmetric matrix (lower triangle read); null if not positive definite. */
export function cholesky64(a: ArrayLike<number>, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  return choleskyInto(a, 0, d, l) ? l : null;
}

/**
 * The lower Cholesky factor of the symmetric d x d matrix at a[at..] (lower triangle read) into
 * `l`'s lower triangle, allocating nothing (the per-step condition check calls it); false, with
 * `l` partly written, when the matrix is not positive definite. `l`'s upper triangle is not touched.
 */
export function choleskyInto(a: ArrayLike<number>, at: number, d: number, l: Float64Array): boolean {
  for (let j = 0; j < d; j++) {
    let s = a[at + j * d + j];
    for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[at + i * d + j];
      for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / ljj;
    }
  }
  return true;
}

/**
 * Q diag(eigenvalues) Q^T with Q a random rotation (Gram-Schmidt on a matrix of `normal()`
 * draws): a covariance of known spectrum, so of known condition number (tests, measurements).
 */
export function withEigenvalues(eigenvalues: ArrayLike<number>, normal: () => number): Float64Array {
  const d = eigenvalues.length;
  const q = Float64Array.from({ length: d * d }, normal);
  for (let c = 0; c < d; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * d + c] * q[i * d + p];
      for (let i = 0; i < d; i++) q[i * d + c] -= dot * q[i * d + p];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += q[i * d + c] ** 2;
    for (let i = 0; i < d; i++) q[i * d + c] /= Math.sqrt(norm);
  }
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let t = 0;
      for (let k = 0; k < d; k++) t += q[i * d + k] * eigenvalues[k] * q[j * d + k];
      s[i * d + j] = t;
    }
  return s;
}

/** L L^T. */
export function gram(l: ArrayLike<number>, d: number): Float64Array {
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let t = 0;
      for (let k = 0; k < d; k++) t += l[i * d + k] * l[j * d + k];
      s[i * d + j] = t;
    }
  return s;
}

export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      for (let j = 0; j < d; j++) c[i * d + j] += aik * b[k * d + j];
    }
  return c;
}

export function transpose(a: ArrayLike<number>, d: number): Float64Array {
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[j * d + i] = a[i * d + j];
  return t;
}

/** Inverse by Gauss-Jordan with partial pivoting; null when singular. */
export function inverse(a: ArrayLike<number>, d: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = identity(d);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[p * d + c])) p = r;
    const piv = m[p * d + c];
    if (!(Math.abs(piv) > 0)) return null;
    if (p !== c) {
      for (let k = 0; k < d; k++) {
        [m[p * d + k], m[c * d + k]] = [m[c * d + k], m[p * d + k]];
        [inv[p * d + k], inv[c * d + k]] = [inv[c * d + k], inv[p * d + k]];
      }
    }
    for (let k = 0; k < d; k++) {
      m[c * d + k] /= piv;
      inv[c * d + k] /= piv;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      if (f === 0) continue;
      for (let k = 0; k < d; k++) {
        m[r * d + k] -= f * m[c * d + k];
        inv[r * d + k] -= f * inv[c * d + k];
      }
    }
  }
  return inv;
}

/** Frobenius norm of a - b over all entries. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** (a + a^T) / 2: the symmetric part, exactly symmetric. */
export function symmetricPart(a: ArrayLike<number>, d: number): Float64Array {
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      const v = (a[i * d + j] + a[j * d + i]) / 2;
      s[i * d + j] = v;
      s[j * d + i] = v;
    }
  return s;
}

/** L^-1 B for a lower-triangular L, by forward substitution, column by column of B. */
export function solveLower(l: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++)
    for (let c = 0; c < d; c++) {
      let t = x[i * d + c];
      for (let k = 0; k < i; k++) t -= l[i * d + k] * x[k * d + c];
      x[i * d + c] = t / l[i * d + i];
    }
  return x;
}

/** Symmetric matrix from its lower triangle (what a Cholesky reads). */
export function symmetrizeLower(a: ArrayLike<number>, d: number): Float64Array {
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      s[i * d + j] = a[i * d + j];
      s[j * d + i] = a[i * d + j];
    }
  return s;
}

/** Sample mean and 1/N sample covariance of n rows of dimension d. */
export function sampleMoments(x: ArrayLike<number>, n: number, d: number) {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) cov[a * d + b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / n;
  return { mean, cov };
}

/**
 * Eigenvalues and orthonormal eigenvectors of a symmetric matrix (lower
 * triangle read) by cyclic Jacobi rotations: slow (O(d^3) per sweep) but
 * accurate to float64 and simple, which is what the reference side wants.
 * `vectors` holds the eigenvectors as columns: a = V diag(values) V^T.
 */
export function symmetricEigen(
  a: ArrayLike<number>,
  d: number,
): { values: Float64Array; vectors: Float64Array } {
  const m = symmetrizeLower(a, d);
  const v = identity(d);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let p = 0; p < d; p++) {
      diagonal += m[p * d + p] ** 2;
      for (let q = p + 1; q < d; q++) off += m[p * d + q] ** 2;
    }
    // Converged when the off-diagonal part is below float64 rounding of the diagonal.
    if (off <= 1e-34 * diagonal) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        // The rotation that zeroes m_pq (Golub & Van Loan, symmetric Schur decomposition).
        const tau = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p];
          const mkq = m[k * d + q];
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k];
          const mqk = m[q * d + k];
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => m[i * d + i]), vectors: v };
}

/** f applied to a symmetric matrix through its eigenvalues: V diag(f(values)) V^T (expm, logm). */
export function symmetricFunction(a: ArrayLike<number>, d: number, f: (x: number) => number): Float64Array {
  const { values, vectors } = symmetricEigen(a, d);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * f(values[k]) * vectors[j * d + k];
      out[i * d + j] = s;
    }
  return out;
}

/**
 * Eigenvalues of a symmetric matrix (lower triangle read), ascending: Jacobi is
 * accurate to float64 rounding even for the nearly singular covariances traces
 * are about, where a characteristic-polynomial shortcut would lose the small one.
 * A NaN or infinite entry makes every eigenvalue unknown: all NaN, not a NaN sorted aside.
 */
export function symmetricEigenvalues(a: ArrayLike<number>, d: number): Float64Array {
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++)
      if (!Number.isFinite(a[i * d + j])) return new Float64Array(d).fill(Number.NaN);
  return symmetricEigen(a, d).values.sort();
}

/**
 * The smallest and largest float64 eigenvalues of a symmetric matrix (row-major, both triangles
 * read; it is overwritten): Householder reduction to a tridiagonal
 * matrix, then bisection on its Sturm sequence for the two ends of the spectrum alone (Golub &
 * Van Loan, 8.3 and 8.4.1). Both steps are backward stable, so each value is within a small
 * multiple of d * eps * lambda_max of the exact one, as Jacobi's (the reference `repro --trace`
 * and the tests use) are; in (4/3) d^3 flops where Jacobi takes several d^3 sweeps.
 */
export function extremeEigenvalues(a: Float64Array, d: number): { lo: number; hi: number } {
  const diag = new Float64Array(d);
  const off = new Float64Array(d); // off[k]: entry (k + 1, k) of the tridiagonal matrix
  const v = new Float64Array(d);
  const w = new Float64Array(d);
  for (let k = 0; k < d - 2; k++) {
    // The reflector I - 2 v v^T that zeroes column k below its subdiagonal entry.
    let norm = 0;
    for (let i = k + 1; i < d; i++) norm += a[i * d + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[(k + 1) * d + k] > 0 ? -norm : norm;
    off[k] = alpha;
    let vv = 0;
    for (let i = k + 1; i < d; i++) {
      v[i] = a[i * d + k] - (i === k + 1 ? alpha : 0);
      vv += v[i] * v[i];
    }
    if (vv === 0) continue; // the column is zero already
    const vn = Math.sqrt(vv);
    for (let i = k + 1; i < d; i++) v[i] /= vn;
    // A <- H A H = A - 2 v w^T - 2 w v^T on the trailing block, w = A v - (v^T A v) v.
    let vav = 0;
    for (let i = k + 1; i < d; i++) {
      let t = 0;
      for (let j = k + 1; j < d; j++) t += a[i * d + j] * v[j];
      w[i] = t;
      vav += v[i] * t;
    }
    for (let i = k + 1; i < d; i++) w[i] -= vav * v[i];
    for (let i = k + 1; i < d; i++)
      for (let j = k + 1; j < d; j++) a[i * d + j] -= 2 * (v[i] * w[j] + w[i] * v[j]);
  }
  for (let k = 0; k < d; k++) diag[k] = a[k * d + k];
  if (d >= 2) off[d - 2] = a[(d - 1) * d + d - 2];
  // Gershgorin's interval for the tridiagonal matrix holds the whole spectrum.
  let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let k = 0; k < d; k++) {
    const r = (k > 0 ? Math.abs(off[k - 1]) : 0) + (k < d - 1 ? Math.abs(off[k]) : 0);
    lo = Math.min(lo, diag[k] - r);
    hi = Math.max(hi, diag[k] + r);
  }
  /** How many eigenvalues are below x (the Sturm count). */
  const below = (x: number) => {
    let count = 0;
    let q = 1;
    for (let k = 0; k < d; k++) {
      q = diag[k] - x - (k > 0 ? (off[k - 1] * off[k - 1]) / q : 0);
      if (q === 0) q = Number.MIN_VALUE * (1 + Math.abs(x));
      if (q < 0) count++;
    }
    return count;
  };
  /** The smallest x with at least `n` eigenvalues at or below it, by bisection to float64 resolution. */
  const nth = (n: number) => {
    let [a0, b0] = [lo, hi];
    for (let i = 0; i < 2100; i++) {
      const mid = a0 + (b0 - a0) / 2;
      if (mid <= a0 || mid >= b0) break;
      if (below(mid) >= n) b0 = mid;
      else a0 = mid;
    }
    return b0;
  };
  return { lo: nth(1), hi: nth(d) };
}
