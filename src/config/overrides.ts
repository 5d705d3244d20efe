import { isMap, isScalar, type Node, parseDocument, type YAMLMap, YAMLSeq } from 'yaml';
import { CovsweepError, type ProblemList } from '../ground/errors.js';
import type { ConfigSource } from './source.js';

/**
 * A setting given on the command line, as in Hydra: `lr.cov=1e-3`, `sweep.seed=5`,
 * `sweep.parameterization=[full,tril]`. The value is YAML, like the file's.
 */
export interface Override {
  /** The argument as typed, which problems in it point at. */
  argument: string;
  path: string[];
  value: string;
}

const OVERRIDE = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*)=(.*)$/s;

/** Whether a command-line argument is an override (`key.path=value`) rather than a file or folder. */
export const isOverride = (argument: string): boolean => OVERRIDE.test(argument);

/** `lr.cov=1e-3` as an override; a usage error when the argument is not `SETTING=VALUE`. */
export function parseOverride(argument: string): Override {
  const match = OVERRIDE.exec(argument);
  if (!match)
    throw new CovsweepError(
      'E_USAGE',
      `"${argument}" is not a setting override; write SETTING=VALUE, such as lr.cov=1e-3 or sweep.seed=5`,
    );
  return { argument, path: match[1].split('.'), value: match[2] };
}

/**
 * Sets an override in one document of an experiment file. Keys of the file may hold dots
 * (`sweep: {lr.cov: ...}`), so each step takes the longest run of path segments that names an
 * existing key; a new key under `sweep` takes the whole rest of the path (sweep keys are setting
 * names). A setting the file sweeps (`lr.cov=1e-3` while `sweep.lr.cov` exists) is pinned: its
 * axis becomes that one value, since setting it beside the sweep would change nothing.
 */
export function applyOverride(source: ConfigSource, o: Override, problems: ProblemList): void {
  const parsed = parseDocument(o.value);
  if (parsed.errors.length > 0 || parsed.contents === null) {
    problems.add({
      file: source.file,
      line: 0,
      col: 0,
      argument: o.argument,
      message: `the value "${o.value}" is not valid YAML; quote it, or write a number, a word or a [list]`,
    });
    return;
  }
  let value = parsed.contents as Node;
  const doc = source.doc;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as YAMLMap<unknown, unknown>;
  let path = o.path;
  const sweep = (doc.contents as YAMLMap).get('sweep', true);
  const setting = path.join('.');
  if (path[0] !== 'sweep' && isMap(sweep) && sweep.has(setting)) {
    path = ['sweep', setting];
    if (isScalar(value)) {
      const axis = new YAMLSeq();
      axis.items.push(value);
      axis.flow = true;
      value = axis;
    }
  }
  let map = doc.contents as YAMLMap;
  const walked: string[] = [];
  for (let rest = path; rest.length > 0; ) {
    const parent = map;
    // Under `sweep` a new dotted setting name is one key.
    const taken = keyLength(parent, rest, walked.length === 1 && walked[0] === 'sweep');
    const key = rest.slice(0, taken).join('.');
    walked.push(key);
    rest = rest.slice(taken);
    const keyNode = parent.has(key) ? undefined : (doc.createNode(key) as Node);
    if (keyNode) source.markOverride(keyNode, o.argument, key);
    if (rest.length === 0) {
      parent.set(keyNode ?? key, value);
      source.markOverride(value, o.argument, o.value);
      return;
    }
    const next = parent.get(key, true);
    if (next === undefined) {
      const created = doc.createNode({}) as YAMLMap;
      source.markOverride(created, o.argument, '');
      parent.set(keyNode, created);
      map = created;
    } else if (isMap(next)) {
      map = next;
    } else {
      problems.add({
        file: source.file,
        line: 0,
        col: 0,
        argument: o.argument,
        message: `"${o.path.slice(0, o.path.length - rest.length).join('.')}" is not a map of settings in the file, so it has no "${rest.join('.')}"; check the setting's name`,
      });
      return;
    }
  }
}

/** How many leading segments of `path` make the key to follow in `map`. */
function keyLength(map: YAMLMap, path: readonly string[], settingNames: boolean): number {
  for (let n = path.length; n > 1; n--) if (map.has(path.slice(0, n).join('.'))) return n;
  return settingNames && !map.has(path[0]) ? path.length : 1;
}
