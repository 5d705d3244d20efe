import type { JsonSchema } from '../../ground/json-schema.js';
import type { OptimizerConfig, OptimizerName, RunConfig } from '../../types.js';
import { type WasmKernels, wasmKernels } from '../ops/wasm.js';
import type { ParamGroup } from '../tasks/types.js';
import { type GroupUpdate, LaneChunks, type LanesKernel, SLOTS } from './optim-wasm.js';

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
  step(params: Float32Array[], grads: Float32Array[], alive: Uint8Array): void;
  /**
   * After a `step`, per lane: 1 when a lane it updated has a parameter that is non-finite or
   * beyond the lane's divergence bound (Health.outOfBounds of the new parameters, found in the
   * update's own pass instead of a second one); 0 for lanes not alive. Undefined before the first
   * step and for an optimizer that does not look (the trainer then scans).
   */
  readonly outOfBounds?: Uint8Array;
}

const f32 = Math.fround;

/**
 * The loop every rule shares: per group, each lane's coefficients (SLOTS float32 a lane), then
 * the update of every live lane, by the WebAssembly kernel (assembly/optim.ts) when there is one
 * or by the rule's JavaScript loop, its twin: the same float32 operations in the same order, so
 * the numbers do not depend on which ran. Both flag parameters that leave the lane's bound.
 */
abstract class LaneOptimizer implements Optimizer {
  outOfBounds?: Uint8Array;
  /** Each lane's divergence bound as float32, the parameters' precision (as Health compares it). */
  private readonly bound: Float32Array;
  private readonly bad: Uint8Array;
  private readonly chunks?: LaneChunks;
  protected readonly kernels?: WasmKernels;
  /** Per group, each lane's coefficients. */
  protected readonly coef: Float32Array[];
  /** Per group, the rule's state arrays. */
  protected readonly states: Float32Array[][];

  constructor(
    configs: RunConfig[],
    groups: ParamGroup[],
    /** The kernels, or null for the JavaScript loops (the tests' twins; undefined would mean the default). */
    kernels: WasmKernels | null,
    /** How many state arrays the rule keeps per group (zeros at first, like torch's). */
    states: 1 | 2,
  ) {
    this.states = groups.map((g) => Array.from({ length: states }, () => new Float32Array(g.init.length)));
    this.bound = Float32Array.from(configs, (c) => c.thresholds.divergence_bound);
    this.bad = new Uint8Array(configs.length);
    this.coef = groups.map(() => new Float32Array(configs.length * SLOTS));
    this.kernels = kernels ?? undefined;
    this.chunks = kernels ? new LaneChunks(kernels) : undefined;
  }

  step(params: Float32Array[], grads: Float32Array[], alive: Uint8Array): void {
    const { bad, bound } = this;
    bad.fill(0);
    this.begin(alive);
    for (let i = 0; i < params.length; i++) {
      this.coefficients(i, alive);
      const size = params[i].length / alive.length;
      const u = {
        size,
        p: params[i],
        g: grads[i],
        states: this.states[i],
        coef: this.coef[i],
        alive,
        bound,
        bad,
      };
      if (this.chunks) this.chunks.run(this.kernel, u);
      else this.host(u);
    }
    this.outOfBounds = bad;
  }

  /** Before a step's groups: per-lane bookkeeping (Adam's step counts). */
  protected begin(_alive: Uint8Array): void {}
  /** Fill `coef[i]` for group i's live lanes, where they change from step to step. */
  protected coefficients(_i: number, _alive: Uint8Array): void {}
  /** The WebAssembly kernel of the rule. */
  protected abstract kernel: LanesKernel;
  /** The JavaScript twin of `kernel`, over one group of every lane in host memory. */
  protected abstract host(u: GroupUpdate): void;
}

/**
 * torch.optim.SGD's rule (dampening 0), every lane with its own learning rate
 * per parameter group and its own momentum:
 *   buf = momentum * buf + g;  p -= lr * (nesterov ? g + momentum * buf : buf).
 * Every operation is rounded to float32, as the same expression in float32
 * tensor ops would be (a float32 product or sum computed in float64 and
 * rounded once is the correctly rounded float32 result), so a lane's numbers
 * do not depend on which backend or loop computed them.
 */
export class Sgd extends LaneOptimizer {
  private readonly nesterov: boolean;

  constructor(
    configs: RunConfig[],
    groups: ParamGroup[],
    kernels: WasmKernels | null = wasmKernels() ?? null,
  ) {
    super(configs, groups, kernels, 1);
    const o = settingsOf(configs, 'sgd');
    this.nesterov = o[0].nesterov;
    // Coefficients: momentum, learning rate (float32 like the parameters); the same every step.
    for (const [i, g] of groups.entries())
      for (const [b, c] of configs.entries()) this.coef[i].set([o[b].momentum, c.lr[g.group]], b * SLOTS);
  }

  protected kernel: LanesKernel = (lanes, size, p, g, s0, _s1, coef, alive, bound, bad) =>
    this.kernels!.exports.sgdLanes(lanes, size, this.nesterov, p, g, s0, coef, alive, bound, bad);

