import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endToEndMarkdown, OWN_SPEED_DIR, speedExperiments } from '../../src/bench/end-to-end.js';
import {
  CLASSIFIER_PEER_SCRIPT,
  measurePeer,
  PEER_PARAMETERIZATIONS,
  type Peer,
  peerMissing,
  peerOf,
  peerSteps,
  SCORE_MATCHING_PEER_SCRIPT,
  taskPeers,
} from '../../src/bench/peer.js';
import { covsweep, tempDir } from '../cli/cli.js';

/**
 * A stand-in for python3 with torch: `-c CODE` alone (the torch probe) exits with `probe`; a peer
 * run (`-c CODE SCRIPT B D STEPS`, or `SCRIPT B D STEPS` end to end) prints the peer's line for
 * its B and d, or fails. torch is never needed by the tests.
 */
function fakePython(o: { probe?: number; fail?: boolean } = {}) {
  const dir = tempDir('covsweep-peer-');
  const python = join(dir, 'python3');
  writeFileSync(
    python,
    [
      '#!/bin/sh',
      `if [ "$1" = "-c" ] && [ $# -eq 2 ]; then exit ${o.probe ?? 0}; fi`,
      'if [ "$1" = "-c" ]; then shift 2; fi',
      o.fail
        ? 'echo "RuntimeError: out of memory" >&2; exit 1'
        : 'echo "torch-lanes B=$2 d=$3 lane-steps/s 12345.5 alive $2"; [ -n "$5" ] && echo "parameterization $5"; exit 0',
    ].join('\n'),
  );
  chmodSync(python, 0o755);
  const script = join(dir, 'torch_lanes.py');
  writeFileSync(script, '# stand-in\n');
  return { python, script };
}

