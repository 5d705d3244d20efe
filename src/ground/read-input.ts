import { readFileSync, type Stats, statSync } from 'node:fs';

/**
 * Input files (experiment files, data files) are read only when they are regular files of a
 * bounded size: /dev/zero once grew covsweep to 10 GB, and a FIFO hung it with no output.
 */
export interface InputLimit {
  /** What the file is, in messages: "experiment file", "data file". */
  what: string;
  /** Default limit in MB (2^20 bytes). */
  mb: number;
  /** The environment variable that overrides `mb`. */
  env: string;
}

export const EXPERIMENT_FILE: InputLimit = {
  what: 'experiment file',
  mb: 4,
  env: 'COVSWEEP_MAX_EXPERIMENT_MB',
};
export const DATA_FILE: InputLimit = { what: 'data file', mb: 256, env: 'COVSWEEP_MAX_DATA_MB' };

/** Why a file cannot be read, in words, with Node's code (`ENOENT`, ...) when it has one. */
export class UnreadableFile extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const KINDS: [(s: Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a FIFO (named pipe)'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

/** The limit in bytes: `limit.env` when it is a number > 0, else the default. */
function limitBytes(limit: InputLimit): number {
  const set = Number(process.env[limit.env]);
  return (set > 0 ? set : limit.mb) * 2 ** 20;
}

/**
 * The bytes of `path`, or an `UnreadableFile` saying why not: it does not exist, is not a regular
 * file (checked before opening, which blocks on a FIFO), or is larger than the limit.
 */
export function readInput(path: string, limit: InputLimit): Buffer {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UnreadableFile(code === 'ENOENT' ? 'no such file (ENOENT)' : String(code ?? cause), code);
  }
  const kind = KINDS.find(([is]) => is(stats))?.[1];
  if (kind) throw new UnreadableFile(`it is ${kind}, not a regular file`, 'ENOTREG');
  const most = limitBytes(limit);
  if (stats.size > most)
    throw new UnreadableFile(
      `it is ${mb(stats.size)}, more than the ${mb(most)} limit on ${limit.what}s; set ${limit.env} (in MB) to raise it`,
      'ETOOBIG',
    );
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UnreadableFile(String(code ?? cause), code);
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toPrecision(3).replace(/\.?0+$/, '')} MB`;
