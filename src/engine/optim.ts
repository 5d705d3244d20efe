import * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../types.js';
import type { ParamGroup } from './tasks/types.js';

/** A per-lane scalar [B] shaped [B, 1, ..., 1] to broadcast against a parameter of the given rank. */
function laneColumn(values: number[], rank: number): tf.Tensor {
  return tf.tensor(values, [values.length, ...new Array(rank - 1).fill(1)]);
}

/**
 * torch.optim.SGD's rule (dampening 0) over lane tensors, every lane with its
 * own learning rate per parameter group and its own momentum:
 *   buf = momentum * buf + g;  p -= lr * (nesterov ? g + momentum * buf : buf).
 * A lane that is not alive keeps its parameters and buffers exactly
 * (`where`, never a multiplied mask: NaN * 0 is NaN).
 */
export class Sgd {
  private readonly lr: tf.Tensor[];
  private readonly momentum: tf.Tensor[];
  private readonly nesterov: boolean;
  private buffers: tf.Tensor[];

  constructor(configs: RunConfig[], groups: ParamGroup[]) {
    const B = configs.length;
    this.nesterov = configs[0].optimizer.nesterov;
    this.lr = groups.map((g) =>
      laneColumn(
        configs.map((c) => c.lr[g.group]),
        g.shape.length + 1,
      ),
    );
    this.momentum = groups.map((g) =>
      laneColumn(
        configs.map((c) => c.optimizer.momentum),
        g.shape.length + 1,
      ),
    );
    this.buffers = groups.map((g) => tf.zeros([B, ...g.shape]));
  }

  /** New parameters after one step; `alive` is [B] bool. Disposes nothing it was given. */
  step(params: tf.Tensor[], grads: tf.Tensor[], alive: tf.Tensor): tf.Tensor[] {
    const out = tf.tidy(() =>
      params.map((p, i) => {
        const keep = tf.reshape(alive, [alive.shape[0], ...new Array(p.rank - 1).fill(1)]);
        const buf = tf.add(tf.mul(this.momentum[i], this.buffers[i]), grads[i]);
        const direction = this.nesterov ? tf.add(grads[i], tf.mul(this.momentum[i], buf)) : buf;
        const next = tf.where(keep, tf.sub(p, tf.mul(this.lr[i], direction)), p);
        return [next, tf.where(keep, buf, this.buffers[i])];
      }),
    );
    tf.dispose(this.buffers);
    this.buffers = out.map(([, b]) => b);
    return out.map(([p]) => p);
  }

  dispose() {
    tf.dispose([...this.lr, ...this.momentum, ...this.buffers]);
  }
}
