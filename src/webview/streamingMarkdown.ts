/**
 * An answer's Markdown shown while it streams, at a cost that does not grow with its length: the
 * part before the latest cut (see `MarkdownCuts`) is rendered once, block by block, and only the
 * rest is rendered again when text arrives. Rendered in pieces cut there, an answer reads exactly
 * as rendered whole, unless it defines a reference-style link (`[id]: url`), which can apply to
 * text before it: the final answer is then rendered whole, once.
 *
 * The blocks rendered for good are kept in chunks (`div.md-chunk`, laid out on their own, see
 * main.css) of up to {@link blocksPerChunk} blocks, so that each frame's layout visits a few
 * dozen chunks rather than every paragraph of a long answer.
 */
import { MarkdownCuts, renderMarkdown } from './markdown';

/** Blocks per chunk of the part rendered for good. */
const blocksPerChunk = 32;

export class StreamingMarkdown {
  /** Length of the text on screen (the text itself is not kept: the caller has it). */
  private length = 0;
  /** Offset of the end of the part rendered for good. */
  private stableEnd = 0;
  /** The text after `stableEnd`: what each render renders again. */
  private tailText = '';
  private cuts = new MarkdownCuts();
  /** Nodes of the part after `stableEnd`, replaced at each render. */
  private tail: Node[] = [];
  /** The chunk that takes the next blocks rendered for good, while it has room. */
  private chunk: HTMLElement | null = null;
  private readonly template: HTMLTemplateElement;
  /** The text on screen was rendered whole. */
  private whole = false;

  /**
   * `prepare` adjusts each piece of newly rendered Markdown before it is shown (e.g. focus order);
   * `removed` is told which nodes on screen were replaced (e.g. to move the focus order on).
   */
  constructor(
    private readonly root: HTMLElement,
    private readonly prepare: (rendered: ParentNode) => void = () => undefined,
    private readonly removed: (nodes: readonly Node[]) => void = () => undefined,
  ) {
    this.template = root.ownerDocument.createElement('template');
  }

  /**
   * Shows `text`: the whole of it rendered at once when `complete`, else incrementally.
   * `extendsShown`: whether `text` begins with the text on screen (the caller compares).
   */
  show(text: string, complete: boolean, extendsShown: boolean): void {
    if (complete && (this.whole || !extendsShown || definesReference(text))) {
      this.reset(text.length);
      this.root.innerHTML = text ? renderMarkdown(text) : '';
      this.prepare(this.root);
      this.whole = true;
      return;
    }
    if (this.whole || !extendsShown) this.reset(0);
    this.extend(text.slice(this.length), complete);
  }

  /**
   * Shows `part` after the text on screen, which is still streaming: the same as `show` with the
   * longer text, without reading the text shown so far (a long answer is not copied per render).
   */
  append(part: string): void {
    if (this.whole) throw new Error('StreamingMarkdown.append: the answer on screen is complete');
    this.extend(part, false);
  }

  private extend(part: string, complete: boolean): void {
    this.length += part.length;
    this.tailText += part;
    this.whole = complete;
    const cut = this.cuts.advance(this.tailText, this.stableEnd);
    const before = this.tail[0] ?? null;
    if (cut > this.stableEnd) {
      this.keep(this.fragment(this.tailText.slice(0, cut - this.stableEnd)), before);
      this.tailText = this.tailText.slice(cut - this.stableEnd);
      this.stableEnd = cut;
    }
    if (this.tail.length) this.removed(this.tail);
    for (const node of this.tail) node.parentNode?.removeChild(node);
    const tail = this.fragment(this.tailText);
    this.tail = Array.from(tail.childNodes);
    this.root.appendChild(tail);
  }

  /** Adds blocks rendered for good to the open chunk, opening new ones (before `before`) as they fill. */
  private keep(blocks: DocumentFragment, before: Node | null): void {
    while (blocks.firstChild) {
      if (!this.chunk || this.chunk.childElementCount >= blocksPerChunk) {
        this.chunk = this.root.ownerDocument.createElement('div');
        this.chunk.className = 'md-chunk';
        this.root.insertBefore(this.chunk, before);
      }
      const room = blocksPerChunk - this.chunk.childElementCount;
      const part = this.root.ownerDocument.createDocumentFragment();
      let taken = 0;
      while (blocks.firstChild && (taken < room || blocks.firstChild.nodeType !== Node.ELEMENT_NODE)) {
        if (blocks.firstChild.nodeType === Node.ELEMENT_NODE) taken++;
        part.appendChild(blocks.firstChild);
      }
      this.chunk.appendChild(part);
    }
  }

  private reset(length: number): void {
    this.length = length;
    this.whole = false;
    this.stableEnd = 0;
    this.tailText = '';
    this.cuts = new MarkdownCuts();
    this.tail = [];
    this.chunk = null;
    if (this.root.firstChild) this.removed(Array.from(this.root.childNodes));
    this.root.replaceChildren();
  }

  private fragment(markdown: string): DocumentFragment {
    this.template.innerHTML = markdown ? renderMarkdown(markdown) : '';
    this.prepare(this.template.content);
    return this.template.content;
  }
}

/** Whether Markdown defines a reference-style link (`[id]: url` at the start of a line). */
function definesReference(text: string): boolean {
  return /^ {0,3}\[[^\]\n]+\]:/m.test(text);
}
