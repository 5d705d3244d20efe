#!/usr/bin/env node
// Where a worker's time goes on one lane batch, phase by phase, as it runs in `covsweep run`: each
// repetition a fresh process (a worker's first batch: nothing compiled or warm yet) takes the
// experiment's first batch (packed as the pool packs it for --workers) through the worker's path:
//   backend: choosing it (backendFor 'auto': a one-lane trainer tells whether the step is native),
//   setup:   the trainer (every lane's data, the step's buffers),
//   step 1:  the first step, steps 2-60: the warm-up, steady: the steps after them (per step too),
//   finish:  the results (end-of-run metrics, final parameters as shortest float32s),
//   lines:   each result's line (results/line.ts's lineTail, as the worker makes them).
// Each phase's on-CPU time on the main thread and on the process's other threads (V8's concurrent
// compilers and garbage collector: in `covsweep run` every worker has its own, on the same cores),
// from /proc/self/task/*/schedstat (Linux); the median over --repeat processes.
//
//   npm run build && node scripts/cold-phases.mjs ../shared/peers/speed-d16.yaml [--workers 2] [--repeat 7]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The warm-up phase's last step. */
const WARM = 60;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workers: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '7' },
    child: { type: 'string' },
  },
});

if (values.child) await child(values.child);
else await parent();

async function parent() {
  const [file] = positionals;
  if (!file) fail('usage: node scripts/cold-phases.mjs EXPERIMENT.yaml [--workers N] [--repeat R]');
  if (!readableSchedstat()) fail('cold-phases: needs Linux /proc/self/task/*/schedstat for per-thread CPU times');
  const workers = positiveInt(values.workers, '--workers');
  const repeat = positiveInt(values.repeat, '--repeat');
  const { loadSuite } = await import('../dist/config/load.js');
  const { runsOf } = await import('../dist/plan/expand.js');
  const { packRuns } = await import('../dist/session/run.js');
  const batches = packRuns(runsOf(loadSuite(file).experiments), workers);
  const batch = batches[0];
  const dir = mkdtempSync(join(tmpdir(), 'covsweep-cold-'));
  const batchFile = join(dir, 'batch.json');
  try {
    writeFileSync(batchFile, JSON.stringify(batch));
    const runs = [];
    for (let r = 0; r < repeat; r++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', batchFile], {
        encoding: 'utf8',
      });
      runs.push(JSON.parse(out));
    }
    report(file, batches.length, batch, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(file, count, batch, runs) {
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const { steps, phases } = runs[0];
  console.log(
    `${file}: batch 1 of ${count}, ${batch.runs.length} lanes, ${steps} steps; ` +
      `on-CPU ms, median of ${runs.length} fresh processes`,
  );
  console.log('phase'.padEnd(12) + 'main'.padStart(8) + 'other'.padStart(8));
  const total = [0, 0];
  for (const [name] of phases) {
    const at = (r) => r.phases.find((p) => p[0] === name);
    const main = median(runs.map((r) => at(r)[1]));
    const other = median(runs.map((r) => at(r)[2]));
    total[0] += main;
    total[1] += other;
    console.log(name.padEnd(12) + main.toFixed(0).padStart(8) + other.toFixed(0).padStart(8));
  }
  console.log('total'.padEnd(12) + total[0].toFixed(0).padStart(8) + total[1].toFixed(0).padStart(8));
  const steady = runs[0].phases.find((p) => p[0] === 'steady');
  if (steady && steps > WARM)
    console.log(`steady step: ${(median(runs.map((r) => r.phases.find((p) => p[0] === 'steady')[1])) / (steps - WARM)).toFixed(2)} ms main`);
}

/** One batch through the worker's path in this process, each phase's CPU times printed as JSON. */
async function child(batchFile) {
  const batch = JSON.parse(readFileSync(batchFile, 'utf8'));
  const { backendFor } = await import('../dist/engine/auto-backend.js');
  const { LaneTrainer } = await import('../dist/engine/train/train.js');
  const { lineTail } = await import('../dist/results/line.js');
  const phases = [];
  let last = threadTimes();
  const mark = (name) => {
    const now = threadTimes();
    phases.push([name, now.main - last.main, now.other - last.other]);
    last = threadTimes();
  };
  const backend = await backendFor('auto', batch);
  mark('backend');
  const trainer = new LaneTrainer(batch, undefined, backend === 'native');
  mark('setup');
  trainer.advance();
  mark('step 1');
  while (!trainer.done && trainer.step < WARM) trainer.advance();
  mark(`steps 2-${WARM}`);
  while (!trainer.done) trainer.advance();
  mark('steady');
  const results = trainer.finish();
  mark('finish');
  results.map(lineTail);
  mark('lines');
  trainer.dispose();
  process.stdout.write(JSON.stringify({ steps: trainer.step, phases }));
}

/** On-CPU ms so far of this process's main thread and of all its other threads. */
function threadTimes() {
  const ms = (task) => {
    try {
      return Number(readFileSync(`/proc/self/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return 0; // a thread that ended meanwhile
    }
  };
  const main = ms(process.pid);
  const all = readdirSync('/proc/self/task').reduce((sum, task) => sum + ms(task), 0);
  return { main, other: all - main };
}

function readableSchedstat() {
  try {
    readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

function positiveInt(text, flag) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`cold-phases: ${flag} must be a positive integer, got '${text}'`);
  return n;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
