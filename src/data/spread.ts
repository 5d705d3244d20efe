/**
 * Whether `rows` points of dimension `dim` (row-major, `points[i * dim + j]`) span all `dim`
 * directions: their sample covariance is positive definite, with every Cholesky pivot above 1e-10
 * of the largest variance (float64 rounding leaves collinear points a pivot of about 1e-16, not 0). Identical or collinear points do not: a task
 * fitted to them has a singular optimum.
 */
export function spansAllDirections(points: Float64Array, rows: number, dim: number): boolean {
  const mean = new Float64Array(dim);
  if (rows <= dim) return false;
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) mean[j] += points[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= rows;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < dim; a++)
      for (let b = 0; b <= a; b++)
        cov[a * dim + b] += (points[i * dim + a] - mean[a]) * (points[i * dim + b] - mean[b]);
  let largest = 0;
  for (let j = 0; j < dim; j++) largest = Math.max(largest, cov[j * dim + j]);
  // Cholesky of the lower triangle in place.
  for (let j = 0; j < dim; j++) {
    let s = cov[j * dim + j];
    for (let k = 0; k < j; k++) s -= cov[j * dim + k] ** 2;
    if (!(s > 1e-10 * largest)) return false;
    const ljj = Math.sqrt(s);
    cov[j * dim + j] = ljj;
    for (let i = j + 1; i < dim; i++) {
      let t = cov[i * dim + j];
      for (let k = 0; k < j; k++) t -= cov[i * dim + k] * cov[j * dim + k];
      cov[i * dim + j] = t / ljj;
    }
  }
  return true;
}
