import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { covsweepAsync, covsweepInProcess, ROOT, tempDir } from './cli.js';

/**
 * Each file under test/fixtures/hostile/ has one thing wrong, at `line:col`. Through the CLI each
 * must exit 2 with one line naming that place, and touch nothing in --out. Every file goes through
 * the CLI's `main` in this process (dispatch, messages, exit code: all but the node process);
 * THROUGH_BUILT_CLI also through the built bin/covsweep.js, a process each (a second or more of CPU):
 * the YAML parser's own errors, the stack overflow (a new process has its own stack), names that
 * point outside --out, and refusals from the sweep and rule checks.
 */
const CASES: Record<string, [line: number, col: number | undefined, message: RegExp]> = {
  'yaml-unclosed-list': [5, 1, /invalid YAML: Flow sequence .* must .* end with a \]/],
  'yaml-tab-indent': [3, 1, /invalid YAML: Tabs are not allowed as indentation/],
  'yaml-unclosed-quote': [3, 1, /invalid YAML: Missing closing "quote/],
  // How deep the parser gets before the stack runs out depends on the machine.
  'deep-nesting': [3, undefined, /invalid YAML: Maximum call stack size exceeded/],
  // A file may hold several experiments (YAML documents); each is checked, at its own lines.
  'second-document-incomplete': [4, 1, /missing required key "task" at the top level; add it/],
  'unknown-tag': [1, 7, /unknown YAML tag !!python\/object\/apply:os.system; remove it/],
  'empty-file': [1, 1, /the experiment file is empty/],
  'top-level-list': [1, 1, /the experiment must be a map, received a list/],
  'duplicate-top-key': [4, 1, /duplicate key "dim"; keep one of them/],
  'duplicate-nested-key': [5, 3, /duplicate key "cov"; keep one of them/],
  'wrong-type-dim': [3, 6, /"dim" must be an integer >= 1 and <= 256, received "two"/],
  'wrong-type-lr': [3, 5, /"lr" must be a map, received 0.001/],
  'wrong-type-seed': [3, 7, /"seed" must be an integer >= 0 .*, received 1.5/],
  'infinite-dim': [3, 6, /"dim" must be an integer >= 1 and <= 256, received 1e400/],
  'dim-too-large': [3, 6, /"dim" must be an integer >= 1 and <= 256, received 100000/],
  'missing-name': [1, 1, /missing required key "name" at the top level; add it/],
  'missing-task': [1, 1, /missing required key "task" at the top level; add it/],
  'unknown-key': [3, 1, /unknown key "dmi" at the top level; did you mean "dim"\?/],
  'unknown-task-option': [4, 3, /unknown key "epoch" for task "mvn-classifier"; did you mean "epochs"\?/],
  'unknown-task': [
    3,
    9,
    /"task.name" must be one of "mvn-classifier", "score-matching" or "mle", received "gaussian-classifier"/,
  ],
  'unknown-parameterization': [
    3,
    19,
    // The list grows with the registry; what matters is that it names the valid ones and what was received.
    /"parameterization" must be one of "full", .*"log-cholesky".* or "[a-z-]+", received "cholesky"/,
  ],
  'negative-lr': [3, 11, /"lr.cov" must be a number >= 0, received -1.0e-3/],
  // 1e-400 once read as 0 (a frozen covariance) while 1e400 was refused.
  'underflow-lr': [3, 11, /1e-400 is too small for a number \(it would be read as 0\); write 0 for zero/],
  // n_per_class: 1e8 once passed 4 GB before its timeout could act.
  'data-too-large': [2, 43, /a run would hold 4.00e\+8 numbers of data .*; lower task.n_per_class/],
  'generated-negative-lr': [
    4,
    11,
    /sweep axis "lr.cov" generates -0.001, but "lr.cov" must be a number >= 0/,
  ],
  'init-covariance-not-positive-definite': [4, 20, /"task.init_covariance" is not positive definite/],
  'init-covariances-asymmetric': [
    6,
    7,
    /"task.init_covariances\[1\]" is not symmetric: \[1\]\[0\] is 0 but \[0\]\[1\] is 0.01; make it symmetric/,
  ],
  'negative-timeout': [3, 10, /"timeout" must be a number >= 0, received -5/],
  'momentum-one': [3, 23, /"optimizer.momentum" must be a number >= 0 and < 1, received 1/],
  'empty-sweep-axis': [4, 9, /sweep axis "seed" is empty; give at least one value/],
  'empty-range': [4, 8, /sweep axis "dim" is empty/],
  'range-step-zero': [4, 8, /sweep axis "dim" has range step 0/],
  'sweep-task-name': [4, 3, /cannot sweep "task.name"/],
  'summary-unknown-rows': [5, 17, /summary rows "lr.cv" is not a swept setting; did you mean "lr.cov"\?/],
  'means-wrong-length': [4, 10, /"task.means" must have 2 items \("task.units" is 2\), received 3/],
  'n-data-below-dim': [
    4,
    11,
    /"task.n_data" is 3 but "dim" is 3; task "score-matching" needs task.n_data > dim/,
  ],
  'n-data-below-swept-dim': [4, 11, /"task.n_data" is 6 but "dim" goes up to 8;/],
  'proto-key': [3, 1, /key "__proto__" is reserved/],
  'constructor-key': [4, 3, /key "constructor" is reserved/],
  'alias-bomb': [2, 8, /aliases expand to too many values \(more than 100\)/],
  'alias-undefined': [3, 5, /alias \*rates has no anchor &rates before it/],
  'number-key': [3, 1, /key 2 is not a string; keys must be setting names/],
  'map-key': [3, 3, /key {dim: 2} is not a string/],
  'name-parent-dir': [1, 7, /"name" must be up to 64 lowercase letters.*, received "..\/x"/],
  'name-slash': [1, 7, /"name" must be .*, received "a\/b"/],
  'name-absolute': [1, 7, /"name" must be .*, received "\/etc"/],
  'over-max-runs': [
    4,
    3,
    /expands to 200000 runs \(seed 1000 x lr.cov 200\), more than max_runs \(100000\); .*set "max_runs: 200000"/,
  ],
  'huge-seed-count': [5, 3, /expands to 1000000000000 runs/],
  'zip-length-mismatch': [6, 7, /zip\[0\] pairs axes of different lengths \("lr.cov" 2, "lr.mean" 3\)/],
  // Zipped, a billion values each are a billion runs, refused before any value is made.
  'zip-over-max-runs': [
    4,
    3,
    /expands to 1000000000 runs \(lr.cov\+lr.mean 1000000000\), more than max_runs/,
  ],
  'exclude-everything': [6, 1, /the exclude rules leave no run of the sweep/],
  'depends-missing-value': [8, 5, /depends "task.iterations" gives no value for dim 4; add "4: ..."/],
  'depends-infinite-value': [6, 46, /"depends.task.epochs.values.4" must be an integer >= 1, received 1e400/],
  'include-duplicate': [6, 5, /include\[0\] is already run 1 of the sweep \(id [0-9a-f]{12}\); remove it/],
};

