// Gaussian-process regression as a covsweep plugin task: learn the noise variance sigma^2 of a GP
// with an RBF kernel by gradient descent on the marginal likelihood, and see where
// K + sigma^2 I stops being factorizable in float32. The noise variance is the "covariance" the
// experiment's parameterization makes (a 1 x 1 block: run it with `dim: 1`), so every
// parameterization of covsweep, built-in or plugin, can be swept for it.

/**
 * @typedef {{ n_points: number, lengthscale: number, signal: number, noise: number,
 *   init_noise: number, jitter: number, iterations: number }} GpOptions
 * @typedef {import('covsweep').RunConfig} RunConfig
 * @typedef {import('@tensorflow/tfjs-core').Tensor3D} Tensor3D
 * @typedef {import('@tensorflow/tfjs-core').Tensor2D} Tensor2D
 * @typedef {import('@tensorflow/tfjs-core').Tensor1D} Tensor1D
 */

/** @type {import('covsweep').PluginModule} */
export default function gpRegression({ tf, cholesky, triSolve, diagPart, stream, cholesky64 }) {
  /**
   * RBF kernel on the grid x_i = i / (n - 1): signal * exp(-(x_i - x_j)^2 / (2 lengthscale^2)), row-major.
   * @param {GpOptions} o
   */
  function kernel(o) {
    const n = o.n_points;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const r = (i - j) / (n - 1) / o.lengthscale;
        k[i * n + j] = o.signal * Math.exp(-0.5 * r * r);
      }
    return k;
  }

  /**
   * A draw y ~ N(0, K + noise I) from the run's own data stream (float64).
   * @param {GpOptions} o @param {Float64Array} k @param {number} seed
   */
  function targets(o, k, seed) {
    const n = o.n_points;
    const a = Float64Array.from(k);
    for (let i = 0; i < n; i++) a[i * n + i] += o.noise;
    const l = cholesky64(a, n);
    if (!l) throw new Error(`K + noise I of the truth is not positive definite (noise ${o.noise}); raise task.noise`);
    const rng = stream(seed, 'gp-targets');
    const z = Float64Array.from({ length: n }, () => rng.normal());
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) y[i] += l[i * n + j] * z[j];
    return y;
  }

  /**
   * Mean negative log marginal likelihood per point, in float64; undefined when K + s I has no Cholesky factor.
   * @param {Float64Array} k @param {Float64Array} y @param {number} s @param {number} n
   */
  function nll64(k, y, s, n) {
    const a = Float64Array.from(k);
    for (let i = 0; i < n; i++) a[i * n + i] += s;
    const l = cholesky64(a, n);
    if (!l) return undefined;
    const z = new Float64Array(n);
    let quad = 0;
    let logdet = 0;
    for (let i = 0; i < n; i++) {
      let v = y[i];
      for (let j = 0; j < i; j++) v -= l[i * n + j] * z[j];
      z[i] = v / l[i * n + i];
      quad += z[i] * z[i];
      logdet += Math.log(l[i * n + i]);
    }
    return (0.5 * quad + logdet) / n + 0.5 * Math.log(2 * Math.PI);
  }

  return {
    task: {
      name: 'gp-regression',
      options: {
        n_points: { type: 'integer', minimum: 2, maximum: 1000, description: 'Training points, on a grid of [0, 1].' },
        lengthscale: { type: 'number', exclusiveMinimum: 0, description: 'RBF kernel lengthscale (fixed).' },
        signal: { type: 'number', exclusiveMinimum: 0, description: 'RBF kernel signal variance (fixed).' },
        noise: { type: 'number', exclusiveMinimum: 0, description: 'True noise variance the targets are drawn with.' },
        init_noise: { type: 'number', exclusiveMinimum: 0, description: 'Noise variance every run starts from.' },
        jitter: {
          type: 'number',
          minimum: 0,
          description: 'Constant added to the diagonal of K + sigma^2 I before its Cholesky (GPflow-style); 0 = none.',
        },
        iterations: { type: 'integer', minimum: 1, description: 'Full-batch gradient steps.' },
      },
      defaults: { n_points: 20, lengthscale: 0.2, signal: 1, noise: 1e-3, init_noise: 1, jitter: 0, iterations: 200 },
      lr: { cov: 0.01, mean: 0.01, weights: 0.01 },
      momentum: 0,
      steps: (config) => /** @type {GpOptions} */ (/** @type {unknown} */ (config.task)).iterations,
      create(configs, p) {
        const o = /** @type {GpOptions} */ (/** @type {unknown} */ (configs[0].task));
        const n = o.n_points;
        const B = configs.length;
        if (configs[0].dim !== 1)
          throw new Error(`gp-regression learns one noise variance: set dim: 1 (the run has dim ${configs[0].dim})`);
        const k = kernel(o);
        const ys = configs.map((c) => targets(o, k, c.seed));
        const kJ = Float64Array.from(k);
        for (let i = 0; i < n; i++) kJ[i * n + i] += o.jitter;
        const kT = tf.keep(tf.tensor3d(Float32Array.from(kJ), [1, n, n]));
        const eyeN = tf.keep(tf.reshape(tf.eye(n), [1, n, n]));
        const yT = tf.keep(tf.tensor3d(Float32Array.from(ys.flatMap((y) => [...y])), [B, 1, n]));
        const raw0 = p.fromCovariance(Float64Array.of(o.init_noise), 1);
        const init = new Float32Array(B * raw0.length);
        for (let b = 0; b < B; b++) init.set(raw0, b * raw0.length);
        const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
        return {
          steps: o.iterations,
          units: 1,
          params: [{ name: 'noise', group: 'cov', shape: p.rawShape(1), init }],
          loss(_step, [raw]) {
            const { factor, counters } = p.factor(raw, 1);
            const l2 = tf.square(factor);
            // sigma^2 from the 1 x 1 factor of the covariance (or of the precision).
            const s2 = p.factorOf === 'covariance' ? l2 : tf.reciprocal(l2);
            const a = /** @type {Tensor3D} */ (tf.add(kT, tf.mul(s2, eyeN)));
            const { factor: lc, pivots } = cholesky(a);
            const z = triSolve(lc, yT);
            const quad = tf.mul(tf.sum(tf.square(z), [1, 2]), 0.5);
            const logdet = tf.sum(tf.log(diagPart(lc)), 1);
            const loss = /** @type {Tensor1D} */ (tf.add(tf.div(tf.add(quad, logdet), n), halfLog2Pi));
            // The run is judged on K + sigma^2 I: its pivots, in the parameterization's terms
            // (a factor diagonal is the square root of a pivot, sign kept).
            const checks = /** @type {Tensor2D} */ (
              p.checks === 'cholesky-pivots' ? pivots : tf.mul(tf.sign(pivots), tf.sqrt(tf.abs(pivots)))
            );
            return { loss, checks, ...(counters ? { counters } : {}) };
          },
          metrics(lane, [raw]) {
            const s2 = p.covariance(raw, 1)[0];
            const nll = nll64(kJ, ys[lane], s2, n);
            return {
              noise: s2,
              noise_error: Math.abs(s2 - o.noise),
              ...(nll === undefined ? {} : { nll }),
            };
          },
          dispose() {
            tf.dispose([kT, eyeN, yT]);
          },
        };
      },
    },
  };
}
