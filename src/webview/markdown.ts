/**
 * Markdown → HTML for model answers. Model output is data, never markup:
 * - raw HTML is escaped (`html: false`);
 * - links only for absolute http(s) URLs, emitted as `<a data-href>` without `href`, so nothing
 *   navigates by itself; the panel asks the host to open them after a confirmation;
 * - images never load: they become alt text plus a link to the image URL;
 * - table alignment becomes classes (inline `style` attributes would break the CSP);
 * - code is highlighted by highlight.js, whose output is built from escaped text.
 * No DOM use here, so the renderer runs (and is tested) in Node too.
 */
import MarkdownIt from 'markdown-it';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { isSafeLinkUrl } from '../shared/guards';

const languages = { bash, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, definition] of Object.entries(languages)) {
  if (!hljs.getLanguage(name)) hljs.registerLanguage(name, definition);
}

/** Highlighted HTML for `code`, or '' (markdown-it then escapes it) for unknown languages. */
export function highlightCode(code: string, language: string): string {
  const name = language.trim().toLowerCase();
  if (!name || !hljs.getLanguage(name)) return '';
  try {
    return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  } catch {
    return '';
  }
}

/** A configured markdown-it instance. */
export type MarkdownRenderer = ReturnType<typeof MarkdownIt>;

/** Whether inline token `idx` sits between a `link_open` and its `link_close`. */
function insideLink(tokens: ReadonlyArray<{ type: string }>, idx: number): boolean {
  let depth = 0;
  for (let i = 0; i < idx; i++) {
    if (tokens[i].type === 'link_open') depth++;
    else if (tokens[i].type === 'link_close') depth--;
  }
  return depth > 0;
}

/** Creates a markdown renderer configured for untrusted model output. */
export function createMarkdownRenderer(): MarkdownRenderer {
  const md = new MarkdownIt({
    html: false,
    linkify: true,
    typographer: false,
    breaks: false,
    langPrefix: 'language-',
    highlight: highlightCode,
  });

  md.validateLink = (url: string): boolean => isSafeLinkUrl(url);

  const escape = md.utils.escapeHtml;

  md.renderer.rules.link_open = (tokens, idx) => {
    const token = tokens[idx];
    const href = String(token.attrGet('href') ?? '');
    if (!isSafeLinkUrl(href)) {
      token.meta = { ...(token.meta as object | null), inert: true };
      return '<span class="md-link-inert">';
    }
    return `<a class="md-link" data-href="${escape(href)}" title="${escape(`Open ${href}`)}" tabindex="0" role="link">`;
  };
  md.renderer.rules.link_close = (tokens, idx) => {
    // Find the matching opener to close a span when the link was made inert.
    let depth = 0;
    for (let i = idx - 1; i >= 0; i--) {
      const t = tokens[i];
      if (t.type === 'link_close') depth++;
      else if (t.type === 'link_open') {
        if (depth === 0) return (t.meta as { inert?: boolean } | null)?.inert ? '</span>' : '</a>';
        depth--;
      }
    }
    return '</a>';
  };

  md.renderer.rules.image = (tokens, idx, options, env) => {
    const token = tokens[idx];
    const src = String(token.attrGet('src') ?? '');
    const alt = md.renderer.renderInlineAsText(token.children ?? [], options, env) || 'image';
    const label = `<span class="md-image" title="Images are not loaded"><span class="codicon codicon-file-media" aria-hidden="true"></span>${escape(alt)}</span>`;
    if (!isSafeLinkUrl(src) || insideLink(tokens, idx)) return label;
    return `${label} <a class="md-link md-image-link" data-href="${escape(src)}" title="${escape(`Open image ${src}`)}" tabindex="0" role="link">(image link)</a>`;
  };

  // markdown-it writes table alignment as style="text-align:…"; turn it into a class. Fence
  // info strings become the code's class name, so keep only a plain language word.
  md.core.ruler.push('sanitize_attributes', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'fence') {
        token.info = (token.info.trim().split(/\s+/)[0] ?? '').replace(/[^\w+#.-]/g, '').slice(0, 40);
        continue;
      }
      if (token.type !== 'th_open' && token.type !== 'td_open') continue;
      const style = token.attrGet('style');
      if (style === null) continue;
      token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
      const match = /text-align:\s*(left|right|center)/.exec(String(style));
      if (match) token.attrJoin('class', `md-align-${match[1]}`);
    }
    return true;
  });

  return md;
}

let shared: MarkdownRenderer | undefined;

/** Renders untrusted markdown to inert HTML (see module notes). */
export function renderMarkdown(text: string): string {
  shared ??= createMarkdownRenderer();
  return shared.render(text);
}

/**
 * Where a growing Markdown answer can be cut so that everything before the cut renders the same
 * on its own as inside the whole answer, found incrementally (each call scans only the new
 * complete lines): after a blank line outside a fenced code block, when the next line starts at
 * the margin and does not continue a list. Streaming renders the part before the cut once, block
 * by block, and re-renders only what follows it. (A reference-style link defined further down,
 * or a list split by such a cut, can show differently until the final render, which renders the
 * whole answer.)
 */
export class MarkdownCuts {
  /** Offset of the latest cut (0: none yet). */
  private cut = 0;
  /** Offset up to which complete lines were scanned. */
  private scanned = 0;
  private fence: { char: string; length: number } | null = null;
  /** The line before `scanned` was blank (outside a fence). */
  private afterBlank = false;

  /**
   * The latest cut in the answer, which must extend the answer of the previous call. `text` is
   * the answer from offset `from` on (at most the latest cut), so a long answer need not be
   * read whole each time; offsets in and out are in the whole answer.
   */
  advance(text: string, from = 0): number {
    if (from > this.cut) throw new RangeError(`MarkdownCuts: text from ${from}, past the latest cut (${this.cut})`);
    for (;;) {
      const end = text.indexOf('\n', this.scanned - from);
      if (end < 0) break;
      const line = text.slice(this.scanned - from, end);
      if (this.afterBlank && this.fence === null && startsBlock(line)) this.cut = this.scanned;
      this.scanLine(line);
      this.scanned = from + end + 1;
    }
    // The last line may be incomplete, but its first character already says whether a cut before it holds.
    const partial = text.slice(this.scanned - from);
    if (partial && this.afterBlank && this.fence === null && startsBlock(partial) && !/^\s*\d*$/.test(partial)) this.cut = this.scanned;
    return this.cut;
  }

  private scanLine(line: string): void {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (this.fence) {
      if (fence && fence[1]![0] === this.fence.char && fence[1]!.length >= this.fence.length && fence[2]!.trim() === '') this.fence = null;
      this.afterBlank = false;
      return;
    }
    if (fence && !(fence[1]![0] === '`' && fence[2]!.includes('`'))) {
      this.fence = { char: fence[1]![0]!, length: fence[1]!.length };
      this.afterBlank = false;
      return;
    }
    this.afterBlank = line.trim() === '';
  }
}

/** A line that starts a new top-level block after a blank line: at the margin, not a list item. */
function startsBlock(line: string): boolean {
  return /^[^\s]/.test(line) && !/^([-*+]|\d{1,9}[.)])(\s|$)/.test(line);
}

/**
 * The URL of the answer link at `target`, if any. Links carry `data-href` (no `href`), so nothing
 * navigates by itself: the page posts the URL, and the host validates it and asks before opening.
 */
export function linkUrlAt(target: EventTarget | null): string | undefined {
  const link = target instanceof Element ? target.closest<HTMLElement>('.md-link') : null;
  return link?.dataset.href || undefined;
}
