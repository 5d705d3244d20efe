import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { covsweep, ROOT, tempDir } from '../cli/cli.js';

/** Debian's Chromium; .ci/run installs it with apt-get. Never a browser download. */
const CHROMIUM = '/usr/bin/chromium';
/**
 * Playwright adds --headless and --user-data-dir (a fresh folder, below) itself; the rest keeps
 * Chromium from reaching out (component updates, sync, background requests) and from needing a
 * GPU or a sandbox a container lacks.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const ARTIFACTS = join(ROOT, 'test-artifacts');

// In CI a missing browser is a failure (the test must run there); elsewhere it is skipped.
const skip = !existsSync(CHROMIUM) && !process.env.CI;

describe.skipIf(skip)('report.html in headless Chromium', () => {
  it('opens offline without console errors, every plot has drawn marks; screenshot in test-artifacts/', async () => {
    const out = tempDir();
    expect(covsweep(['run', 'experiments/smoke.yaml', '--out', out]).code).toBe(0);
    const report = join(out, 'smoke', readdirSync(join(out, 'smoke'))[0], 'report.html');
    const profile = mkdtempSync(join(tmpdir(), 'covsweep-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    try {
      const fetched: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

      // Per plot: its marks (svg/draw.ts groups a plot's own marks by layer in role-mark groups;
      // axes and legends have roles of their own) that the browser laid out with a size.
      const plots = await page.$$eval('figure.plot', (figures) =>
        figures.map((f) => {
          const box = f.querySelector('svg')!.getBoundingClientRect();
          const marks = [...f.querySelectorAll('.role-mark > *')].filter((m) => {
            const b = (m as SVGGraphicsElement).getBBox();
            return b.width > 0 || b.height > 0;
          });
          return { id: f.id, width: box.width, height: box.height, marks: marks.length };
        }),
      );
      expect(plots.map((p) => p.id)).toEqual([
        'plot-stability',
        'plot-failure-rate',
        'plot-failure-steps',
        'plot-curves',
        'plot-gaussians',
        'plot-failure-path',
      ]);
      for (const p of plots) {
        expect(p.marks, `${p.id} has drawn marks`).toBeGreaterThan(0);
        expect(p.width, `${p.id} has a width`).toBeGreaterThan(100);
        expect(p.height, `${p.id} has a height`).toBeGreaterThan(50);
      }
      // The smoke sweep's 4 cells, each a rect and a label.
      expect(plots[0].marks).toBe(8);
      // Failure rate: 2 parameterizations x 2 rates, each a point and an interval bar, and 2 lines.
      expect(plots[1].marks).toBe(2 * 2 * 2 + 2);
      // Count ticks of "when runs failed" are whole runs, and its step axis is logarithmic.
      const ticks = await page.$$eval('#plot-failure-steps .role-axis-label text', (t) =>
        t.map((x) => x.textContent),
      );
      expect(ticks).toContain('10');
      expect(ticks.filter((t) => /^\d*\.\d+$/.test(t ?? ''))).toEqual([]);
      const header = await page.$eval('dl.facts', (d) => d.textContent);
      expect(header).toMatch(/backend(native|cpu|wasm)(, (native|cpu|wasm))*; \d+ workers?/);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-smoke.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
