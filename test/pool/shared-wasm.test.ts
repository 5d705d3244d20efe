import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatches } from '../../src/pool/pool.js';
import type { LaneBatch } from '../../src/types.js';
import { ROOT } from '../cli/cli.js';
import { classifierConfig } from '../engine/configs.js';

const workerFile = join(ROOT, 'test', 'fixtures', 'workers', 'wasm-modules.mjs');
const batch = (index: number): LaneBatch => ({
  index,
  shapeKey: '',
  steps: 1,
  runs: [{ id: `run${index}`, config: classifierConfig({ seed: index }) }],
});

/** `name:exports` of a built module, as the fixture reports a module it was handed. */
const built = (name: string) =>
  `${name}:${WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(ROOT, 'dist', name)))).length}`;

describe("the pool's threads and the built WebAssembly modules", () => {
  it('every thread is handed each built module compiled once, by the thread that starts them', async () => {
    const seen: string[] = [];
    await runBatches([batch(0), batch(1)], {
      workers: 2,
      workerFile,
      backend: 'cpu',
      onResults: (_, backend) => seen.push(backend),
    });
    const all = ['kernels.wasm', 'arc4.wasm', 'gaussian-rows.wasm'].map(built).join(' ');
    expect(seen).toEqual([all, all]);
  });
});
