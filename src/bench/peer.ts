import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parameterizationSpecs } from '../engine/parameterizations/specs.js';

/**
 * A batched PyTorch peer: a script that trains B runs of one task as one batched torch
 * computation. The classifier's `full` peer (`torch_lanes.py`: seed 000's task) lives beside the
 * repository, in ../shared/peers; `COVSWEEP_PEER` (or `--peer-script`) points elsewhere. The peers
 * of every built-in parameterization ship with covsweep, in python/peers: the classifier's
 * (`torch_classifier.py`, torch_lanes.py's program around each parameterization's map) and score
 * matching's (`torch_score_matching.py`: seed 001's task), both on the maps of `torch_maps.py`.
 * `COVSWEEP_PYTHON` (or `--python`) names the interpreter that has torch.
 */
export interface Peer {
  python: string;
  script: string;
}

export const DEFAULT_PEER_SCRIPT = fileURLToPath(
  new URL('../../../shared/peers/torch_lanes.py', import.meta.url),
);

export const SCORE_MATCHING_PEER_SCRIPT = fileURLToPath(
  new URL('../../python/peers/torch_score_matching.py', import.meta.url),
);

export const CLASSIFIER_PEER_SCRIPT = fileURLToPath(
  new URL('../../python/peers/torch_classifier.py', import.meta.url),
);

/**
 * The parameterizations python/peers/torch_maps.py writes in torch: every built-in one, with its
 * options' defaults (the bench's); a test checks the script lists the same.
 */
export const PEER_PARAMETERIZATIONS = [...parameterizationSpecs.keys()];

/** The parameterization every row is also compared with: what the classifier's reference peer runs. */
export const FULL = 'full';

/** A task's peer under `bench --peer`, and the parameterizations it runs. */
export interface TaskPeer extends Peer {
  task: string;
  parameterizations: string[];
  /** Whether the script takes the parameterization as its 4th argument (torch_lanes.py is `full` only). */
  takesParameterization: boolean;
}

/**
 * Each task's peers, one script per parameterization: the classifier's `full` from `peer`
 * (torch_lanes.py, the peer BENCHMARKS.md has always measured) and its others from
 * torch_classifier.py; score matching's all from torch_score_matching.py (same python).
 */
export function taskPeers(peer: Peer): TaskPeer[] {
  const shipped = (task: string, script: string, parameterizations: string[]): TaskPeer => ({
    task,
    python: peer.python,
    script,
    parameterizations,
    takesParameterization: true,
  });
  return [
    { task: 'mvn-classifier', ...peer, parameterizations: [FULL], takesParameterization: false },
    shipped(
      'mvn-classifier',
      CLASSIFIER_PEER_SCRIPT,
      PEER_PARAMETERIZATIONS.filter((p) => p !== FULL),
    ),
    shipped('score-matching', SCORE_MATCHING_PEER_SCRIPT, PEER_PARAMETERIZATIONS),
  ];
}

export function peerOf(o: { python?: string; script?: string } = {}): Peer {
  return {
    python: o.python ?? process.env.COVSWEEP_PYTHON ?? 'python3',
    script: o.script ?? process.env.COVSWEEP_PEER ?? DEFAULT_PEER_SCRIPT,
  };
}

/** Why the peer cannot be timed here (no script, no python, no torch), or undefined when it can. */
export function peerMissing(peer: Peer): string | undefined {
  if (!existsSync(peer.script))
    return `the peer script ${peer.script} is not there (--peer-script or COVSWEEP_PEER names another)`;
  const probe = spawnSync(peer.python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error)
    return `"${peer.python}" does not run (${probe.error.message}); --python or COVSWEEP_PYTHON names another`;
  if (probe.status !== 0)
    return `"${peer.python}" has no torch (install it with \`apt-get install -y python3-torch\`, or name another python with --python or COVSWEEP_PYTHON)`;
  return undefined;
}

/** Where a peer ran: its task and parameterization, lanes, d and steps. */
export interface PeerCell {
  task: string;
  parameterization: string;
  lanes: number;
  dim: number;
  steps: number;
}

export type PeerMeasured =
  | (PeerCell & { laneStepsPerSecond: number; alive: number })
  | (PeerCell & { error: string });

const LINE = /^torch-lanes B=(\d+) d=(\d+) lane-steps\/s (\d+(?:\.\d+)?) alive (\d+)\s*$/m;

/**
 * Runs the peer script as its own `__main__` with the clock it times its loop
 * by (`time.perf_counter`) swapped for the process's CPU time: its figure is
 * then on-CPU, as covsweep's are, so a shared machine's waiting for a core
 * favours neither side.
 */
const ON_CPU = [
  'import runpy, sys, time',
  'time.perf_counter = time.process_time',
  'sys.argv = sys.argv[1:]',
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join('; ');

/**
 * Run a task's peer once, `lanes` runs at `dim` for `steps` steps of `parameterization` (one the
 * peer has) on `threads` torch threads, and read the lane-steps per second it prints (its own
 * loop's on-CPU time: its import and set-up are left out).
 */
export function measurePeer(
  peer: TaskPeer,
  parameterization: string,
  lanes: number,
  dim: number,
  steps: number,
  threads = 1,
): PeerMeasured {
  const args = [peer.script, String(lanes), String(dim), String(steps)];
  if (peer.takesParameterization) args.push(parameterization);
  const run = spawnSync(peer.python, ['-c', ON_CPU, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TORCH_THREADS: String(threads) },
    timeout: 600_000,
  });
  const at = { task: peer.task, parameterization, lanes, dim, steps };
  const found = LINE.exec(run.stdout ?? '');
  if (run.status !== 0 || !found) {
    const why = run.error?.message ?? (run.stderr?.trim().split('\n').at(-1) || `exit code ${run.status}`);
    return { ...at, error: `the peer failed: ${why}` };
  }
  return { ...at, laneStepsPerSecond: Number(found[3]), alive: Number(found[4]) };
}

/**
 * Steps for one timed peer call: about 200k lane-steps at d = 2, shrinking as
 * d^2 grows (a lane-step costs about d^3), at least 20 so that the first step's
 * set-up is not most of what it times (with 5 steps at d = 64, two calls of one
 * peer differed 2x to 4x).
 */
export function peerSteps(lanes: number, dim: number): number {
  return Math.max(20, Math.ceil(2e5 / ((dim / 2) ** 2 * lanes)));
}
