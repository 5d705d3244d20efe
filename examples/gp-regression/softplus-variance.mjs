// A plugin parameterization: sigma^2 = softplus(raw) + floor, as GPyTorch keeps a GP's noise
// (a GreaterThan constraint with a softplus transform). For a d x d block it is the diagonal
// covariance diag(softplus(raw_j) + floor); `variance_floor` is its option.

/** @param {number} x */
const softplus64 = (x) => (x > 20 ? x : Math.log1p(Math.exp(x)));

/** @type {import('covsweep').PluginModule} */
export default function softplusVariance({ tf, eye }) {
  /**
   * @param {number} floor
   * @returns {import('covsweep').Parameterization}
   */
  function make(floor) {
    return {
      name: 'softplus-variance',
      summary: `Sigma = diag(softplus(raw) + ${floor}) (GPyTorch's GreaterThan noise constraint)`,
      factorOf: 'covariance',
      checks: 'factor-diagonal',
      rawShape: (d) => [d],
      fromCovariance(sigma0, d) {
        // softplus^-1(v - floor) = log(expm1(v - floor)), for the diagonal of Sigma0.
        return Float64Array.from({ length: d }, (_, j) => Math.log(Math.expm1(sigma0[j * d + j] - floor)));
      },
      covariance(raw, d) {
        const c = new Float64Array(d * d);
        for (let j = 0; j < d; j++) c[j * d + j] = softplus64(raw[j]) + floor;
        return c;
      },
      factor(raw, d) {
        const diag = /** @type {import('@tensorflow/tfjs-core').Tensor2D} */ (
          tf.sqrt(tf.add(tf.softplus(tf.reshape(raw, [-1, d])), floor))
        );
        const factor = /** @type {import('@tensorflow/tfjs-core').Tensor3D} */ (tf.mul(tf.expandDims(diag, 2), eye(d)));
        return { factor, checks: diag };
      },
      options: {
        schema: {
          variance_floor: {
            type: 'number',
            minimum: 0,
            default: 0,
            description: 'softplus-variance: the smallest variance, added to softplus(raw).',
          },
        },
        with: (values) => make(Number(values.variance_floor)),
      },
    };
  }
  return { parameterizations: [make(0)] };
}
