import { formatCount } from '../ground/format.js';
import type { Cell } from './grid.js';
import type { Measured } from './measure.js';
import { FULL, type PeerMeasured } from './peer.js';

/** The reference loop's lane-steps per second at one d, on-CPU and wall-clock. */
export interface ReferenceRate {
  dim: number;
  cpu: number;
  wall: number;
}

/** `bench --peer`: the peer's figures, or why it could not be timed. */
export type PeerRun = { measured: PeerMeasured[] } | { missing: string };

export interface BenchRun {
  command: string;
  date: Date;
  machine: string;
  /** 1-minute load average when the bench started and ended: how shared the machine was. */
  load: [number, number];
  /** The reference loop at each d of the grid. */
  reference: ReferenceRate[];
  /** Absent without `--peer`. */
  peer?: PeerRun;
  measured: Measured[];
  /** Cells not run, each with why (memory, or a step predicted over the per-cell budget). */
  skipped: { cell: Cell; reason: string }[];
  /** Wall-clock budget of one cell's samples. */
  cellBudgetMs: number;
  /** How long the bench has taken so far. */
  minutes: number;
  /** Cells still to measure: 0 once the bench is done. */
  left: number;
}

type Ok = Extract<Measured, { laneStepsPerSecond: number }>;
const ok = (m: Measured): m is Ok => 'laneStepsPerSecond' in m;
type PeerOk = Extract<PeerMeasured, { laneStepsPerSecond: number }>;
const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
const times = (x: number) => `${x.toPrecision(2)}x`;

/** The reference loop's on-CPU rate at d, if it was measured there. */
const referenceAt = (r: BenchRun, dim: number) => r.reference.find((x) => x.dim === dim)?.cpu;

/**
 * The task's peer's best lane-steps per second at d in one parameterization, over the lane counts
 * it ran, if it ran there.
 */
function peerAt(r: BenchRun, task: string, parameterization: string, dim: number): PeerOk | undefined {
  if (!r.peer || !('measured' in r.peer)) return undefined;
  return r.peer.measured
    .filter(
      (p): p is PeerOk =>
        'laneStepsPerSecond' in p &&
        p.task === task &&
        p.parameterization === parameterization &&
        p.dim === dim,
    )
    .sort((a, b) => b.laneStepsPerSecond - a.laneStepsPerSecond)[0];
}

/** BENCHMARKS.md: the machine, the date, medians and their ratios to the reference loop. */
export function benchmarksMarkdown(r: BenchRun): string {
  const lanes = [...new Set(r.measured.map((m) => m.cell.lanes))].sort((a, b) => a - b);
  const tasks = [...new Set(r.measured.map((m) => m.cell.task))];
  return [
    '# Benchmarks',
    '',
    `Written by \`${r.command}\` on ${r.date.toISOString().slice(0, 10)}.`,
    '',
    ...(r.left
      ? [
          `**Partial**: ${r.measured.length} cells measured, ${r.left} not yet (the bench was still running, or was stopped).`,
          '',
        ]
      : []),
    `- Machine: ${r.machine}.`,
    `- 1-minute load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end (above the 2 cores, other work shared them). Figures are noisy; compare ratios, and rerun before trusting a small difference.`,
    '- A figure is lane-steps per second on one worker thread (one core): lanes / the median on-CPU time of one training step of the whole batch (loss, gradients, health check, optimizer), batch setup excluded. In parentheses, its fraction of the reference loop. On-CPU time, because on a shared machine a step also waits for a core; the best column adds the wall-clock median.',
    `- Bounded: each cell's samples get ${(r.cellBudgetMs / 1000).toPrecision(2)} s of wall-clock time (at least one step); a cell whose one step is predicted, from the smaller cells of its row, to take longer is left out with its reason. This bench took ${r.minutes.toFixed(1)} minutes${r.left ? ' so far' : ''}.`,
    `- Reference: seed 000's step for one run (\`full\`, 2 units) written as plain float32 loops in JS (\`src/bench/reference.ts\`), a fused per-lane step with no tensor library in between: ${r.reference.map((x) => `**${formatCount(x.cpu)} lane-steps/s** at d = ${x.dim} (wall-clock ${formatCount(x.wall)})`).join(', ')}. "vs reference" is a row's best over the reference at its d.`,
    ...peerLines(r),
    '',
    ...tasks.flatMap((task) => taskTable(task, lanes, r)),
    ...peerTable(r),
    ...scaling(r),
    ...capped(r),
    ...(r.skipped.length
      ? [
          '## Left out',
          '',
          ...r.skipped.map(
            ({ cell: c, reason }) =>
              `- ${c.task} ${c.parameterization} d=${c.dim} ${c.lanes} lanes ${c.backend}: ${reason}.`,
          ),
          '',
        ]
      : []),
  ].join('\n');
}