  protected host({ size, p, g, states: [buf], coef, alive, bound, bad }: GroupUpdate): void {
    const nesterov = this.nesterov;
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      const [m, rate, limit] = [coef[b * SLOTS], coef[b * SLOTS + 1], bound[b]];
      for (let k = b * size; k < (b + 1) * size; k++) {
        const next = f32(f32(m * buf[k]) + g[k]);
        buf[k] = next;
        p[k] = f32(p[k] - f32(rate * (nesterov ? f32(g[k] + f32(m * next)) : next)));
        // `<=` is false for NaN, so this flags non-finite values too.
        if (!(Math.abs(p[k]) <= limit)) bad[b] = 1;
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
export class Adam extends LaneOptimizer {
  /** Learning rate of each group and lane, [group][B], float64 as torch's `lr` is a Python float. */
  private readonly lr: Float64Array[];
  private readonly beta1: Float64Array;
  private readonly beta2: Float64Array;
  private readonly eps: Float32Array;
  /** Steps each lane has taken (torch's `state["step"]`). */
  private readonly t: Uint32Array;

  constructor(
    configs: RunConfig[],
    groups: ParamGroup[],
    kernels: WasmKernels | null = wasmKernels() ?? null,
  ) {
    super(configs, groups, kernels, 2);
    const o = settingsOf(configs, 'adam');
    this.lr = groups.map((g) => Float64Array.from(configs, (c) => c.lr[g.group]));
    this.beta1 = Float64Array.from(o, (c) => c.beta1);
    this.beta2 = Float64Array.from(o, (c) => c.beta2);
    this.eps = Float32Array.from(o, (c) => c.eps);
    this.t = new Uint32Array(configs.length);
  }

  protected override begin(alive: Uint8Array): void {
    for (let b = 0; b < alive.length; b++) if (alive[b]) this.t[b]++;
  }

  /** beta1, 1 - beta1, beta2, 1 - beta2, eps, step size (negative), sqrt(1 - beta2^t): the float32 scalars of torch's ops. */
  protected override coefficients(i: number, alive: Uint8Array): void {
    const coef = this.coef[i];
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      const [beta1, beta2, t] = [this.beta1[b], this.beta2[b], this.t[b]];
      const at = b * SLOTS;
      coef[at] = beta1;
      coef[at + 1] = 1 - beta1;
      coef[at + 2] = beta2;
      coef[at + 3] = 1 - beta2;
      coef[at + 4] = this.eps[b];
      coef[at + 5] = -(this.lr[i][b] / (1 - beta1 ** t));
      coef[at + 6] = Math.sqrt(1 - beta2 ** t);
    }
  }

  protected kernel: LanesKernel = (lanes, size, p, g, s0, s1, coef, alive, bound, bad) =>
    this.kernels!.exports.adamLanes(lanes, size, p, g, s0, s1, coef, alive, bound, bad);

  protected host({ size, p, g, states: [m, v], coef, alive, bound, bad }: GroupUpdate): void {
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      const at = b * SLOTS;
      const [b1, c1, b2, c2, eps] = [coef[at], coef[at + 1], coef[at + 2], coef[at + 3], coef[at + 4]];
      const [stepSize, correction2] = [coef[at + 5], coef[at + 6]];
      for (let k = b * size; k < (b + 1) * size; k++) {
        m[k] = f32(f32(m[k] * b1) + f32(c1 * g[k]));
        v[k] = f32(f32(v[k] * b2) + f32(f32(c2 * g[k]) * g[k]));
        const denom = f32(f32(f32(Math.sqrt(v[k])) / correction2) + eps);
        p[k] = f32(p[k] + f32(f32(stepSize * m[k]) / denom));
        if (!(Math.abs(p[k]) <= bound[b])) bad[b] = 1;
      }
    }
  }
}

/**
 * torch.optim.RMSprop's rule (torch 1.13, single-tensor, momentum 0, not centered), per lane:
 *   s = alpha s + (1 - alpha) g g;  p -= lr g / (sqrt(s) + eps),
 * every tensor operation in float32 in torch's order, as for Adam.
 */
export class Rmsprop extends LaneOptimizer {
  constructor(
    configs: RunConfig[],
    groups: ParamGroup[],
    kernels: WasmKernels | null = wasmKernels() ?? null,
  ) {
    super(configs, groups, kernels, 1);
    const o = settingsOf(configs, 'rmsprop');
    // Coefficients: alpha, 1 - alpha, eps, -lr (lr a float64 Python float, each rounded once to float32).
    for (const [i, g] of groups.entries())
      for (const [b, c] of o.entries())
        this.coef[i].set([c.alpha, 1 - c.alpha, c.eps, -configs[b].lr[g.group]], b * SLOTS);
  }

  protected kernel: LanesKernel = (lanes, size, p, g, s0, _s1, coef, alive, bound, bad) =>
    this.kernels!.exports.rmspropLanes(lanes, size, p, g, s0, coef, alive, bound, bad);

  protected host({ size, p, g, states: [s], coef, alive, bound, bad }: GroupUpdate): void {
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      const at = b * SLOTS;
      const [a, c, eps, rate] = [coef[at], coef[at + 1], coef[at + 2], coef[at + 3]];
      for (let k = b * size; k < (b + 1) * size; k++) {
        s[k] = f32(f32(s[k] * a) + f32(f32(c * g[k]) * g[k]));
        const avg = f32(f32(Math.sqrt(s[k])) + eps);
        p[k] = f32(p[k] + f32(f32(rate * g[k]) / avg));
        if (!(Math.abs(p[k]) <= bound[b])) bad[b] = 1;
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
