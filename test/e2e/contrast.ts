/**
 * WCAG 2.x contrast of every piece of text in the panel, from computed styles, measured inside
 * the webview. The script is a plain string so that the test runner's transpiler cannot wrap
 * its functions in helpers the page does not have.
 *
 * Colours are read with a canvas (which understands every CSS colour syntax, `color-mix()`
 * results included), backgrounds are composited from the element up to the page (alpha
 * included), and the text colour is blended with `opacity` along the way. Disabled controls are
 * left out (WCAG exempts them), as are icon glyphs (not text).
 */

/** One text sample. */
export interface ContrastSample {
  /** `code` inside pre/code, `answer` for the rendered answer, `ui` for the rest. */
  kind: 'code' | 'answer' | 'ui';
  ratio: number;
  text: string;
  /** e.g. `span.hljs-comment < code < pre` */
  where: string;
  color: string;
  background: string;
}

/** Evaluated in the webview frame; returns every visible text run with its contrast ratio. */
export const contrastProbe = String.raw`(() => {
  const canvas = document.createElement('canvas');
  canvas.width = 1; canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = 'rgba(0,0,0,0)';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const lum = (c) => {
    const ch = (v) => { v = v / 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const backgroundOf = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(rgba(getComputedStyle(e).backgroundColor));
    let bg = [255, 255, 255, 1];
    const root = rgba(getComputedStyle(document.documentElement).backgroundColor);
    if (root[3] > 0) bg = over(root, bg);
    for (let i = chain.length - 1; i >= 0; i--) bg = over(chain[i], bg);
    return bg;
  };
  const opacityOf = (el) => { let o = 1; for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && parts.length < 4 && e !== document.body; e = e.parentElement) {
      const cls = (typeof e.className === 'string' && e.className.trim()) ? '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.') : '';
      parts.push(e.tagName.toLowerCase() + cls);
    }
    return parts.join(' < ');
  };
  const samples = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest('[aria-hidden="true"], .codicon, script, style, title')) continue;
    if (el.closest('button:disabled, select:disabled, [aria-disabled="true"]')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || el.getClientRects().length === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const bg = backgroundOf(el);
    const fg0 = rgba(cs.color);
    const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacityOf(el)], bg);
    const kind = el.closest('pre, code, .raw') ? 'code' : el.closest('.markdown') ? 'answer' : 'ui';
    samples.push({ kind, ratio: Math.round(ratio(fg, bg) * 100) / 100, text: text.slice(0, 40), where: describe(el), color: cs.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')' });
  }
  return samples;
})()`;

/** The lowest ratio per kind, and every sample below `min`. */
export function contrastReport(samples: readonly ContrastSample[], min = 4.5): { lowest: Record<string, number>; failing: ContrastSample[] } {
  const lowest: Record<string, number> = {};
  for (const s of samples) lowest[s.kind] = Math.min(lowest[s.kind] ?? Infinity, s.ratio);
  const failing = samples.filter((s) => s.ratio < min);
  return { lowest, failing };
}