/** Cells measured on fewer samples than usual because their steps filled the per-cell budget. */
function capped(r: BenchRun): string[] {
  const few = r.measured.filter(ok).filter((m) => m.samples < 5);
  if (!few.length) return [];
  return [
    `Fewer than 5 samples (slow steps filled the per-cell budget): ${few
      .map(
        (m) =>
          `${m.cell.task} ${m.cell.parameterization} d=${m.cell.dim} ${m.cell.lanes} lanes ${m.cell.backend} (${m.samples})`,
      )
      .join('; ')}.`,
    '',
  ];
}

function taskTable(task: string, lanes: number[], r: BenchRun): string[] {
  const withPeer = r.peer !== undefined;
  const rows = new Map<string, Measured[]>();
  for (const m of r.measured.filter((m) => m.cell.task === task)) {
    const key = `| ${m.cell.parameterization} | ${m.cell.dim} | ${m.cell.backend} |`;
    rows.set(key, [...(rows.get(key) ?? []), m]);
  }
  return [
    `## ${task}`,
    '',
    `| parameterization | d | backend | ${lanes.map((l) => `${l} lanes`).join(' | ')} | best | vs reference |${withPeer ? ' vs own peer | vs `full` peer |' : ''}`,
    `| --- | --- | --- | ${lanes.map(() => '---').join(' | ')} | --- | --- |${withPeer ? ' --- | --- |' : ''}`,
    ...[...rows].map(([key, ms]) => {
      const dim = ms[0].cell.dim;
      const reference = referenceAt(r, dim);
      const cells = lanes.map((l) => {
        const m = ms.find((x) => x.cell.lanes === l);
        if (!m) return '';
        if (!ok(m)) return 'error';
        return reference
          ? `${formatCount(m.laneStepsPerSecond)} (${pct(m.laneStepsPerSecond / reference)})`
          : formatCount(m.laneStepsPerSecond);
      });
      const best = ms.filter(ok).sort((a, b) => b.laneStepsPerSecond - a.laneStepsPerSecond)[0];
      const bestText = best
        ? `**${formatCount(best.laneStepsPerSecond)}** at ${best.cell.lanes} (wall ${formatCount(best.wallLaneStepsPerSecond)})`
        : '';
      const vsReference = best && reference ? times(best.laneStepsPerSecond / reference) : '';
      const vs = (parameterization: string) => {
        const peer = peerAt(r, task, parameterization, dim);
        return best && peer ? times(best.laneStepsPerSecond / peer.laneStepsPerSecond) : '';
      };
      const vsPeers = ` ${vs(ms[0].cell.parameterization)} | ${vs(FULL)} |`;
      return `${key} ${cells.join(' | ')} | ${bestText} | ${vsReference} |${withPeer ? vsPeers : ''}`;
    }),
    '',
    ...r.measured
      .filter((m) => m.cell.task === task && !ok(m))
      .map(
        (m) =>
          `- error, ${m.cell.parameterization} d=${m.cell.dim} ${m.cell.lanes} lanes ${m.cell.backend}: ${'error' in m ? m.error : ''}`,
      ),
    '',
  ];
}

