import { suiteChanges } from '../config/diff.js';
import { CovsweepError } from '../ground/errors.js';
import { suiteRunCount } from '../plan/expand.js';
import type { RunResult, Suite } from '../types.js';
import { loadRunFolder } from './load.js';
import type { Manifest } from './store.js';

export interface Merged {
  suite: Suite;
  /** The experiment file's copy (from the first folder), to copy into the merged folder. */
  copy: { file: string; text: string };
  results: RunResult[];
  /** What the merged folder's manifest starts from: earliest start, latest end, every backend. */
  manifest: Manifest;
  /** Things to tell the user: truncated lines, repeated runs, missing shards. */
  notes: string[];
}

/**
 * Reads run folders of one experiment (typically its shards, from several
 * machines) as one. Folders of experiments that plan other runs are refused
 * (`E_USAGE`, naming what differs), so that results never mix silently.
 */
export function mergeFolders(dirs: string[], version: string): Merged {
  const folders = dirs.map((d) => {
    const f = loadRunFolder(d);
    if (!f.manifest)
      throw new CovsweepError(
        'E_INPUT',
        `${d}: no manifest.json; merge takes the folders covsweep run wrote`,
      );
    return { ...f, manifest: f.manifest };
  });
  const copies = folders.map((f) => f.copy);
  const suites = folders.map((f) => f.suite);
  const [first] = suites;
  folders.forEach((f, i) => {
    const changes = suiteChanges(first, suites[i]);
    if (changes.length)
      throw new CovsweepError('E_USAGE', `${f.dir} ran another experiment than ${folders[0].dir}`, {
        problems: [
          `${f.dir} ran another experiment than ${folders[0].dir}; their results cannot be merged:`,
          ...changes.map((c) => `  ${c}`),
        ],
      });
  });

  const notes: string[] = [];
  const byId = new Map<string, RunResult>();
  let repeated = 0;
  for (const f of folders) {
    notes.push(...f.notes);
    for (const r of f.results) {
      if (byId.has(r.id)) repeated++;
      else byId.set(r.id, r);
    }
  }
  if (repeated) notes.push(`${repeated} runs are in more than one folder; keeping the first folder's result`);
  const manifests = folders.map((f) => f.manifest);
  const planned = suiteRunCount(first.experiments);
  notes.push(...shardNotes(manifests));
  // A frontier's runs are not known in advance: there is no count to miss.
  if (!first.experiments.some((e) => e.frontier) && byId.size < planned)
    notes.push(
      `${planned - byId.size} of the experiment's ${planned} runs are in none of the folders; "covsweep run FILE --resume MERGED_DIR" runs them`,
    );
  const times = (pick: (m: Manifest) => string | undefined) =>
    manifests
      .map(pick)
      .filter((t): t is string => t !== undefined)
      .sort();
  const backends = new Set(manifests.flatMap((m) => m.backend.split(',')));
  backends.delete('none');
  backends.delete('pending');
  const manifest: Manifest = {
    covsweep: version,
    experiment: first.name,
    file: manifests[0].file,
    backend: [...backends].join(',') || 'none',
    node: process.version,
    workers: manifests.reduce((n, m) => n + m.workers, 0),
    runs: planned,
    started: times((m) => m.started)[0],
    ended: times((m) => m.ended).at(-1),
    merged: folders.map((f) => f.dir),
  };
  return { suite: first, copy: copies[0], results: [...byId.values()], manifest, notes };
}

/** Shards that are missing or given twice, when the folders are shards of one split. */
function shardNotes(manifests: Manifest[]): string[] {
  const labels = manifests.map((m) => m.shard).filter((s): s is string => s !== undefined);
  if (!labels.length) return [];
  const counts = new Set(labels.map((l) => l.split('/')[1]));
  if (counts.size > 1)
    return [`the folders are shards of different splits (${[...counts].map((n) => `/${n}`).join(', ')})`];
  const n = Number([...counts][0]);
  const missing = Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).filter((l) => !labels.includes(l));
  return missing.length ? [`shard ${missing.join(', ')} is missing`] : [];
}
