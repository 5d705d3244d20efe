import type { JsonSchema } from '../../ground/json-schema.js';
import type { OptimizerConfig, OptimizerName, RunConfig } from '../../types.js';
import type { ParamGroup } from '../tasks/types.js';

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
    const o = settingsOf(configs, 'sgd');
    this.nesterov = o[0].nesterov;
    this.lr = groups.map((g) => Float32Array.from(configs, (c) => c.lr[g.group]));
    this.momentum = Float32Array.from(o, (c) => c.momentum);
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

/**
 * torch.optim.Adam's rule (torch 1.13, single-tensor, weight_decay 0, amsgrad off), per lane:
 *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g g;
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps;  p -= (lr / (1 - beta1^t)) m / denom.
 * As torch does it: the bias corrections and step size in float64 (Python floats), every tensor
 * operation in float32 with its scalar rounded to float32, in torch's order (addcmul and addcdiv
 * evaluate value * t1 * t2 and value * t1 / t2 left to right).
 */
export class Adam implements Optimizer {
  /** Learning rate of each group and lane, [group][B], float64 as torch's `lr` is a Python float. */
  private readonly lr: Float64Array[];
  private readonly beta1: Float64Array;
  private readonly beta2: Float64Array;
  private readonly eps: Float32Array;
  /** Steps each lane has taken (torch's `state["step"]`). */
  private readonly t: Uint32Array;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(configs: RunConfig[], groups: ParamGroup[]) {
    const o = settingsOf(configs, 'adam');
    this.lr = groups.map((g) => Float64Array.from(configs, (c) => c.lr[g.group]));
    this.beta1 = Float64Array.from(o, (c) => c.beta1);
    this.beta2 = Float64Array.from(o, (c) => c.beta2);
    this.eps = Float32Array.from(o, (c) => c.eps);
    this.t = new Uint32Array(configs.length);
    this.m = groups.map((g) => new Float32Array(g.init.length));
    this.v = groups.map((g) => new Float32Array(g.init.length));
  }

  step(params: Float32Array[], grads: ArrayLike<number>[], alive: Uint8Array): void {
    const lanes = alive.length;
    for (let b = 0; b < lanes; b++) if (alive[b]) this.t[b]++;
    for (let i = 0; i < params.length; i++) {
      const [p, g, m, v] = [params[i], grads[i], this.m[i], this.v[i]];
      const size = p.length / lanes;
      for (let b = 0; b < lanes; b++) {
        if (!alive[b]) continue;
        const [beta1, beta2, t] = [this.beta1[b], this.beta2[b], this.t[b]];
        const [b1, c1, b2, c2, eps] = [f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2), this.eps[b]];
        const stepSize = f32(-(this.lr[i][b] / (1 - beta1 ** t)));
        const correction2 = f32(Math.sqrt(1 - beta2 ** t));
        for (let k = b * size; k < (b + 1) * size; k++) {
          m[k] = f32(f32(m[k] * b1) + f32(c1 * g[k]));
          v[k] = f32(f32(v[k] * b2) + f32(f32(c2 * g[k]) * g[k]));
          const denom = f32(f32(f32(Math.sqrt(v[k])) / correction2) + eps);
          p[k] = f32(p[k] + f32(f32(stepSize * m[k]) / denom));
        }
      }
    }
  }
}

/**
 * torch.optim.RMSprop's rule (torch 1.13, single-tensor, momentum 0, not centered), per lane:
 *   s = alpha s + (1 - alpha) g g;  p -= lr g / (sqrt(s) + eps),
 * every tensor operation in float32 in torch's order, as for Adam.
 */
export class Rmsprop implements Optimizer {
  private readonly lr: Float64Array[];
  private readonly alpha: Float64Array;
  private readonly eps: Float32Array;
  private readonly squares: Float32Array[];

  constructor(configs: RunConfig[], groups: ParamGroup[]) {
    const o = settingsOf(configs, 'rmsprop');
    this.lr = groups.map((g) => Float64Array.from(configs, (c) => c.lr[g.group]));
    this.alpha = Float64Array.from(o, (c) => c.alpha);
    this.eps = Float32Array.from(o, (c) => c.eps);
    this.squares = groups.map((g) => new Float32Array(g.init.length));
  }

