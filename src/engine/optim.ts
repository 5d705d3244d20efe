import type { RunConfig } from '../types.js';
import type { ParamGroup } from './tasks/types.js';

/**
 * An optimizer over the lanes' parameters in host memory: one update of every
 * live lane, in place. A lane that is not alive keeps its parameters and state
 * exactly.
 *
 * Host loops rather than tfjs ops: the update is a handful of flops per
 * element, and as tensor ops it was ~6 ops per parameter group per step, the
 * lane mask alone (`where` with a broadcast condition) ~650 µs per group at
 * 1024 lanes on wasm, more than the rest of the step.
 */
export interface Optimizer {
  /** `params[i]` and `grads[i]` are group i of every lane, lane-major; `alive` is [B]. */
  step(params: Float32Array[], grads: ArrayLike<number>[], alive: Uint8Array): void;
}

const f32 = Math.fround;

/**
 * torch.optim.SGD's rule (dampening 0), every lane with its own learning rate
 * per parameter group and its own momentum:
 *   buf = momentum * buf + g;  p -= lr * (nesterov ? g + momentum * buf : buf).
 * Every operation is rounded to float32, as the same expression in float32
 * tensor ops would be (a float32 product or sum computed in float64 and
 * rounded once is the correctly rounded float32 result), so a lane's numbers
 * do not depend on which backend or loop computed them.
 */
export class Sgd implements Optimizer {
  /** Learning rate of each group and lane, [group][B], float32 like the parameters. */
  private readonly lr: Float32Array[];
  private readonly momentum: Float32Array;
  private readonly nesterov: boolean;
  private readonly buffers: Float32Array[];

  constructor(configs: RunConfig[], groups: ParamGroup[]) {
    this.nesterov = configs[0].optimizer.nesterov;
    this.lr = groups.map((g) => Float32Array.from(configs, (c) => c.lr[g.group]));
    this.momentum = Float32Array.from(configs, (c) => c.optimizer.momentum);
    this.buffers = groups.map((g) => new Float32Array(g.init.length));
  }

  step(params: Float32Array[], grads: ArrayLike<number>[], alive: Uint8Array): void {
    const lanes = alive.length;
    const { momentum, nesterov } = this;
    for (let i = 0; i < params.length; i++) {
      const [p, g, buf, lr] = [params[i], grads[i], this.buffers[i], this.lr[i]];
      const size = p.length / lanes;
      for (let b = 0; b < lanes; b++) {
        if (!alive[b]) continue;
        const [m, rate] = [momentum[b], lr[b]];
        for (let k = b * size; k < (b + 1) * size; k++) {
          const next = f32(f32(m * buf[k]) + g[k]);
          buf[k] = next;
          p[k] = f32(p[k] - f32(rate * (nesterov ? f32(g[k] + f32(m * next)) : next)));
        }
      }
    }
  }
}
