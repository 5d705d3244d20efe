import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { copyName, type DataRef } from '../data/table.js';
import { CovsweepError } from '../ground/errors.js';
import { isSegment } from '../ground/folder-name.js';
import type { Experiment, RunResult, Suite } from '../types.js';
import { type ResultsFile, readResults, resultLine } from './jsonl.js';
import { makeFolder } from './make-folder.js';

export interface Manifest {
  covsweep: string;
  experiment: string;
  /** Absolute path of the experiment file; its copy in the folder has the same base name. */
  file: string;
  backend: string;
  node: string;
  workers: number;
  /** Runs this folder is meant to hold (all of the experiment's, or its shard's, or `--only`'s). */
  runs: number;
  started: string;
  ended?: string;
  /** `--shard i/n`: the folder holds shard i of n. */
  shard?: string;
  /** `--only`: the folder holds these run ids. */
  only?: string[];
  /** `--timeout`: a per-run limit in seconds on top of the experiment's. */
  timeout?: number;
  /** The last session was stopped (Ctrl-C, SIGTERM) before every run finished. */
  interrupted?: boolean;
  /** Start of each `--resume` session. */
  resumed?: string[];
  /** The folders `covsweep merge` combined into this one. */
  merged?: string[];
}

/**
 * The manifest in `file`; one that is not JSON (a crash mid-edit, a hand edit) is bad input named
 * by its file, not a bare SyntaxError.
 */
export function readManifest(file: string): Manifest {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Manifest;
  } catch (cause) {
    throw new CovsweepError(
      'E_INPUT',
      `${file}: not a valid manifest (${(cause as Error).message}); restore it`,
      {
        cause,
        file,
      },
    );
  }
}

/** Whether process `pid` exists (signal 0 checks without sending; EPERM: it exists, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** 2026-11-22T03-04-05Z: a UTC timestamp that sorts and is a valid folder name everywhere. */
export function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/** An `E_IO` error: what could not be done, Node's message (which starts with the code, ENOSPC: ...), the fix. */
function ioError(what: string, cause: unknown, fix: string): CovsweepError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CovsweepError('E_IO', `${what}: ${reason}; ${fix}`, { cause });
}

/**
 * One folder per sweep: runs/<experiment>/<UTC timestamp>/. Results are
 * appended a whole line at a time as batches finish, so what finished is on
 * disk whatever happens next; the other files are written whole (temp file
 * then rename), never half.
 */
/** What a run folder keeps of its experiment file: the text, and the data file of each experiment that has one. */
type Copied = Pick<Suite, 'file' | 'source'> & {
  experiments?: readonly Pick<Experiment, 'base' | 'dataFile' | 'files'>[];
};

export class RunFolder {
  readonly results: string;

  private constructor(readonly dir: string) {
    this.results = join(dir, 'results.jsonl');
  }

  /**
   * A new folder under `root` holding the experiment's copy, the manifest and an
   * empty results.jsonl, or an `E_IO` error and no folder: it is written before
   * any training, so a root that cannot be written costs nothing.
   */
  static create(root: string, e: Copied & Pick<Suite, 'name'>, manifest: Manifest): RunFolder {
    // Names are checked where they are made (the schema, suiteName); this is the last guard
    // against a folder outside `root`.
    if (!isSegment(e.name) || !isSegment(basename(e.file)))
      throw new CovsweepError('E_USAGE', `"${e.name}" cannot name a folder inside ${root}; rename it`);
    const parent = join(root, e.name);
    let made: string | undefined;
    let dir = '';
    try {
      made = makeFolder(parent);
      const now = stamp(new Date(manifest.started));
      dir = join(parent, now);
      // Two runs in the same second get -2, -3, ... rather than sharing a folder.
      for (let i = 2; existsSync(dir); i++) dir = join(parent, `${now}-${i}`);
      mkdirSync(dir);
      made ??= dir;
      return RunFolder.fill(dir, e, manifest);
    } catch (cause) {
      if (made) rmSync(made, { recursive: true, force: true });
      throw ioError(`cannot write a run folder in ${parent}`, cause, 'choose a writable --out');
    }
  }

  /** `create` at exactly `dir`, which must not exist or be empty (`covsweep merge --out`). */
  static createAt(dir: string, e: Copied, manifest: Manifest): RunFolder {
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new CovsweepError('E_USAGE', `${dir} is not empty; give a new folder`);
    let made: string | undefined;
    try {
      made = makeFolder(dir);
      return RunFolder.fill(dir, e, manifest);
    } catch (cause) {
      if (made) rmSync(made, { recursive: true, force: true });
      throw ioError(`cannot write ${dir}`, cause, 'choose a writable folder');
    }
  }

  private static fill(dir: string, e: Copied, manifest: Manifest): RunFolder {
    // The text that was validated, not the file as it may be by now.
    writeFileSync(join(dir, basename(e.file)), e.source);
    // The data files too, so that the folder alone can be resumed, reported on and reproduced.
    // Plugin modules and command scripts as well, under the names dataPath() resolves the copy's to.
    for (const { base, dataFile, files = [] } of e.experiments ?? []) {
      const data = base.task.data as DataRef | undefined;
      const copies = [...(dataFile && data ? [{ written: data.file, path: dataFile }] : []), ...files];
      for (const { written, path } of copies) {
        mkdirSync(join(dir, 'data'), { recursive: true });
        copyFileSync(path, join(dir, 'data', copyName(written)));
      }
    }
    writeFileSync(join(dir, 'results.jsonl'), '');
    const folder = new RunFolder(dir);
    folder.held = [];
    folder.writeManifest(manifest);
    return folder;
  }

