/**
 * User text (descriptions, failure reasons, names) in Markdown, made unable to change the
 * document's structure: no raw HTML, no line that starts a heading, list, quote, fence or table,
 * no cell that splits or ends its row. Plain prose comes out as written.
 */

/** Text for a table cell: one line, its "|" escaped, no HTML. */
export const markdownCell = (text: string): string =>
  text
    .replace(/\r?\n|\r/g, ' ')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;');

/** Characters that start a block (heading, quote, list, fence, setext underline, table) at a line's start. */
const BLOCK_START = /^([#>*+=`~|-]|\d+[.)])/;

/**
 * A paragraph (or several, split by blank lines) of user text: each line trimmed of the indent
 * that would make it code, a block-starting first character escaped, "|" and HTML escaped.
 */
export function markdownParagraphs(text: string): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim().replaceAll('|', '\\|').replaceAll('<', '&lt;').replace(BLOCK_START, '\\$1'))
    .join('\n');
}
