/**
 * Picks the code out of a Markdown answer, for actions that put an answer into a source file
 * (insert, replace, diff with the selection). Fences are found by markdown-it's CommonMark
 * parser: ``` or ~~~ of any length ≥ 3, indented up to 3 spaces, inside lists and quotes too,
 * and an unterminated fence runs to the end of the text (as while an answer is streaming).
 */
import MarkdownIt from 'markdown-it';

/** What {@link extractCode} found. */
export interface ExtractedCode {
  /** The code block's content, or the whole answer without leading/trailing blank lines. */
  code: string;
  /** Whether `code` came from a fenced code block. */
  fromBlock: boolean;
  /** The first word of the block's info string (`ts` for ```` ```ts ````); null when none. */
  language: string | null;
}

const parser = new MarkdownIt('commonmark');

/** Removes leading and trailing lines that hold only spaces or tabs. */
function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*(?:\r\n|\r|\n))+/, '').replace(/(?:(?:\r\n|\r|\n)[ \t]*)+$/, '');
}

/**
 * The longest fenced code block of `markdown` (the first of equally long ones), its content as
 * written minus the newline before the closing fence, in the answer's line endings; or, when
 * the answer has no fenced block with something other than whitespace in it, the whole answer
 * without leading and trailing blank lines.
 */
export function extractCode(markdown: string): ExtractedCode {
  let best: { content: string; info: string } | null = null;
  for (const token of parser.parse(markdown, {})) {
    if (token.type !== 'fence' || token.content.trim() === '') continue;
    if (!best || token.content.length > best.content.length) best = { content: token.content, info: token.info };
  }
  if (!best) return { code: trimBlankLines(markdown), fromBlock: false, language: null };
  let code = best.content.endsWith('\n') ? best.content.slice(0, -1) : best.content;
  if (markdown.includes('\r\n')) code = code.replace(/\n/g, '\r\n');
  const language = parser.utils.unescapeAll(best.info).trim().split(/\s+/)[0] ?? '';
  return { code, fromBlock: true, language: language === '' ? null : language };
}