  /** An existing folder (resume, repro, merge); `E_INPUT` when it is not one. */
  static open(dir: string): RunFolder {
    if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, 'results.jsonl')))
      throw new CovsweepError(
        'E_INPUT',
        `${dir} is not a covsweep run folder (no manifest.json and results.jsonl); give a runs/<experiment>/<timestamp> folder`,
      );
    return new RunFolder(dir);
  }

  /** The newest folder of experiment `name` under `root`, if there is one. */
  static latest(root: string, name: string): RunFolder | undefined {
    const parent = join(root, name);
    if (!existsSync(parent)) return undefined;
    // Timestamps sort as text; "...Z-2" after "...Z".
    const dirs = readdirSync(parent)
      .filter((d) => existsSync(join(parent, d, 'manifest.json')))
      .sort();
    return dirs.length ? new RunFolder(join(parent, dirs[dirs.length - 1])) : undefined;
  }

  /**
   * Takes the folder's lock: a `lock` file holding this process's pid, so that a second writer
   * (two `--resume`s at once) is refused instead of training every run twice and losing a
   * manifest entry. A lock whose process is gone (killed) is stale and taken over. Returns the
   * release; `E_USAGE` when another live process holds it.
   */
  lock(): () => void {
    const file = join(this.dir, 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
        return () => rmSync(file, { force: true });
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0)
          throw ioError(`cannot lock ${this.dir}`, cause, `if no covsweep is writing it, delete ${file}`);
      }
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (pid > 0 && pid !== process.pid && alive(pid))
        throw new CovsweepError(
          'E_USAGE',
          `${this.dir} is being written by another covsweep (pid ${pid}); wait for it to end, or if none is running, delete ${file}`,
        );
      rmSync(file, { force: true });
    }
  }

  manifest(): Manifest {
    return readManifest(join(this.dir, 'manifest.json'));
  }

  /** The experiment file as it was run: its path in the folder and its text. */
  experimentCopy(): { file: string; text: string } {
    const file = join(this.dir, basename(this.manifest().file));
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (cause) {
      throw ioError(`${this.dir} has lost its experiment copy ${basename(file)}`, cause, 'restore it');
    }
  }

  readResults(): ResultsFile {
    return readResults(this.results);
  }

  /**
   * Cuts a truncated last line off results.jsonl, so that appending starts on
   * a line of its own instead of gluing a new result to the fragment.
   */
  dropTruncated(file: ResultsFile) {
    if (file.truncated) truncateSync(this.results, file.truncated.bytes);
  }

  /**
   * The line each result appended by this folder was written as, so that rewriting results.jsonl
   * in plan order at the end reuses it instead of serialising every result again (4 MB at
   * 512 runs of d = 16, a tenth of a second). Results are not changed once recorded.
   */
  private readonly lines = new WeakMap<RunResult, string>();

  private lineOf(r: RunResult): string {
    let line = this.lines.get(r);
    if (line === undefined) {
      line = `${resultLine(r)}\n`;
      this.lines.set(r, line);
    }
    return line;
  }

  /**
   * One write call per batch, every line whole with its newline. `lines[i]`, where given, is
   * results[i]'s line as resultLine writes it (made by the worker that trained it).
   */
  append(results: RunResult[], lines?: readonly (string | undefined)[]) {
    if (!results.length) return;
    results.forEach((r, i) => {
      const line = lines?.[i];
      if (line !== undefined) this.lines.set(r, `${line}\n`);
    });
    try {
      appendFileSync(this.results, results.map((r) => this.lineOf(r)).join(''));
      if (this.held) for (const r of results) this.held.push(r);
    } catch (cause) {
      this.held = undefined;
      throw ioError(`cannot append to ${this.results}`, cause, 'free space, then resume');
    }
  }

  /**
   * The results results.jsonl holds, in its order, while this folder knows it: from `create`
   * (the file starts empty) until it is changed other than through `append` and `rewriteResults`.
   */
  private held?: RunResult[];

  /**
   * results.jsonl rewritten whole (in plan order, at the end of a session), unless it already
   * holds exactly these results in this order (the batches ended in plan order): 4 MB at 512
   * runs of d = 16, written twice for nothing.
   */
  rewriteResults(results: RunResult[]) {
    const held = this.held;
    if (held && held.length === results.length && results.every((r, i) => r === held[i])) return;
    this.write('results.jsonl', results.map((r) => this.lineOf(r)).join(''));
    this.held = [...results];
  }

  write(name: string, text: string) {
    if (name === 'results.jsonl') this.held = undefined;
    const target = join(this.dir, name);
    try {
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(`${target}.tmp`, text);
      renameSync(`${target}.tmp`, target);
    } catch (cause) {
      throw ioError(`cannot write ${target}`, cause, 'free space, then resume');
    }
  }

  writeManifest(m: Manifest) {
    this.write('manifest.json', `${JSON.stringify(m, null, 2)}\n`);
  }
}
