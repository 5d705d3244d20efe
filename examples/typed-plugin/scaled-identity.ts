// A plugin parameterization in TypeScript, written against the published types only: Sigma = exp(2 s) I.
import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { FactorOutput, Parameterization, PluginModule } from 'covsweep';

const scaled: PluginModule = ({ tf, eye }) => {
  const p: Parameterization = {
    name: 'scaled-identity',
    summary: 'Sigma = exp(2 s) I',
    factorOf: 'covariance',
    checks: 'factor-diagonal',
    rawShape: () => [1],
    fromCovariance: (sigma0) => Float64Array.of(0.5 * Math.log(sigma0[0])),
    covariance(raw, d) {
      const c = new Float64Array(d * d);
      for (let j = 0; j < d; j++) c[j * d + j] = Math.exp(2 * raw[0]);
      return c;
    },
    factor(raw, d): FactorOutput {
      const s = tf.exp(tf.reshape(raw, [-1, 1, 1]));
      const factor = tf.mul(s, eye(d)) as Tensor3D;
      return { factor, checks: tf.tile(tf.reshape(s, [-1, 1]), [1, d]) as Tensor2D };
    },
  };
  return { parameterizations: [p] };
};
export default scaled;
