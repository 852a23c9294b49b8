import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MarkdownCuts, renderMarkdown, highlightCode } from '../../src/webview/markdown';
import { isSafeLinkUrl } from '../../src/shared/guards';
import { hostileAnswers } from '../fixtures/hostileAnswers';

const allowedTags = new Set([
  'p', 'a', 'em', 'strong', 's', 'code', 'pre', 'span', 'ul', 'ol', 'li', 'blockquote', 'hr', 'br',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);
const allowedAttributes = new Set(['class', 'data-href', 'title', 'tabindex', 'role', 'aria-hidden', 'start']);

function decodeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface Tag {
  name: string;
  attributes: Array<[string, string]>;
  raw: string;
}

/** Every opening tag in `html`, with its attributes (markdown-it always double-quotes them). */
function openingTags(html: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of html.matchAll(/<([A-Za-z][\w-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attributes: Array<[string, string]> = [];
    for (const a of match[2].matchAll(/([^\s=>]+)(?:="([^"]*)")?/g)) attributes.push([a[1], decodeAttribute(a[2] ?? '')]);
    tags.push({ name: match[1].toLowerCase(), attributes, raw: match[0] });
  }
  return tags;
}

/** Asserts that `html` can only be inert, whatever the input was. */
function assertInert(html: string, name: string): void {
  assert.doesNotMatch(html, /<\s*(script|img|iframe|svg|style|object|embed|form|input|meta|base|link|video|audio|source|math)\b/i, `${name}: dangerous element`);
  // Nothing that looks like a tag may survive outside the tag grammar (a `<` must be a real tag or escaped).
  const stripped = html.replace(/<\/?[A-Za-z][\w-]*((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g, '');
  assert.doesNotMatch(stripped, /[<>]/, `${name}: stray angle bracket`);
  for (const tag of openingTags(html)) {
    assert.ok(allowedTags.has(tag.name), `${name}: unexpected <${tag.name}> in ${tag.raw}`);
    for (const [attr, value] of tag.attributes) {
      assert.ok(allowedAttributes.has(attr), `${name}: unexpected attribute ${attr} in ${tag.raw}`);
      assert.doesNotMatch(attr, /^on/i, `${name}: event handler attribute in ${tag.raw}`);
      if (attr === 'data-href') {
        assert.match(value, /^https?:\/\//i, `${name}: link target ${value}`);
        assert.ok(isSafeLinkUrl(value), `${name}: unsafe link target ${value}`);
      }
      if (attr === 'class') assert.match(value, /^[\w +#.-]*$/, `${name}: odd class "${value}"`);
    }
  }
}

describe('renderMarkdown with hostile model output', () => {
  for (const answer of hostileAnswers) {
    it(`renders "${answer.name}" inert`, () => {
      assertInert(renderMarkdown(answer.text), answer.name);
    });
  }

  it('sanitizes fence info strings used as class names', () => {
    const html = renderMarkdown('```"><script>alert(1)</script>\ncode\n```');
    assert.match(html, /^<pre><code class="language-scriptalert1script">code\n<\/code><\/pre>/);
  });

  it('keeps hostile HTML visible as text', () => {
    const html = renderMarkdown('<script>alert("xss")</script>');
    assert.match(html, /&lt;script&gt;alert\(&quot;xss&quot;\)&lt;\/script&gt;/);
  });

  it('renders non-http(s) links as their plain source text', () => {
    for (const text of ['[click](javascript:alert(1))', '[open](command:workbench.action.terminal.new)', '[f](vscode://file/x)', '[d](data:text/html,hi)']) {
      const html = renderMarkdown(text);
      assert.doesNotMatch(html, /<a\b/, text);
      assert.equal(html, `<p>${text.replace(/&/g, '&amp;')}</p>\n`);
    }
  });

  it('does not resolve reference-style definitions to dangerous targets', () => {
    const html = renderMarkdown('See [docs][r].\n\n[r]: javascript:alert(1)');
    assert.doesNotMatch(html, /<a\b/);
    assert.match(html, /\[docs\]\[r\]/);
  });

  it('decodes entity tricks before checking the scheme', () => {
    for (const text of ['[x](&#106;avascript:alert(1))', '[x](javascript&colon;alert(1))', '[x](&#x6A;avascript:alert(1))']) {
      assert.doesNotMatch(renderMarkdown(text), /<a\b/, text);
    }
  });

  it('never emits an <img>: images become alt text plus a link to their URL', () => {
    const html = renderMarkdown('![tracking pixel](https://evil.example/p.png)');
    assert.doesNotMatch(html, /<img/i);
    assert.match(html, /class="md-image"[^>]*>.*tracking pixel<\/span>/);
    assert.match(html, /data-href="https:\/\/evil\.example\/p\.png"/);
  });

  it('drops data: images entirely (no link, source shown as text)', () => {
    const html = renderMarkdown('![x](data:image/png;base64,iVBORw0KGgo=)');
    assert.doesNotMatch(html, /<img|data-href/);
  });

  it('does not nest links when an image sits inside a link', () => {
    const html = renderMarkdown('[![badge](https://evil.example/b.svg)](https://example.com/ok)');
    assert.equal(html.match(/<a\b/g)?.length, 1);
    assert.match(html, /data-href="https:\/\/example\.com\/ok"/);
  });

  it('escapes attribute breakouts in URLs and titles', () => {
    const html = renderMarkdown('[x](https://example.com/"onmouseover="alert(1) "t\\" onclick=\\"y")');
    assertInert(html, 'breakout');
  });
});

describe('renderMarkdown with ordinary answers', () => {
  it('renders http(s) links as data-href anchors the panel opens on request', () => {
    const html = renderMarkdown('Read [the guide](https://example.com/guide?a=1&b=2).');
    assert.match(html, /<a class="md-link" data-href="https:\/\/example\.com\/guide\?a=1&amp;b=2"[^>]*>the guide<\/a>/);
    assert.doesNotMatch(html, /\shref=/);
  });

  it('linkifies bare URLs but not e-mail addresses', () => {
    assert.match(renderMarkdown('see https://example.org/x now'), /data-href="https:\/\/example\.org\/x"/);
    assert.doesNotMatch(renderMarkdown('mail someone@example.com'), /<a\b/);
  });

  it('highlights fenced code of known languages from escaped text', () => {
    const html = renderMarkdown('```ts\nconst x: string = "<b>";\n```');
    assert.match(html, /<pre><code class="language-ts"><span class="hljs-keyword">const<\/span>/);
    assert.match(html, /&quot;&lt;b&gt;&quot;/);
  });

  it('leaves unknown languages unhighlighted but escaped', () => {
    const html = renderMarkdown('```brainfudge\n<b>++</b>\n```');
    assert.equal(html, '<pre><code class="language-brainfudge">&lt;b&gt;++&lt;/b&gt;\n</code></pre>\n');
    assert.equal(highlightCode('x', 'nope'), '');
  });

  it('turns table alignment into classes instead of inline styles', () => {
    const html = renderMarkdown('| a | b |\n|:--|--:|\n| 1 | 2 |');
    assert.match(html, /<th class="md-align-left">a<\/th>/);
    assert.match(html, /<td class="md-align-right">2<\/td>/);
    assert.doesNotMatch(html, /style=/);
  });

  it('renders common markdown structure', () => {
    const html = renderMarkdown('# Title\n\n- **one**\n- _two_\n\n> quote\n\n3. three');
    assert.match(html, /<h1>Title<\/h1>/);
    assert.match(html, /<li><strong>one<\/strong><\/li>/);
    assert.match(html, /<blockquote>/);
    assert.match(html, /<ol start="3">/);
  });
});

describe('isSafeLinkUrl', () => {
  it('accepts absolute http(s) URLs only', () => {
    assert.equal(isSafeLinkUrl('https://example.com/a?b=c#d'), true);
    assert.equal(isSafeLinkUrl('HTTP://EXAMPLE.COM'), true);
    for (const bad of ['javascript:alert(1)', 'command:x', 'vscode://x', 'file:///etc/passwd', 'data:text/html,x', '//example.com', '/rel', 'https://', 'https://u:p@example.com', 'https://exa mple.com', 'https://example.com/\u0000', `https://example.com/${'a'.repeat(5000)}`, 'https:\\\\evil.example']) {
      assert.equal(isSafeLinkUrl(bad), false, bad);
    }
  });
});

describe('MarkdownCuts: where a streaming answer may be rendered in pieces', () => {
  const answer = [
    '# Title',
    '',
    'A paragraph with **bold** text',
    'that wraps over two lines.',
    '',
    '```ts',
    'const a = 1;',
    '',
    '',
    'const b = 2; // blank lines inside a fence do not cut',
    '```',
    '',
    '- a tight item',
    '- another',
    '',
    '- a loose item after a blank line (the same list)',
    '',
    '  continued inside the item',
    '',
    '1. first',
    '',
    '2. second',
    '',
    '> quoted',
    '',
    '| a | b |',
    '|---|--:|',
    '| 1 | 2 |',
    '',
    '~~~~',
    '```',
    'still code',
    '~~~~',
    '',
    '    indented code',
    '',
    '    more of it',
    '',
    'The end.',
    '',
  ].join('\n');

  it('renders every prefix in pieces exactly as the whole prefix, however the text arrives', () => {
    for (const step of [1, 3, 7, 40]) {
      const cuts = new MarkdownCuts();
      let stableEnd = 0;
      const pieces: string[] = [];
      for (let at = step; at <= answer.length + step - 1; at += step) {
        const prefix = answer.slice(0, Math.min(at, answer.length));
        const cut = cuts.advance(prefix);
        assert.ok(cut >= stableEnd && cut <= prefix.length);
        if (cut > stableEnd) {
          pieces.push(renderMarkdown(prefix.slice(stableEnd, cut)));
          stableEnd = cut;
        }
        assert.equal(pieces.join('') + renderMarkdown(prefix.slice(stableEnd)), renderMarkdown(prefix), `step ${step}, at ${at}`);
      }
      assert.ok(pieces.length >= 5, `the answer was cut into pieces (${pieces.length})`);
    }
  });

  it('finds the same cuts when given only the text from the latest cut on', () => {
    for (const step of [1, 5, 40]) {
      const whole = new MarkdownCuts();
      const windowed = new MarkdownCuts();
      let from = 0;
      for (let at = step; at <= answer.length + step - 1; at += step) {
        const prefix = answer.slice(0, Math.min(at, answer.length));
        const cut = windowed.advance(prefix.slice(from), from);
        assert.equal(cut, whole.advance(prefix), `step ${step}, at ${at}`);
        from = cut;
      }
      assert.ok(from > 0, 'the answer was cut');
    }
    const cuts = new MarkdownCuts();
    cuts.advance('a\n\nb\n\nc');
    assert.throws(() => cuts.advance('x', 100), RangeError, 'text that starts past the latest cut');
  });

  it('never cuts inside a fence, before an indented line or before a list item', () => {
    const cuts = new MarkdownCuts();
    const fenced = '```\na\n\nb\n```\n';
    assert.equal(cuts.advance(fenced), 0);
    assert.equal(cuts.advance(`${fenced}\nNext`), fenced.length + 1, 'after the fence closed and a blank line');
    const list = new MarkdownCuts();
    assert.equal(list.advance('- a\n\n- b\n\n  c\n\n1'), 0, 'a partial line of digits may become a list item');
    assert.equal(list.advance('- a\n\n- b\n\n  c\n\n1. d\n'), 0);
  });
});