/** What the peer is and how it ran, or why it did not. */
function peerLines(r: BenchRun): string[] {
  if (!r.peer) return [];
  if ('missing' in r.peer) return [`- Peer: not timed: ${r.peer.missing}.`];
  return [
    "- Peers: batched PyTorch programs, B runs of one task as one batched torch computation, on one torch thread, by their own clock (import and set-up left out), at each d and lane count of the grid. mvn-classifier: `torch_lanes.py` (../shared/peers: seed 000's task, `full`: `torch.linalg.cholesky_ex`, autograd, SGD with momentum) and, for every other parameterization, `torch_classifier.py` (python/peers: the same program around that parameterization's map); score-matching: `torch_score_matching.py` (python/peers: seed 001's task in every parameterization, `torch.cholesky_inverse`, autograd, SGD as the bench's). The maps are `python/peers/torch_maps.py`: covsweep's, as batched torch (`torch.matrix_exp`, Givens rotations in wavefronts of disjoint pairs, ...). Two ratios per row, both a row's best over a peer's best at its d: **vs own peer**, the peer of the row's own parameterization (like for like), and **vs `full` peer**, its task's `full` peer (what a user of `full` in torch would get).",
  ];
}

/** The peers' tables: the classifier's beside the reference, score matching's per parameterization. */
function peerTable(r: BenchRun): string[] {
  if (!r.peer || !('measured' in r.peer) || !r.peer.measured.length) return [];
  const errors = r.peer.measured.flatMap((p) =>
    'error' in p
      ? [`- peer error, ${p.task} ${p.parameterization} d=${p.dim} ${p.lanes} lanes: ${p.error}`]
      : [],
  );
  return [
    ...classifierPeerTable(r),
    ...['mvn-classifier', 'score-matching'].flatMap((task) => parameterizationPeerTable(r, task)),
    ...(errors.length ? [...errors, ''] : []),
  ];
}

/** Each of the peer's lane counts at one cell: `lanes: lane-steps/s (steps)`. */
function peerRuns(runs: PeerMeasured[]): string {
  return runs
    .map((p) => `${p.lanes}: ${'error' in p ? 'error' : formatCount(p.laneStepsPerSecond)} (${p.steps})`)
    .join(', ');
}

/** covsweep's best cell of a task and parameterization at d, over lane counts and backends. */
function engineBest(r: BenchRun, task: string, parameterization: string, dim: number): Ok | undefined {
  return r.measured
    .filter(ok)
    .filter((m) => m.cell.task === task && m.cell.parameterization === parameterization && m.cell.dim === dim)
    .sort((a, b) => b.laneStepsPerSecond - a.laneStepsPerSecond)[0];
}

/** The classifier's peer beside the reference and covsweep's best at each d. */
function classifierPeerTable(r: BenchRun): string[] {
  const task = 'mvn-classifier';
  const all =
    r.peer && 'measured' in r.peer
      ? r.peer.measured.filter((p) => p.task === task && p.parameterization === FULL)
      : [];
  if (!all.length) return [];
  const dims = [...new Set(all.map((p) => p.dim))].sort((a, b) => a - b);
  return [
    '## Against the batched PyTorch peer',
    '',
    "Seed 000's task, `full`, lane-steps per second on one thread: the peer at each lane count (steps in parentheses), the reference loop, and covsweep's best mvn-classifier `full` cell.",
    '',
    '| d | peer (lanes: lane-steps/s) | peer best | reference | covsweep best | covsweep / peer | covsweep / reference |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...dims.map((dim) => {
      const each = peerRuns(all.filter((p) => p.dim === dim));
      const peer = peerAt(r, task, 'full', dim);
      const reference = referenceAt(r, dim);
      const best = engineBest(r, task, 'full', dim);
      return `| ${dim} | ${each} | ${peer ? formatCount(peer.laneStepsPerSecond) : ''} | ${reference ? formatCount(reference) : ''} | ${best ? `${formatCount(best.laneStepsPerSecond)} (${best.cell.backend}, ${best.cell.lanes} lanes)` : ''} | ${best && peer ? times(best.laneStepsPerSecond / peer.laneStepsPerSecond) : ''} | ${best && reference ? times(best.laneStepsPerSecond / reference) : ''} |`;
    }),
    '',
  ];
}

