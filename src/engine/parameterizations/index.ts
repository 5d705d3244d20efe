import { diag } from './diag.js';
import { full } from './full.js';
import { fullJitter } from './full-jitter.js';
import { givens } from './givens.js';
import { logCholesky } from './log-cholesky.js';
import { lowrank } from './lowrank.js';
import { matrixExp } from './matrix-exp.js';
import { precisionCholesky } from './precision-cholesky.js';
import { softplusCholesky } from './softplus-cholesky.js';
import { spherical } from './spherical.js';
import { tril } from './tril.js';
import type { Parameterization } from './types.js';

export type { FactorOutput, Parameterization } from './types.js';

/** Every parameterization by name (the first is the default). Adding one: a file beside this one and a line here. */
export const parameterizations: ReadonlyMap<string, Parameterization> = new Map(
  [
    full,
    fullJitter,
    tril,
    logCholesky,
    softplusCholesky,
    precisionCholesky,
    diag,
    lowrank,
    matrixExp,
    spherical,
    givens,
  ].map((p) => [p.name, p]),
);

export function parameterization(name: string): Parameterization {
  const p = parameterizations.get(name);
  if (!p) throw new RangeError(`unknown parameterization "${name}"`);
  return p;
}
