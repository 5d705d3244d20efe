import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { classifierLane, mvnClassifier, trialOrder } from '../../src/engine/tasks/mvn-classifier.js';
import { CovsweepError } from '../../src/ground/errors.js';
import { expand } from '../../src/plan/expand.js';

/** A folder with an experiment of `task` reading data.csv, and that file. */
function folder(task: string, csv: string, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'covsweep-data-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'data.csv'), csv);
  const file = join(dir, 'x.yaml');
  writeFileSync(file, ['name: t', 'task:', `  name: ${task}`, '  data: data.csv', ...extra, ''].join('\n'));
  return { dir, file };
}

function problems(task: string, csv: string, extra: string[] = []): string[] {
  const { file } = folder(task, csv, extra);
  try {
    loadExperiment(file);
  } catch (error) {
    expect(error).toBeInstanceOf(CovsweepError);
    return (error as CovsweepError).problems;
  }
  throw new Error('expected the experiment to be rejected');
}

const POINTS = 'x1,x2\n0.1,0.2\n0.3,-0.1\n-0.2,0.4\n';
const LABELLED = 'x1,x2,label\n-0.5,0.2,0\n-0.2,-0.6,1\n-0.45,0.3,0\n-0.3,-0.5,1\n';

describe('task.data: a CSV file instead of generated points', () => {
  it('resolves to the path as written, the content hash and the row count; ids follow the content, not the folder', () => {
    const a = folder('mle', POINTS);
    const e = loadExperiment(a.file);
    expect(e.base.task.data).toEqual({
      file: 'data.csv',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      rows: 3,
    });
    expect(e.dataFile).toBe(join(a.dir, 'data.csv'));
    const [run] = expand(e);
    expect(run.dataFile).toBe(e.dataFile);
    // The same files elsewhere: the same id.
    const moved = mkdtempSync(join(tmpdir(), 'covsweep-data-'));
    onTestFinished(() => rmSync(moved, { recursive: true, force: true }));
    cpSync(a.dir, moved, { recursive: true });
    expect([...expand(loadExperiment(join(moved, 'x.yaml')))][0].id).toBe(run.id);
    // Other content: another id.
    writeFileSync(join(moved, 'data.csv'), `${POINTS}0.5,0.5\n`);
    expect([...expand(loadExperiment(join(moved, 'x.yaml')))][0].id).not.toBe(run.id);
  });

  it('reports each fault at its line and column in the CSV, then the experiment file location of data', () => {
    const check = (task: string, text: string, want: RegExp[], extra: string[] = []) => {
      const got = problems(task, text, extra);
      expect(got).toHaveLength(want.length + 1);
      want.forEach((w, i) => {
        expect(got[i]).toMatch(w);
      });
      expect(got[want.length]).toMatch(/x\.yaml:4:9: the data file data\.csv is not valid data for task/);
    };
    check('mle', 'x1,y\n1,2\n', [
      /data\.csv:1:1: missing column "x2"; expected a header row of x1,x2$/,
      /data\.csv:1:4: unknown column "y"; expected a header row of x1,x2$/,
    ]);
    check('mle', 'x1,x2,x3\n1,2,3\n', [
      /data\.csv:1:7: column "x3" but dim is 2; .*or set dim to the file's$/,
    ]);
    check('mle', 'x1,x2\n1,2\n3\n4,5\n6,7\n', [/data\.csv:3:2: 1 values but the header has 2 columns/]);
    check('mle', 'x1,x2\n1,2\n3, abc\n4,5\n', [
      /data\.csv:3:4: "x2" must be a finite decimal number, received "abc"$/,
    ]);
    check('mle', 'x1,x2\n1,2\n3,4\n', [/data\.csv:3:1: 2 points, but the task needs more than 2 \(dim\)/]);
    check('mvn-classifier', 'x1,x2\n1,2\n', [
      /data\.csv:1:1: missing column "label"; expected a header row of x1,x2,label$/,
    ]);
    check('mvn-classifier', 'x1,x2,label\n1,2,0\n3,4,2\n5,6,1\n', [
      /data\.csv:3:5: "label" must be an integer 0\.\.1 \(task\.units is 2\), received 2$/,
    ]);
    check('mvn-classifier', 'x1,x2,label\n1,2,0\n3,4,0.5\n5,6,1\n', [
      /data\.csv:3:5: "label" must be an integer/,
    ]);
  });

  it('reads decimals only, within float32, and refuses points that do not span every dimension', () => {
    const check = (text: string, want: RegExp) => {
      const got = problems('mle', text);
      expect(got).toHaveLength(2);
      expect(got[0]).toMatch(want);
    };
    check(
      'x1,x2\n0x10,2\n3,4\n5,7\n',
      /data\.csv:2:1: "x1" must be a finite decimal number, received "0x10"$/,
    );
    check('x1,x2\n1,2\n3,4\n5,1e39\n', /data\.csv:4:3: "x2" is 1e39, beyond float32 .*; rescale the data$/);
    check('x1,x2\n1,1\n1,1\n1,1\n1,1\n', /data\.csv:2:1: the points do not span all 2 dimensions .*singular/);
    check('x1,x2\n0.1,0.2\n0.3,0.6\n-0.7,-1.4\n', /data\.csv:2:1: the points do not span all 2 dimensions/);
    expect(problems('mvn-classifier', 'x1,x2,label\n1,2,0\n3,4,0x1\n5,6,1\n')[0]).toMatch(
      /data\.csv:3:5: "label" must be a finite decimal number, received "0x1"$/,
    );
    // A file that is not data at all: its first line is quoted clipped, never whole.
    const secret = `root:$6$${'s'.repeat(80)}:19000:0:99999:7:::`;
    const got = problems('mle', `${secret}\n`);
    expect(got[0]).toMatch(
      /data\.csv:1:1: unknown column "root:\$6\$s{13}\.\.\."; expected a header row of x1,x2$/,
    );
    expect(got.join('\n')).not.toContain('s'.repeat(20));
  });

  it('a missing file is one problem at data; a swept dim is refused', () => {
    const { file, dir } = folder('mle', POINTS);
    rmSync(join(dir, 'data.csv'));
    expect(() => loadExperiment(file)).toThrow(
      /x\.yaml:4:9: cannot read the data file .*data\.csv: no such file \(ENOENT\); check the path/,
    );
    expect(problems('mle', POINTS, ['sweep: {dim: [2, 3]}'])[0]).toMatch(
      /x\.yaml:4:9: "task\.data" fixes "dim", but "dim" is swept; remove one of them$/,
    );
  });

  it('mvn-classifier with data and shuffle false: the file order every epoch, classes from the label column', () => {
    const { file } = folder('mvn-classifier', LABELLED, ['  shuffle: false', '  epochs: 3']);
    const e = loadExperiment(file);
    const [run] = expand(e);
    expect(mvnClassifier.steps(run.config)).toBe(12);
    const lane = classifierLane(run.config, parameterization('tril'), run.dataFile);
    expect(Array.from(trialOrder(run.config))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(lane.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(lane.points)).toEqual([-0.5, 0.2, -0.2, -0.6, -0.45, 0.3, -0.3, -0.5]);
    // Seed 000's starting means (2 units in 2-D): the seed's settings on the user's data.
    expect(Array.from(lane.means)).toEqual([-0.25, 0.05, -0.15, -0.25]);
    expect(mvnClassifier.dataPoints!(run.config, run.dataFile).units).toEqual([0, 1, 0, 1]);
  });
});