describe('the batched PyTorch peer', () => {
  const classifier = (peer: Peer) => taskPeers(peer)[0];

  it('reads the lane-steps per second the peer prints, for the lanes, d and steps it was given', () => {
    const m = measurePeer(classifier(fakePython()), 'full', 64, 8, 20);
    expect(m).toEqual({
      task: 'mvn-classifier',
      parameterization: 'full',
      lanes: 64,
      dim: 8,
      steps: 20,
      laneStepsPerSecond: 12345.5,
      alive: 64,
    });
  });

  it("has a peer of every built-in parameterization for each task, shipped with covsweep but for the classifier's full", () => {
    const peers = taskPeers(fakePython());
    const of = (task: string, parameterization: string) =>
      peers.filter((p) => p.task === task && p.parameterizations.includes(parameterization));
    // torch_maps.py, which both shipped peers run, writes exactly these.
    const maps = readFileSync(join(SCORE_MATCHING_PEER_SCRIPT, '..', 'torch_maps.py'), 'utf8');
    const listed = /PARAMETERIZATIONS = \(([^)]*)\)/
      .exec(maps)![1]
      .match(/"[^"]+"/g)!
      .map((n) => JSON.parse(n));
    expect(listed).toEqual(PEER_PARAMETERIZATIONS);
    for (const task of ['mvn-classifier', 'score-matching'])
      for (const name of PEER_PARAMETERIZATIONS) expect(of(task, name)).toHaveLength(1);
    expect(of('mvn-classifier', 'full')[0]).toMatchObject({ takesParameterization: false });
    expect(of('mvn-classifier', 'givens')[0].script).toBe(CLASSIFIER_PEER_SCRIPT);
    const scoreMatching = of('score-matching', 'tril')[0];
    expect(scoreMatching.script).toBe(SCORE_MATCHING_PEER_SCRIPT);
    for (const script of [CLASSIFIER_PEER_SCRIPT, SCORE_MATCHING_PEER_SCRIPT])
      expect(existsSync(script)).toBe(true);
    expect(measurePeer(scoreMatching, 'tril', 64, 8, 20)).toMatchObject({
      task: 'score-matching',
      parameterization: 'tril',
      laneStepsPerSecond: 12345.5,
    });
  });

  it("says why a run failed, in the peer's last line", () => {
    const m = measurePeer(classifier(fakePython({ fail: true })), 'full', 64, 8, 20);
    expect(m).toMatchObject({ error: 'the peer failed: RuntimeError: out of memory' });
  });

  it('says plainly when there is no script, no python or no torch', () => {
    const peer = fakePython();
    expect(peerMissing(peer)).toBeUndefined();
    expect(peerMissing({ ...peer, script: '/nowhere/torch_lanes.py' })).toMatch(
      /the peer script \/nowhere\/torch_lanes.py is not there/,
    );
    expect(peerMissing({ ...peer, python: '/nowhere/python3' })).toMatch(/"\/nowhere\/python3" does not run/);
    expect(peerMissing(fakePython({ probe: 1 }))).toMatch(/has no torch \(install it with/);
  });

  it('finds the peer beside the repository unless told otherwise', () => {
    expect(peerOf({}).script).toMatch(/shared\/peers\/torch_lanes\.py$/);
    expect(peerOf({ python: 'py', script: 's.py' })).toEqual({ python: 'py', script: 's.py' });
  });

  it('takes fewer steps as lanes and d grow, never under 20', () => {
    expect(peerSteps(1, 2)).toBe(200_000);
    expect(peerSteps(1024, 2)).toBe(196);
    expect(peerSteps(1024, 64)).toBe(20);
  });

  it('covsweep bench --peer times it beside covsweep, or says why not, and exits 0 either way', () => {
    const grid = ['bench', '--task', 'mvn-classifier', '--parameterization', 'full', '--dim', '2'];
    const small = [...grid, '--lanes', '4', '--backend', 'cpu', '--time', '20'];
    const peer = fakePython();
    const out = join(tempDir(), 'BENCHMARKS.md');
    const r = covsweep([
      ...small,
      '--peer',
      '--python',
      peer.python,
      '--peer-script',
      peer.script,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('bench peer mvn-classifier full d=2 4 lanes: 12k lane-steps/s');
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('## Against the batched PyTorch peer');
    expect(md).toMatch(
      /\| 2 \| 4: 12k \(50000\) \| 12k \| [\d.]+[kM] \| [\d.]+k? \(cpu, 4 lanes\) \| [\d.]+x \|/,
    );
    const none = covsweep([...small, '--peer', '--python', '/nowhere/python3', '--out', out]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/bench peer: not timed: "\/nowhere\/python3" does not run/);
    expect(readFileSync(out, 'utf8')).toContain('- Peer: not timed: "/nowhere/python3" does not run');
  });

  it("covsweep bench --peer times each row's own parameterization's peer and the full one", () => {
    const peer = fakePython();
    const out = join(tempDir(), 'BENCHMARKS.md');
    const args = [
      'bench',
      '--task',
      'score-matching,mvn-classifier',
      '--parameterization',
      'tril',
      '--dim',
      '2',
    ];
    const r = covsweep([
      ...args,
      ...[
        '--lanes',
        '4',
        '--backend',
        'cpu',
        '--time',
        '20',
        '--peer',
        '--python',
        peer.python,
        '--out',
        out,
      ],
    ]);
    expect(r.code).toBe(0);
    for (const what of [
      'score-matching tril',
      'score-matching full',
      'mvn-classifier tril',
      'mvn-classifier full',
    ])
      expect(r.stderr).toContain(`bench peer ${what} d=2 4 lanes: 12k lane-steps/s`);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain(
      '## Against the batched PyTorch peers, parameterization by parameterization: score-matching',
    );
    expect(md).toMatch(
      /\| tril \| 2 \| 4: 12k \(50000\) \| 12k \| [\d.]+k? \(cpu, 4 lanes\) \| [\d.]+x \| [\d.]+x \|/,
    );
    expect(md).toMatch(/\| tril \| 2 \| cpu \| .* \| [\d.]+x \| [\d.]+x \|\n/);
  });

  it('bench --end-to-end times covsweep run and the peer on each speed-dD.yaml beside it, as whole processes', () => {
    const peer = fakePython();
    const dir = join(peer.script, '..');
    writeFileSync(
      join(dir, 'speed-d2.yaml'),
      'name: speed-d2\ntask: { name: mvn-classifier, epochs: 1, n_per_class: 5 }\ndim: 2\nsweep:\n  seed: 3\n',
    );
    // Only d = 2 (--dim): covsweep's own speed experiments (d = 4 and 64) would be timed too.
    const args = [
      'bench',
      '--end-to-end',
      '--dim',
      '2',
      '--python',
      peer.python,
      '--peer-script',
      peer.script,
    ];
    // Its own cache: each try forgets the retraces kept (forgetReports), which must not pull them
    // from under the other test files' reports.
    const r = covsweep(args, undefined, { COVSWEEP_CACHE: join(dir, 'cache') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('| d | runs x steps | covsweep run | batched PyTorch | covsweep speed-up |');
    expect(r.stdout).toMatch(/\| 2 \| 3 x 10 \| [\d.]+ s \| [\d.]+ s \| [\d.]+x \|/);
    const e = { file: 'speed-d2.yaml', dim: 2, runs: 3, steps: 10 };
    const absent = endToEndMarkdown([{ experiment: e, covsweep: 4.2, peer: 'not run' }], {
      command: 'covsweep bench --end-to-end',
      threads: 2,
      note: 'The peer was not run: no torch.',
    });
    expect(absent).toContain('| 2 | 3 x 10 | 4.2 s | not run |  |');
    expect(absent).toContain('The peer was not run: no torch.');
  });

  it("end to end: the peer's speed experiments first, then covsweep's own for the d they leave out", () => {
    const peer = fakePython();
    const dir = join(peer.script, '..');
    const speed = (d: number, seeds: number) =>
      writeFileSync(
        join(dir, `speed-d${d}.yaml`),
        `name: speed-d${d}\ntask: { name: mvn-classifier, epochs: 1, n_per_class: 5 }\ndim: ${d}\nsweep:\n  seed: ${seeds}\n`,
      );
    speed(2, 3);
    speed(4, 7);
    const all = speedExperiments(peer);
    expect(all.map((e) => [e.dim, e.runs, e.steps])).toEqual([
      [2, 3, 10],
      [4, 7, 10],
      [64, 32, 400],
    ]);
    expect(all[1].file).toBe(join(dir, 'speed-d4.yaml'));
    expect(all[2].file).toBe(join(OWN_SPEED_DIR, 'speed-d64.yaml'));
    expect(speedExperiments(peer, [64, 8]).map((e) => e.dim)).toEqual([64]);
    // A d with no file: a usage error that names the d there are.
    const none = covsweep([
      'bench',
      '--end-to-end',
      '--dim',
      '5',
      '--python',
      peer.python,
      '--peer-script',
      peer.script,
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no speed-dD\.yaml file for d = 5 .*the files there are for d = 2, 4, 64/);
    // Without the peer's folder, covsweep's own alone: issue 12's d = 4 and 64.
    const own = speedExperiments({ ...peer, script: join(dir, 'absent', 'torch_lanes.py') });
    expect(own.map((e) => [e.dim, e.runs, e.steps])).toEqual([
      [4, 512, 1200],
      [64, 32, 400],
    ]);
  });
});
