import type { Parameterization } from '../parameterizations/types.js';
import type { ParamGroup } from '../tasks/types.js';
import type { Optimizer } from './optim.js';

/**
 * `opt` with the parameterization's update hooks (`Parameterization.update`) on the covariance
 * group: each live lane's raw blocks get their `direction` before the optimizer's step and their
 * `retract` after it, one block (unit) at a time, in float64 and rounded once to float32 when
 * stored. Lane by lane, so a lane's numbers do not depend on its batch. Without hooks, `opt` itself.
 */
export function withUpdate(opt: Optimizer, p: Parameterization, groups: ParamGroup[], d: number): Optimizer {
  const hooks = p.update;
  const cov = groups.findIndex((g) => g.group === 'cov');
  if (!hooks || cov < 0) return opt;
  const block = p.rawShape(d).reduce((a, b) => a * b, 1);
  /** Calls `f(start)` for the first element of every block of every live lane. */
  const eachBlock = (length: number, alive: Uint8Array, f: (start: number) => void) => {
    const size = length / alive.length;
    for (let b = 0; b < alive.length; b++) {
      if (!alive[b]) continue;
      for (let start = b * size; start < (b + 1) * size; start += block) f(start);
    }
  };
  // The hooks' float64 copies of a block, reused from block to block (valid during a call only).
  const scratch = [new Float64Array(block), new Float64Array(block)];
  const at = (a: ArrayLike<number>, start: number, k: number) => {
    const out = scratch[k];
    // A typed-array copy (float32 to float64, exact) beats an element loop from 64 elements on
    // (maps.ts); below, making the view costs more than it saves.
    if (block >= 64 && a instanceof Float32Array) out.set(a.subarray(start, start + block));
    else for (let i = 0; i < block; i++) out[i] = a[start + i];
    return out;
  };
  // Step to step: the directions given to the optimizer, and the blocks before its step.
  const direction = new Float32Array(groups[cov].init.length);
  const before = new Float32Array(hooks.retract ? groups[cov].init.length : 0);
  return {
    // A retraction moves the parameters after the optimizer's pass that flagged them.
    get outOfBounds() {
      return hooks.retract ? undefined : opt.outOfBounds;
    },
    step(params, grads, alive) {
      const raw = params[cov];
      let given = grads;
      if (hooks.direction) {
        // A stopped lane's gradient passes unchanged (the optimizer leaves its lane alone).
        direction.set(grads[cov]);
        eachBlock(raw.length, alive, (s) =>
          direction.set(hooks.direction!(at(raw, s, 0), at(grads[cov], s, 1), d), s),
        );
        given = grads.map((g, i) => (i === cov ? direction : g));
      }
      if (hooks.retract) before.set(raw);
      opt.step(params, given, alive);
      if (hooks.retract)
        eachBlock(raw.length, alive, (s) => raw.set(hooks.retract!(at(before, s, 0), at(raw, s, 1), d), s));
    },
  };
}
