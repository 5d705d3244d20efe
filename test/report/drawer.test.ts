import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anotherThreadPays, drawInThread, drawMs, THREAD_MS } from '../../src/report/drawer.js';
import { toSvg } from '../../src/report/render.js';
import { tempDir } from '../cli/cli.js';

const spec = (n: number, mark: 'line' | 'bar' = 'line'): TopLevelSpec => ({
  data: { values: Array.from({ length: n }, (_, i) => ({ x: i, y: i * i })) },
  mark,
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
});

const STUB = new URL('../fixtures/draw-thread-stub.mjs', import.meta.url);
const BUILT = new URL('../../dist/report/draw-thread.js', import.meta.url);

/** A fresh, empty plot cache, so that every toSvg draws. */
const freshCache = () => {
  process.env.COVSWEEP_CACHE = tempDir('covsweep-draw-');
};
beforeEach(freshCache);
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('the drawing thread', () => {
  it('draws the plots the cache lacks while it runs, and this thread draws them again after stop', async () => {
    const drawing = drawInThread(STUB);
    expect(await toSvg(spec(3), 'p')).toBe('<svg><g id="p-1"/></svg>');
    await expect(toSvg(spec(3, 'bar'), 'q')).rejects.toThrow('bars are not drawn here');
    await drawing.stop();
    freshCache();
    const byVega = await toSvg(spec(3), 'p');
    expect(byVega).toMatch(/^<svg/);
    expect(byVega).not.toContain('<g id="p-1"/>');
  });

  it('hands each of its threads the next plot as it finishes one', async () => {
    // Another thread pays for any plot waiting.
    const drawing = drawInThread(STUB, { threads: 2, threadMs: 1 });
    try {
      const slow = (n: number, ms: number): TopLevelSpec => ({ ...spec(n), description: `delay ${ms}` });
      const svgs = await Promise.all(
        [slow(1, 600), slow(2, 10), slow(3, 10), slow(4, 10)].map((s, i) => toSvg(s, `p${i}`)),
      );
      const thread = svgs.map((svg) => /<title>(\d+)<\/title>/.exec(svg)?.[1]);
      // The first thread holds the slow plot the whole time; the other draws the rest, one after another.
      expect(thread[0]).not.toBe(thread[1]);
      expect(new Set(thread.slice(1)).size).toBe(1);
    } finally {
      await drawing.stop();
    }
  });

  it('starts no second thread for plots that take less time than starting it', async () => {
    const drawing = drawInThread(STUB, { threads: 2 });
    try {
      const svgs = await Promise.all(
        [300, 10, 10, 10].map((ms, i) => toSvg({ ...spec(i + 1), description: `delay ${ms}` }, `p${i}`)),
      );
      expect(new Set(svgs.map((svg) => /<title>(\d+)<\/title>/.exec(svg)?.[1])).size).toBe(1);
    } finally {
      await drawing.stop();
    }
  });

  it('hands a free thread the largest plot waiting', async () => {
    const drawing = drawInThread(STUB);
    try {
      const order: number[] = [];
      const slow: TopLevelSpec = { ...spec(1), description: 'delay 300' };
      // While the thread draws the slow plot, a small one and then a large one wait.
      await Promise.all(
        [slow, { ...spec(2), description: 'delay 1' }, { ...spec(40), description: 'delay 1' }].map((s, i) =>
          toSvg(s, `p${i}`).then(() => order.push(i)),
        ),
      );
      expect(order).toEqual([0, 2, 1]);
    } finally {
      await drawing.stop();
    }
  });

  it('leaves a plot to this thread when its thread dies, and the next plots to the threads left', async () => {
    // A copy each time: a spec asked for again in this process is not drawn again (render.ts).
    const dying = (): TopLevelSpec => ({ ...spec(5), description: 'exit' });
    const here = await toSvg(dying(), 'p');
    freshCache();
    const drawing = drawInThread(STUB, { threads: 2 });
    try {
      const [died, next] = await Promise.all([
        toSvg(dying(), 'p'),
        toSvg({ ...spec(6), description: 'delay 10' }, 'q'),
      ]);
      expect(died).toBe(here);
      expect(next).toMatch(/<title>\d+<\/title>/);
    } finally {
      await drawing.stop();
    }
  });

  it('started with no thread, starts one with the first plot the cache lacks', async () => {
    const drawing = drawInThread(STUB, { start: 0 });
    try {
      // Thread ids grow: a thread started after this probe has a larger one.
      const probe = new Worker('', { eval: true });
      const before = probe.threadId;
      await probe.terminate();
      const svg = await toSvg({ ...spec(2), description: 'delay 1' }, 'p');
      expect(Number(/<title>(\d+)<\/title>/.exec(svg)?.[1])).toBeGreaterThan(before);
    } finally {
      await drawing.stop();
    }
  });

  it('leaves the drawing to this thread when it cannot start, with the same plots', async () => {
    const here = await toSvg(spec(4), 'p');
    freshCache();
    const drawing = drawInThread(new URL('../fixtures/no-such-thread.mjs', import.meta.url));
    try {
      expect(await toSvg(spec(4), 'p')).toBe(here);
    } finally {
      await drawing.stop();
    }
  });

  it.skipIf(!existsSync(BUILT))('draws with vega the same SVG as this thread', async () => {
    const here = await toSvg(spec(6), 'p');
    freshCache();
    const drawing = drawInThread(BUILT);
    try {
      expect(await toSvg(spec(6), 'p')).toBe(here);
    } finally {
      await drawing.stop();
    }
  });
});

describe('whether another drawing thread pays', () => {
  const ofLength = (n: number) => 'x'.repeat(n);

  it('weighs the plots waiting, by their size, against starting a thread per thread drawing', () => {
    // A plot costs a base and its size: more bytes, more time.
    expect(drawMs(ofLength(600_000))).toBeGreaterThan(drawMs(ofLength(3_000)));
    // The flagship's plots: 3 to 4 KB for the stability map, failure rate and failure steps, 180 KB
    // of curves, 390 KB of Gaussians and 290 KB of a failure path, less than a thread's start.
    const flagship = [3_100, 4_200, 2_700, 183_000, 390_000, 290_000].map(ofLength);
    expect(anotherThreadPays(flagship, 1)).toBe(false);
    // Three times as many pay for a second thread, not for a third.
    const three = [...flagship, ...flagship, ...flagship];
    expect(anotherThreadPays(three, 1)).toBe(true);
    expect(anotherThreadPays(three, 2)).toBe(false);
    // Just past the cost of starting one, it pays; at it, not.
    const plots = (n: number) => Array.from({ length: n }, () => '');
    const each = drawMs('');
    const paying = Math.floor(THREAD_MS / each) + 1;
    expect(anotherThreadPays(plots(paying), 1)).toBe(true);
    expect(anotherThreadPays(plots(paying), 1, paying * each)).toBe(false);
  });
});
