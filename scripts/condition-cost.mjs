#!/usr/bin/env node
// What the per-step condition check costs inside a whole training step, as it runs in training:
// `LaneTrainer.advance` (loss, gradients, health check, optimizer) timed in rounds of blocks of
// steps, on three trainers of the same cell and start, one per mode, each round one block of each
// in rotating order:
//   off:   no condition check at all (the baseline),
//   host:  every block judged by the host check (train/condition.ts) alone: the check before the
//          native step bounded anything (what the tfjs path still runs),
//   step:  as trained: the native step's bounds (native/condition-bound.ts) on each factor while
//          it is in cache, the host check only for the blocks they do not clear.
// One trainer per mode, because the step's bounds follow each block from step to step (its anchor,
// its move since the last exact drift): a trainer whose modes took turns would hand its `step`
// rounds factors moved by steps the bounds never saw, which cost them more than in training (score
// matching's `precision-cholesky` near the limit at d = 64 read about twice its cost that way).
// The three take the same steps from the same start, so each round's blocks see the same states.
// A mode's cost is the median over rounds of (its block - the round's `off` block), per lane-step;
// its share is that cost over the `off` step. Medians of on-CPU time, over `--rounds` rounds (four
// times as many for a cell that trains on tfjs, whose steps vary more).
//
//   npm run build && node scripts/condition-cost.mjs [--backend native] [--dims 2,4,8,16,32,64]
//     [--tasks score-matching,mvn-classifier] [--parameterizations ...] [--rounds 9] [--processes 1]
//
// Both tasks with a native step: score matching's step is the cheapest per block (so the check's
// largest share), the classifier's walks its points (units = 2 blocks per lane).
//
// Three states of the covariances: `start` (the bench's configs: the identity start), `correlated`
// (a random covariance with condition number 1e3), `near` (condition number 4e6, just under the
// float32 limit 2^23: at larger d only the exact value clears it, then its drift bound). `tiers`
// counts which tier cleared the blocks in `step` mode (step: in the native step; host: the host check).
import { parseArgs } from 'node:util';
import { benchBatch } from '../dist/bench/grid.js';
import { stream } from '../dist/data/random.js';
import { useBackend } from '../dist/engine/backend.js';
import { parameterization } from '../dist/engine/parameterizations/index.js';
import { ConditionCheck } from '../dist/engine/train/condition.js';
import { LaneTrainer } from '../dist/engine/train/train.js';
import { withEigenvalues } from '../dist/ground/dense64.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    dims: { type: 'string', default: '2,4,8,16,32,64' },
    tasks: { type: 'string', default: 'score-matching,mvn-classifier' },
    parameterizations: { type: 'string', default: 'full,tril,log-cholesky,precision-cholesky' },
    rounds: { type: 'string', default: '9' },
    processes: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});