const THROUGH_BUILT_CLI = [
  'yaml-unclosed-quote',
  'deep-nesting',
  'name-parent-dir',
  'name-absolute',
  'over-max-runs',
  'include-duplicate',
];

const DIR = join(ROOT, 'test', 'fixtures', 'hostile');

/** Every file under `dir` with its contents: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

describe('hostile experiment files', () => {
  // One folder holds --out and what a name could reach outside it ("../x").
  const top = tempDir();
  const out = join(top, 'runs');
  type Ran = Awaited<ReturnType<typeof covsweepAsync>>;
  const inProcess = new Map<string, Ran>();
  const built = new Map<string, Ran>();
  const args = (name: string) => ['run', relative(ROOT, join(DIR, `${name}.yaml`)), '--out', out];
  beforeAll(async () => {
    // An earlier sweep of experiment "t", which every fixture is (or would be) named.
    mkdirSync(join(out, 't', '2020-01-01T00-00-00Z'), { recursive: true });
    writeFileSync(join(out, 't', '2020-01-01T00-00-00Z', 'results.jsonl'), '{"id":"a"}\n');
    // The cwd is the repository root, as the file names in the messages are relative to it.
    expect(process.cwd()).toBe(ROOT);
    for (const name of Object.keys(CASES)) inProcess.set(name, await covsweepInProcess(args(name)));
    await Promise.all(
      THROUGH_BUILT_CLI.map(async (name) => built.set(name, await covsweepAsync(args(name)))),
    );
  });

  /** Exit 2, nothing on stdout, and on stderr one line: the file at the case's line:col, and its message. */
  function expectRefused({ code, stdout, stderr }: Ran, name: string) {
    const [line, col, message] = CASES[name];
    const file = `test/fixtures/hostile/${name}.yaml`.replaceAll('.', '\\.');
    expect(stderr).toMatch(new RegExp(`^covsweep: ${file}:${line}:${col ?? '\\d+'}: [^\\n]+\\n$`));
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  }

  it('has a case for every fixture, and at least 30', () => {
    const files = readdirSync(DIR).map((f) => f.replace(/\.yaml$/, ''));
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.keys(CASES))('%s: exit 2, one line at file:line:col', (name) => {
    expectRefused(inProcess.get(name)!, name);
  });

  it.each(THROUGH_BUILT_CLI)('%s, through the built CLI: exit 2, one line at file:line:col', (name) => {
    expectRefused(built.get(name)!, name);
  });

  it('creates no run folder and leaves earlier results untouched', () => {
    expect(readdirSync(top)).toEqual(['runs']);
    expect(snapshot(out)).toEqual({ 't/2020-01-01T00-00-00Z/results.jsonl': '{"id":"a"}\n' });
  });
});