/** A task's peers beside covsweep's best, per parameterization a peer ran and d, like for like and against `full`. */
function parameterizationPeerTable(r: BenchRun, task: string): string[] {
  const all = r.peer && 'measured' in r.peer ? r.peer.measured.filter((p) => p.task === task) : [];
  const keys = [...new Set(all.map((p) => `${p.parameterization} ${p.dim}`))];
  // The classifier's `full` peer has its own table (classifierPeerTable): none here for it alone.
  if (!all.some((p) => task !== 'mvn-classifier' || p.parameterization !== FULL)) return [];
  return [
    `## Against the batched PyTorch peers, parameterization by parameterization: ${task}`,
    '',
    `Lane-steps per second on one thread: the peer of each parameterization (${task === 'mvn-classifier' ? '`torch_lanes.py` for `full`, `torch_classifier.py` for the others' : '`torch_score_matching.py`'}) at each lane count (steps in parentheses), and covsweep's best ${task} cell of the same parameterization; "own peer" is that parameterization's peer, "\`full\` peer" the task's \`full\` one.`,
    '',
    '| parameterization | d | peer (lanes: lane-steps/s) | peer best | covsweep best | covsweep / own peer | covsweep / `full` peer |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...keys.map((key) => {
      const [parameterization, dim] = [key.split(' ')[0], Number(key.split(' ')[1])];
      const each = peerRuns(all.filter((p) => p.parameterization === parameterization && p.dim === dim));
      const peer = peerAt(r, task, parameterization, dim);
      const full = peerAt(r, task, FULL, dim);
      const best = engineBest(r, task, parameterization, dim);
      const ratio = (p: PeerOk | undefined) =>
        best && p ? times(best.laneStepsPerSecond / p.laneStepsPerSecond) : '';
      return `| ${parameterization} | ${dim} | ${each} | ${peer ? formatCount(peer.laneStepsPerSecond) : ''} | ${best ? `${formatCount(best.laneStepsPerSecond)} (${best.cell.backend}, ${best.cell.lanes} lanes)` : ''} | ${ratio(peer)} | ${ratio(full)} |`;
    }),
    '',
  ];
}

/**
 * Time per lane-step at each d (at the best lane count), against d = 8: how it
 * grows compared with d^3, the cost of the factorisations themselves.
 */
function scaling(r: BenchRun): string[] {
  const best = new Map<string, Map<number, number>>();
  for (const m of r.measured.filter(ok)) {
    const key = `${m.cell.task} | ${m.cell.parameterization} | ${m.cell.backend}`;
    const byDim = best.get(key) ?? new Map<number, number>();
    byDim.set(m.cell.dim, Math.max(byDim.get(m.cell.dim) ?? 0, m.laneStepsPerSecond));
    best.set(key, byDim);
  }
  const dims = [...new Set(r.measured.map((m) => m.cell.dim))].filter((d) => d >= 8).sort((a, b) => a - b);
  if (dims.length < 2 || !dims.includes(8)) return [];
  const rows = [...best].filter(([, byDim]) => byDim.has(8));
  return [
    '## Scaling with d',
    '',
    `Microseconds per lane-step at the best lane count, and in parentheses its growth from d = 8; d^3 grows ${dims.map((d) => `${(d / 8) ** 3}x`).join(', ')}. The exponent k fits time ~ d^k from d = 8 to the largest d measured (3 is the target's limit).`,
    '',
    `| task | parameterization | backend | ${dims.map((d) => `d = ${d}`).join(' | ')} | k |`,
    `| --- | --- | --- | ${dims.map(() => '---').join(' | ')} | --- |`,
    ...rows.map(([key, byDim]) => {
      const us = (d: number) => 1e6 / byDim.get(d)!;
      const top = Math.max(...byDim.keys());
      const k = top > 8 ? (Math.log(us(top) / us(8)) / Math.log(top / 8)).toFixed(2) : '';
      return `| ${key} | ${dims.map((d) => (byDim.has(d) ? `${us(d).toPrecision(3)} (${(us(d) / us(8)).toPrecision(2)}x)` : '')).join(' | ')} | ${k} |`;
    }),
    '',
  ];
}

/**
 * The line after which BENCHMARKS.md holds figures measured by hand (whole runs, planning), which
 * a new bench keeps: `covsweep bench` rewrites only what it measures.
 */
export const HAND_MEASURED = '<!-- Below: measured by hand; covsweep bench keeps this part. -->';

/** The new bench markdown, followed by the hand-measured part of the old file, if it has one. */
export function withHandMeasured(generated: string, old: string | undefined): string {
  const at = old?.indexOf(HAND_MEASURED) ?? -1;
  return at < 0 ? generated : `${generated}${old!.slice(at)}`;
}
