import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../src/report/markdown.js';
import { markdownCell, markdownParagraphs } from '../../src/report/markdown-text.js';
import { experiment, made } from '../results/fixtures.js';

/** Table lines of a Markdown text: the lines that start with "|". */
const rows = (md: string) => md.split('\n').filter((l) => l.startsWith('|'));
/** A table line's cells, split at unescaped "|". */
const cells = (line: string) => line.split(/(?<!\\)\|/).length - 2;

describe('user text in summary.md cannot change its structure', () => {
  it('keeps a failure reason with newlines, pipes and HTML inside its cell', () => {
    const e = {
      ...experiment(),
      description:
        '# Heading\n<script>alert(1)</script>\n| a | b |\n|---|---|\n    code\n---\nplain prose, 1.5 x 2',
    };
    const reason = 'broke\n## not a heading | nor a cell\n<b>bold</b>';
    const md = summaryMarkdown(e, [made(e, { outcome: 'error', reason }), made(e, { seed: 1 })], 'now');
    const table = rows(md.slice(md.indexOf('## Failure reasons')));
    expect(table).toHaveLength(3);
    for (const line of table) expect(cells(line)).toBe(4);
    expect(md).not.toMatch(/^#+ (Heading|not a heading)/m);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>');
    const description = md.split('\n').slice(2, 9);
    expect(description).toEqual([
      '\\# Heading',
      '&lt;script>alert(1)&lt;/script>',
      '\\| a \\| b \\|',
      '\\|---\\|---\\|',
      'code',
      '\\---',
      'plain prose, 1.5 x 2',
    ]);
  });

  it('leaves plain text as written', () => {
    const prose = "Seed 000's classifier, shortened; full fails at lr 1e-1, tril survives.";
    expect(markdownParagraphs(prose)).toBe(prose);
    expect(markdownCell('pivot 1 <= 0 at step 3')).toBe('pivot 1 &lt;= 0 at step 3');
    expect(markdownParagraphs('1. first')).toBe('\\1. first');
  });
});