const HEADER = [
  '| task | parameterization | d | lanes | state | step µs/lane (no check) | host check µs/lane | host check / step | check as trained µs/lane | check as trained / step | tiers that cleared | lanes ok at end |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A cell's table row from its measures (µs a lane-step; shares of the `off` step). */
function row(r) {
  const us = (t) => t.toFixed(2);
  const share = (x) => `${(100 * x).toFixed(1)}%`;
  return `| ${r.task} | ${r.name} | ${r.d} | ${r.lanes} | ${r.state} | ${us(r.off)} | ${us(r.host)} | ${share(r.hostShare)} | ${us(r.step)} | ${share(r.stepShare)} | ${r.tiers} | ${r.alive}/${r.lanes} |`;
}

// With --processes N, each cell's row is the median of N processes' (each column on its own), run
// one after another, each with the other options: a process's step and check can sit apart from
// another's as a whole (the classifier's `tril` at d = 8 from the start, in eight runs of that
// cell alone: its step 0.77 to 1.13 us a lane, its check's share 5.7% to 9.3%), which one
// process's rounds do not average out.
if (Number(values.processes) > 1) {
  const { execFileSync } = await import('node:child_process');
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--processes' && all[i - 1] !== '--processes' && !a.startsWith('--processes='));
  const runs = Array.from({ length: Number(values.processes) }, () =>
    execFileSync(process.execPath, [process.argv[1], ...args, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    })
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  );
  console.log(HEADER.join('\n'));
  for (let c = 0; c < runs[0].length; c++) {
    const cells = runs.map((run) => run[c]);
    const of = (key) => median(cells.map((r) => r[key]));
    const tiers = [...new Set(cells.flatMap((r) => (r.tiers === '-' ? [] : r.tiers.split('+'))))].join('+') || '-';
    const alive = Math.min(...cells.map((r) => r.alive));
    console.log(row({ ...cells[0], off: of('off'), host: of('host'), step: of('step'), hostShare: of('hostShare'), stepShare: of('stepShare'), tiers, alive }));
  }
  process.exit(0);
}
await useBackend(values.backend);

// The modes, by wrapping the two halves of the check (the same wrappers called in every mode).
let mode = 'step';
const above = ConditionCheck.prototype.above;
ConditionCheck.prototype.above = function (...args) {
  return mode === 'off' ? undefined : above.apply(this, args);
};
// Absent from a build before the native step bounded anything (to measure that one the same way:
// its `step` mode is then its host check).
const { StepConditionBound } = await import('../dist/engine/native/condition-bound.js').catch(() => ({}));
if (StepConditionBound) {
  // In the other modes the step bounds nothing: what the trainer reads is the mode's (below).
  const block = StepConditionBound.prototype.block;
  // Its arguments by name: a rest parameter would allocate an array per call, only in `step` mode.
  StepConditionBound.prototype.block = function (lane, unit, l, lo, raw, at) {
    if (mode === 'step') block.call(this, lane, unit, l, lo, raw, at);
  };
  // A whole step's blocks (the classifier's lanes; absent from a build before it).
  const blocks = StepConditionBound.prototype.blocks;
  if (blocks)
    StepConditionBound.prototype.blocks = function (memory, copies, factors, raw, alive) {
      if (mode === 'step') blocks.call(this, memory, copies, factors, raw, alive);
    };
  // A step's blocks at d = 2 after its lanes (absent from a build before it bounded them so).
  const closedBlocks = StepConditionBound.prototype.closedBlocks;
  if (closedBlocks)
    StepConditionBound.prototype.closedBlocks = function (factors, raw, alive) {
      if (mode === 'step') closedBlocks.call(this, factors, raw, alive);
    };
  // The pass a step runs before its blocks (absent from a build before it did). Every argument
  // passed on: `blocks` calls it with `calls` false (no `block` call follows for the blocks it
  // clears, so it marks none), and a wrapper that dropped it had the bench mark 128 blocks a step
  // at d = 4 that training does not.
  const prepare = StepConditionBound.prototype.prepare;
  if (prepare)
    StepConditionBound.prototype.prepare = function (raw, at, alive, diagonals, calls) {
      if (mode === 'step') prepare.call(this, raw, at, alive, diagonals, calls);
    };
  // The bounds the trainer reads: in `off` mode every block cleared (0), so it skips the host check
  // as it does a block the step cleared; in `host` mode none (Infinity), the host check judges
  // every block. Arrays made once, so neither mode pays for the step's bookkeeping (nor for
  // setting a bound per block, which would cost each build its own).
  const { NativeStep } = await import('../dist/engine/native/step.js');
  const read = Object.getOwnPropertyDescriptor(NativeStep.prototype, 'conditionBounds').get;
  const fixed = { off: new Map(), host: new Map() };
  Object.defineProperty(NativeStep.prototype, 'conditionBounds', {
    get() {
      const bounds = read.call(this);
      if (mode === 'step' || !bounds) return bounds;
      let b = fixed[mode].get(bounds.length);
      if (!b) {
        b = new Float64Array(bounds.length).fill(mode === 'off' ? 0 : Number.POSITIVE_INFINITY);
        fixed[mode].set(bounds.length, b);
      }
      return b;
    },
  });
}

/** A block's least length, in ms of `off` (`measure`). */
const BLOCK_MS = 50;

/** Steps of each mode before a cell's rounds (`measure`). */
const WARM = 128;

/** How many times `--rounds` a cell that trains on tfjs takes (`measure`). */
const TFJS_ROUNDS = 4;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Eigenvalues from cond down to 1 (a precision no larger than I keeps score-matching's loss in bounds), in a random basis. */
function covarianceWith(cond, d, seed) {
  const rng = stream(seed, 'condition-cost');
  return withEigenvalues(
    Array.from({ length: d }, (_, j) => cond ** (1 - j / (d - 1))),
    () => rng.normal(),
  );
}

const tierText = (tiers) =>
  Object.entries(tiers)
    .filter(([, n]) => n > 0)
    .map(([tier]) => tier)
    .join('+') || '-';

/** One cell's measures (`row`). */
function measure(task, name, d, state) {
  const lanes = d <= 16 ? 64 : 16;
  const cell = { task, parameterization: name, dim: d, lanes, backend: values.backend };
  const p = parameterization(name);
  const modes = ['off', 'host', 'step'];
  const trainers = {};
  for (const m of modes) {
    mode = m;
    let raw;
    const trainer = new LaneTrainer(benchBatch(cell), (_, s) => {
      raw = s.params[s.groups.findIndex((g) => g.group === 'cov')];
    });
    trainer.advance();
    if (state !== 'start') {
      const block = p.fromCovariance(covarianceWith(state === 'near' ? 4e6 : 1e3, d, d), d);
      // Every unit of every lane (the classifier's lanes have one block per category).
      for (let k = 0; k < raw.length / block.length; k++) raw.set(block, k * block.length);
    }
    trainers[m] = trainer;
  }
  /** `steps` steps of mode m's trainer, in on-CPU ms. */
  const run = (m, steps) => {
    mode = m;
    const trainer = trainers[m];
    const t0 = cpuMs();
    for (let i = 0; i < steps && !trainer.done; i++) trainer.advance();
    return cpuMs() - t0;
  };
  // Warmed first: a mode's first steps at a new d run code V8 has not optimized for it yet (at
  // d = 32 up to six times the steady step), and a block size calibrated on them came out at 8
  // to 16 steps instead of 32 to 64, leaving that warm-up in the first third of the measured rounds
  // (the classifier's `tril` at d = 32 from the start read 13% to 42% in about one run of three,
  // its `off` step up with it, instead of 6% to 8%). WARM steps of each mode in turn, or a second of
  // each where steps are slow (tfjs at d = 64).
  for (let done = 0, spent = 0; done < WARM && spent < 1000; done += WARM / 8) {
    spent += run('off', WARM / 8);
    run('host', WARM / 8);
    run('step', WARM / 8);
  }
  // A block of steps takes BLOCK_MS of `off`, up to 64 steps: one step at d = 2 is under the
  // clock's resolution, and near the limit the check's exact tier comes in bursts (re-anchoring,
  // about every 20 to 30 steps at d = 64), which blocks of a few steps leave out of the median
  // (score matching's `precision-cholesky` near the limit at d = 64: 8.6% in blocks of 8 steps,
  // while their mean over 60 blocks was 18% to 20%; 10.7% to 11.0% in blocks of 64).
  let steps = 1;
  for (let spent = 0; spent < BLOCK_MS && steps < 64; steps *= 2) {
    spent = run('off', steps);
    run('host', steps);
    run('step', steps);
  }
  const trainer = trainers.step;
  const stepTiers = trainer.native?.condition?.tiers;
  const hostTiers = trainer.health.condition.tiers;
  const counted = () => ({ ...stepTiers, ...Object.fromEntries(Object.entries(hostTiers).map(([k, n]) => [`host ${k}`, n])) });
  const used = {};
  const ms = { off: [], host: [], step: [] };
  // A step on tfjs (the classifier's `precision-cholesky`) varies by more than the check costs
  // (its tensors' allocation and collection): four times the rounds there, so that its median
  // settles (at 25 rounds its cells read from -11% to 28% at d = 64, at 101 from 3.5% to 6.5%).
  const rounds = Number(values.rounds) * (trainer.engine === 'native' ? 1 : TFJS_ROUNDS);
  for (let k = 0; k < rounds && !trainer.done; k++)
    for (let m = 0; m < 3; m++) {
      const at = modes[(m + k) % 3];
      const before = counted();
      ms[at].push(run(at, steps) / steps);
      if (at === 'step') for (const [tier, n] of Object.entries(counted())) used[tier] = (used[tier] ?? 0) + n - before[tier];
    }
  mode = 'step';
  const alive = trainer.finish().filter((r) => r.outcome === 'ok').length;
  for (const m of modes) trainers[m].dispose();
  const done = ms.off.length;
  const cost = (m) => median(ms[m].slice(0, done).map((t, k) => t - ms.off[k]));
  const off = median(ms.off);
  const us = (t) => (t * 1000) / lanes;
  return {
    task,
    name,
    d,
    lanes,
    state,
    off: us(off),
    host: us(cost('host')),
    hostShare: cost('host') / off,
    step: us(cost('step')),
    stepShare: cost('step') / off,
    tiers: tierText(used),
    alive,
  };
}

// First cells, not shown: the JIT's warm-up would land on the first rows (d = 2 has its own path,
// and `near` at d = 8 runs every tier).
const first = [values.tasks.split(',')[0], values.parameterizations.split(',')[0]];
measure(...first, 2, 'start');
measure(...first, 8, 'near');
const rows = [];
for (const task of values.tasks.split(','))
  for (const name of values.parameterizations.split(','))
    for (const d of values.dims.split(',').map(Number))
      for (const state of ['start', 'correlated', 'near']) {
        rows.push(measure(task, name, d, state));
        process.stderr.write(`${row(rows.at(-1))}\n`);
      }
if (values.json) console.log(rows.map((r) => JSON.stringify(r)).join('\n'));
else console.log([...HEADER, ...rows.map(row)].join('\n'));
