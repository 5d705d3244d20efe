import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSuite } from '../config/load.js';
import { task } from '../engine/tasks/index.js';
import { runCount } from '../plan/expand.js';
import { forgetReports } from '../report/cache-files.js';
import type { Peer } from './peer.js';

const BIN = fileURLToPath(new URL('../../bin/covsweep.js', import.meta.url));

/** One speed experiment: `speed-dD.yaml`, whose runs the peer trains as RUNS lanes of D for STEPS steps. */
export interface SpeedExperiment {
  file: string;
  dim: number;
  runs: number;
  steps: number;
}

/**
 * covsweep's own speed experiments, for the d the files beside the peer script leave out (issue
 * 12 asks for d = 2, 4, 8, 16, 32 and 64; ../shared/peers has 2, 8, 16 and 32): beside the peers
 * covsweep ships.
 */
export const OWN_SPEED_DIR = fileURLToPath(new URL('../../python/peers', import.meta.url));

/**
 * The `speed-dD.yaml` files beside the peer script and then in OWN_SPEED_DIR, one per d (the
 * peer's folder first: its files are the ones the issue measured), d ascending; only the d of
 * `dims` when given.
 */
export function speedExperiments(peer: Peer, dims?: readonly number[]): SpeedExperiment[] {
  const byDim = new Map<number, SpeedExperiment>();
  for (const dir of [dirname(peer.script), OWN_SPEED_DIR]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)
      .filter((name) => /^speed-d\d+\.yaml$/.test(name))
      .sort()) {
      const [e] = loadSuite(join(dir, f)).experiments;
      const dim = e.base.dim;
      if (byDim.has(dim) || (dims && !dims.includes(dim))) continue;
      byDim.set(dim, {
        file: join(dir, f),
        dim,
        runs: runCount(e),
        steps: task(e.base.task.name).steps(e.base),
      });
    }
  }
  return [...byDim.values()].sort((a, b) => a.dim - b.dim);
}

export interface EndToEnd {
  experiment: SpeedExperiment;
  /** Median wall-clock seconds of the whole `covsweep run` process, or why it failed. */
  covsweep: number | string;
  /** The same of the whole peer process (`TORCH_THREADS` threads), or why it failed or did not run. */
  peer: number | string;
}

/**
 * Time `covsweep run FILE` (default workers, into a temporary folder) and
 * `TORCH_THREADS=threads python torch_lanes.py RUNS D STEPS` as whole
 * processes, as a user waits for them (start-up, torch's import and reports
 * included): the median of `repeat` tries each, taken one after the other.
 * Every covsweep try draws its plots (and retraces) afresh, as a new
 * experiment's report does: the tries repeat one experiment, and kept drawings would flatter them.
 * `peerMissing` says why the peer is not run at all.
 */
export function timeEndToEnd(
  e: SpeedExperiment,
  peer: Peer,
  o: { repeat: number; threads: number; peerMissing?: string },
): EndToEnd {
  const covsweep = medianSeconds(o.repeat, () => {
    const out = mkdtempSync(join(tmpdir(), 'covsweep-e2e-'));
    forgetReports();
    try {
      return spawnSync(process.execPath, [BIN, 'run', e.file, '--out', out], { encoding: 'utf8' });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
  const args = [peer.script, String(e.runs), String(e.dim), String(e.steps)];
  const env = { ...process.env, TORCH_THREADS: String(o.threads) };
  const peerTime =
    o.peerMissing ?? medianSeconds(o.repeat, () => spawnSync(peer.python, args, { encoding: 'utf8', env }));
  return { experiment: e, covsweep, peer: peerTime };
}

function medianSeconds(
  repeat: number,
  run: () => { status: number | null; stderr: string; error?: Error },
): number | string {
  const seconds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const r = run();
    if (r.status !== 0) return `failed: ${r.error?.message ?? r.stderr.trim().split('\n').at(-1)}`;
    seconds.push((performance.now() - t0) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)];
}

/** The issue's end-to-end table: d, runs x steps, both wall-clock times, covsweep's speed-up. */
export function endToEndMarkdown(
  rows: EndToEnd[],
  o: { command: string; threads: number; note?: string },
): string {
  const s = (x: number | string) => (typeof x === 'number' ? `${x.toFixed(1)} s` : x);
  return [
    '## End to end',
    '',
    `Written by \`${o.command}\`: \`covsweep run speed-dD.yaml\` (default workers) against \`TORCH_THREADS=${o.threads} python3 torch_lanes.py RUNS D STEPS\` on the same runs and steps, each timed as a whole process (start-up, torch's import and reports included, covsweep's plots drawn afresh each try), the median of the tries.${o.note ? ` ${o.note}` : ''}`,
    '',
    '| d | runs x steps | covsweep run | batched PyTorch | covsweep speed-up |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(({ experiment: e, covsweep, peer }) => {
      const ratio =
        typeof covsweep === 'number' && typeof peer === 'number' ? `${(peer / covsweep).toFixed(2)}x` : '';
      return `| ${e.dim} | ${e.runs} x ${e.steps} | ${s(covsweep)} | ${s(peer)} | ${ratio} |`;
    }),
    '',
  ].join('\n');
}