  step(params: Float32Array[], grads: ArrayLike<number>[], alive: Uint8Array): void {
    const lanes = alive.length;
    for (let i = 0; i < params.length; i++) {
      const [p, g, s] = [params[i], grads[i], this.squares[i]];
      const size = p.length / lanes;
      for (let b = 0; b < lanes; b++) {
        if (!alive[b]) continue;
        const [a, c, eps, rate] = [
          f32(this.alpha[b]),
          f32(1 - this.alpha[b]),
          this.eps[b],
          f32(-this.lr[i][b]),
        ];
        for (let k = b * size; k < (b + 1) * size; k++) {
          s[k] = f32(f32(s[k] * a) + f32(f32(c * g[k]) * g[k]));
          const avg = f32(f32(Math.sqrt(s[k])) + eps);
          p[k] = f32(p[k] + f32(f32(rate * g[k]) / avg));
        }
      }
    }
  }
}

/** An optimizer as experiment files see it: its options, and its rule over a lane batch. */
export interface OptimizerKind {
  name: OptimizerName;
  /**
   * JSON Schema of each option of its run config besides `name`, with its default (an option
   * without one takes the task's: sgd's momentum) and a description naming the optimizer.
   */
  options: Record<string, JsonSchema>;
  create(configs: RunConfig[], groups: ParamGroup[]): Optimizer;
}

const unit = (description: string, value: number): JsonSchema => ({
  type: 'number',
  minimum: 0,
  exclusiveMaximum: 1,
  default: value,
  description,
});
const eps = (who: string): JsonSchema => ({
  type: 'number',
  exclusiveMinimum: 0,
  default: 1e-8,
  description: `${who}: term added to the denominator (torch eps).`,
});

const KINDS: OptimizerKind[] = [
  {
    name: 'sgd',
    options: {
      momentum: {
        type: 'number',
        minimum: 0,
        exclusiveMaximum: 1,
        description: 'sgd: momentum (torch momentum).',
      },
      nesterov: { type: 'boolean', default: false, description: 'sgd: use Nesterov momentum.' },
    },
    create: (configs, groups) => new Sgd(configs, groups),
  },
  {
    name: 'adam',
    options: {
      beta1: unit('adam: decay of the running mean of gradients (torch betas[0]).', 0.9),
      beta2: unit('adam: decay of the running mean of squared gradients (torch betas[1]).', 0.999),
      eps: eps('adam, rmsprop'),
    },
    create: (configs, groups) => new Adam(configs, groups),
  },
  {
    name: 'rmsprop',
    options: {
      alpha: unit('rmsprop: decay of the running mean of squared gradients (torch alpha).', 0.99),
      eps: eps('adam, rmsprop'),
    },
    create: (configs, groups) => new Rmsprop(configs, groups),
  },
];

/** Every optimizer by name (the first is the default). Adding one: a class above and an entry in KINDS. */
export const optimizers: ReadonlyMap<OptimizerName, OptimizerKind> = new Map(KINDS.map((o) => [o.name, o]));

/** The optimizer of a lane batch (every lane has the same optimizer name: it is in the shape key). */
export function optimizer(configs: RunConfig[], groups: ParamGroup[]): Optimizer {
  const kind = optimizers.get(configs[0].optimizer.name);
  if (!kind) throw new RangeError(`unknown optimizer "${configs[0].optimizer.name}"`);
  return kind.create(configs, groups);
}

/** Every lane's optimizer settings, which must all be of optimizer `name`. */
function settingsOf<N extends OptimizerName>(
  configs: RunConfig[],
  name: N,
): Extract<OptimizerConfig, { name: N }>[] {
  return configs.map((c) => {
    if (c.optimizer.name !== name)
      throw new RangeError(`a lane batch mixes optimizers "${name}" and "${c.optimizer.name}"`);
    return c.optimizer as Extract<OptimizerConfig, { name: N }>;
  });
}
