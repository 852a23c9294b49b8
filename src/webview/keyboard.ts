/**
 * Keyboard use of the panel: each column, the toolbar and the overview are one Tab stop, with
 * the arrow keys moving inside ("roving tabindex"); single-key shortcuts; and the tooltip that
 * shows a metric's formula on focus as well as on hover.
 */
import { el } from './components';

/** Marks an element as a roving group: one Tab stop, arrows move inside. */
export const rovingAttr = 'data-roving';

/** The elements of a group the arrow keys visit, in document order. */
export function rovingItems(group: HTMLElement): HTMLElement[] {
  const candidates = group.querySelectorAll<HTMLElement>('button, select, [tabindex], .md-link');
  return [...candidates].filter((e) => {
    if (e === group) return false;
    // Items of a nested group belong to it.
    if (e.parentElement?.closest(`[${rovingAttr}]`) !== group) return false;
    if ((e as HTMLButtonElement).disabled) return false;
    if (e.closest('[hidden]') || e.closest('.menu')) return false;
    return e.getClientRects().length > 0;
  });
}

/**
 * Makes exactly one item of the group reachable with Tab: the one focused last when it is
 * still usable, else `preferred`, else the first item.
 */
export function syncRoving(group: HTMLElement, preferred?: HTMLElement | null): void {
  const items = rovingItems(group);
  let current = items.find((e) => e.dataset.roveCurrent === '1') ?? (preferred && items.includes(preferred) ? preferred : undefined) ?? items[0];
  if (document.activeElement instanceof HTMLElement && items.includes(document.activeElement)) current = document.activeElement;
  for (const item of group.querySelectorAll<HTMLElement>('button, select, [tabindex], .md-link')) {
    if (item.parentElement?.closest(`[${rovingAttr}]`) !== group) continue;
    item.tabIndex = item === current ? 0 : -1;
    if (item === current) item.dataset.roveCurrent = '1';
    else delete item.dataset.roveCurrent;
  }
}

/** Moves focus inside a group to `item` and makes it the group's Tab stop. */
export function focusItem(group: HTMLElement, item: HTMLElement | undefined, preventScroll = false): void {
  if (!item) return;
  for (const other of rovingItems(group)) {
    other.tabIndex = -1;
    delete other.dataset.roveCurrent;
  }
  item.tabIndex = 0;
  item.dataset.roveCurrent = '1';
  item.focus({ preventScroll });
}

/** Focuses a group's current item (its Tab stop). */
export function focusGroup(group: HTMLElement, preventScroll = false): void {
  syncRoving(group);
  const items = rovingItems(group);
  focusItem(group, items.find((e) => e.tabIndex === 0) ?? items[0], preventScroll);
}

/**
 * Arrow keys, Home and End inside roving groups. Up/Down are left to scrollable text and to
 * selects, which need them; Left/Right always move.
 */
export function handleRovingKey(event: KeyboardEvent): boolean {
  const target = event.target instanceof HTMLElement ? event.target : null;
  const group = target?.closest<HTMLElement>(`[${rovingAttr}]`);
  if (!target || !group || event.altKey || event.ctrlKey || event.metaKey) return false;
  const vertical = event.key === 'ArrowUp' || event.key === 'ArrowDown';
  const keys = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'];
  if (!keys.includes(event.key)) return false;
  if (vertical && (target.tagName === 'SELECT' || target.classList.contains('column-body') || target.classList.contains('scrolls'))) return false;
  if (group.dataset.roving === 'horizontal' && vertical) return false;
  const items = rovingItems(group);
  const at = items.indexOf(target);
  if (at < 0) return false;
  let next: HTMLElement | undefined;
  if (event.key === 'Home') next = items[0];
  else if (event.key === 'End') next = items[items.length - 1];
  else {
    const forward = event.key === 'ArrowRight' || event.key === 'ArrowDown';
    next = items[(at + (forward ? 1 : items.length - 1)) % items.length];
  }
  event.preventDefault();
  focusItem(group, next);
  return true;
}

/** Whether a key event should not trigger a single-key shortcut (typing in a field, a modifier held). */
export function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const t = event.target;
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
}

/**
 * One tooltip for the whole panel, shown under the element that is hovered or focused when that
 * element has a `data-tip` (a metric's formula, a ratio's interval). Not a `title`: it appears
 * for keyboard users too, and stays while the pointer is on it.
 */
export class Tooltip {
  private readonly element = el('div', { className: 'tip', attrs: { role: 'tooltip', id: 'bakeoff-tip' } });
  private owner: HTMLElement | null = null;

  constructor(root: HTMLElement) {
    this.element.hidden = true;
    root.append(this.element);
    const show = (event: Event): void => {
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-tip]') : null;
      if (target) this.show(target);
    };
    const hide = (event: Event): void => {
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-tip]') : null;
      if (target && target === this.owner) this.hide();
    };
    document.addEventListener('focusin', show);
    document.addEventListener('mouseover', show);
    document.addEventListener('focusout', hide);
    document.addEventListener('mouseout', (event) => {
      const to = (event as MouseEvent).relatedTarget;
      if (to instanceof Node && this.owner?.contains(to)) return;
      hide(event);
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.hide();
    });
    document.addEventListener('scroll', () => this.hide(), true);
  }

  /** Re-attaches the tooltip after a full render replaced the page's content. */
  mount(root: HTMLElement): void {
    this.hide();
    root.append(this.element);
  }

  private show(target: HTMLElement): void {
    const text = target.dataset.tip;
    if (!text) return;
    this.owner = target;
    this.element.textContent = text;
    this.element.hidden = false;
    target.setAttribute('aria-describedby', 'bakeoff-tip');
    const rect = target.getBoundingClientRect();
    const width = Math.min(360, window.innerWidth - 16);
    this.element.style.maxWidth = `${width}px`;
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    this.element.style.left = `${left}px`;
    const below = rect.bottom + 6;
    const height = this.element.offsetHeight;
    this.element.style.top = `${below + height > window.innerHeight - 8 ? Math.max(8, rect.top - height - 6) : below}px`;
  }

  hide(): void {
    this.owner?.removeAttribute('aria-describedby');
    this.owner = null;
    this.element.hidden = true;
  }
}
