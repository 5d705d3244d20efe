#!/usr/bin/env node
// What the per-step condition check (src/engine/train/condition.ts) costs next to a whole training step,
// measured side by side in one process: blocks of `LaneTrainer.advance` (loss, gradients, health
// check with the condition check, optimizer) alternate with blocks of the condition check alone
// over the same lanes' current parameters, and the medians of their on-CPU times are compared.
//
//   npm run build && node scripts/condition-cost.mjs [--backend wasm] [--dims 2,8,16,32,64]
//
// Three states of the covariances: `start` (the bench's configs: the identity start, which the O(d^2)
// bound clears), `correlated` (a random covariance with condition number 1e3: the bound may not
// clear it at larger d, the trace bound does), `near` (condition number 4e6, just under the
// float32 limit: at larger d only the exact value clears it once, then the drift bound from it).
// `first check` is a fresh check's first call on a lane's block: what a block costs when it
// needs its exact value (once, then whenever it drifts far from it).
import { parseArgs } from 'node:util';
import { useBackend } from '../dist/engine/backend.js';
import { benchBatch } from '../dist/bench/grid.js';
import { ConditionCheck } from '../dist/engine/train/condition.js';
import { parameterization } from '../dist/engine/parameterizations/index.js';
import { LaneTrainer } from '../dist/engine/train/train.js';
import { stream } from '../dist/data/random.js';
import { withEigenvalues } from '../dist/ground/dense64.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    dims: { type: 'string', default: '2,8,16,32,64' },
    parameterizations: { type: 'string', default: 'full,tril,log-cholesky' },
    blocks: { type: 'string', default: '7' },
  },
});
await useBackend(values.backend);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Eigenvalues from cond down to 1 (a precision no larger than I keeps score-matching's loss in bounds), in a random basis. */
function covarianceWith(cond, d, seed) {
  const rng = stream(seed, 'condition-cost');
  return withEigenvalues(
    Array.from({ length: d }, (_, j) => cond ** (1 - j / (d - 1))),
    () => rng.normal(),
  );
}

const rows = [];
for (const name of values.parameterizations.split(','))
  for (const d of values.dims.split(',').map(Number))
    for (const state of ['start', 'correlated', 'near']) {
      const lanes = d <= 16 ? 64 : 16;
      const cell = { task: 'score-matching', parameterization: name, dim: d, lanes, backend: values.backend };
      const batch = benchBatch(cell);
      const p = parameterization(name);
      let raw;
      const trainer = new LaneTrainer(batch, (_, s) => {
        raw = s.params[s.groups.findIndex((g) => g.group === 'cov')];
      });
      trainer.advance();
      if (state !== 'start') {
        const block = p.fromCovariance(covarianceWith(state === 'near' ? 4e6 : 1e3, d, d), d);
        for (let b = 0; b < lanes; b++) raw.set(block, b * block.length);
      }
      const size = raw.length / lanes;
      let t0 = cpuMs();
      const fresh = new ConditionCheck(p, d);
      for (let b = 0; b < lanes; b++) fresh.above(raw, b * size, 2 ** 23);
      const firstMs = cpuMs() - t0;
      const tiers = Object.entries(fresh.tiers)
        .filter(([, n]) => n > 0)
        .map(([tier]) => tier)
        .join('+');
      const check = new ConditionCheck(p, d);
      const checkAll = () => {
        for (let b = 0; b < lanes; b++) check.above(raw, b * size, 2 ** 23);
      };
      // Repeat each side until a block takes a few ms: one check at d = 2 is under the clock's resolution.
      let reps = 1;
      for (let t0 = cpuMs(); cpuMs() - t0 < 5; reps *= 2) for (let i = 0; i < reps; i++) checkAll();
      let steps = 1;
      for (let t0 = cpuMs(); cpuMs() - t0 < 5 && steps < 64; steps *= 2) for (let i = 0; i < steps; i++) trainer.advance();
      const stepMs = [];
      const checkMs = [];
      for (let k = 0; k < Number(values.blocks) && !trainer.done; k++) {
        t0 = cpuMs();
        for (let i = 0; i < steps && !trainer.done; i++) trainer.advance();
        stepMs.push((cpuMs() - t0) / steps);
        t0 = cpuMs();
        for (let i = 0; i < reps; i++) checkAll();
        checkMs.push((cpuMs() - t0) / reps);
      }
      const alive = trainer.finish().filter((r) => r.outcome === 'ok').length;
      trainer.dispose();
      const [s, c] = [median(stepMs), median(checkMs)];
      rows.push(
        `| ${name} | ${d} | ${lanes} | ${state} | ${(s * 1000 / lanes).toFixed(1)} | ${(c * 1000 / lanes).toFixed(2)} | ${((100 * c) / s).toFixed(1)}% | ${((firstMs * 1000) / lanes).toFixed(1)} (${tiers}) | ${alive}/${lanes} |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
    }
console.log(
  '| parameterization | d | lanes | state | step µs/lane | check µs/lane | check / step | first check µs/lane (tier) | lanes ok at end |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
console.log(rows.join('\n'));
