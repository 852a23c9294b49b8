/**
 * Small DOM building blocks of the panel: elements, codicons, buttons, the toast and the
 * keyboard behaviour of pop-up menus. Everything is built with DOM APIs (no HTML strings).
 */

export interface ElementOptions {
  className?: string;
  text?: string;
  testId?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  if (options.testId) element.dataset.testid = options.testId;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function icon(name: string, extra = ''): HTMLSpanElement {
  return el('span', { className: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

export interface ButtonOptions {
  testId: string;
  icon: string;
  label: string;
  /** Tooltip and accessible name. */
  title: string;
  onClick: (button: HTMLButtonElement) => void;
  className?: string;
}

export function button(options: ButtonOptions): HTMLButtonElement {
  const b = el(
    'button',
    { className: `btn ${options.className ?? ''}`.trim(), testId: options.testId, attrs: { type: 'button', title: options.title, 'aria-label': options.title } },
    icon(options.icon),
    el('span', { className: 'btn-text', text: options.label }),
  );
  b.addEventListener('click', () => options.onClick(b));
  return b;
}

/**
 * The notice line at the bottom of the panel. Every full render mounts a fresh element; a
 * notice shows in the latest one and hides after a while.
 */
export class Toast {
  private element: HTMLElement | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** While the pointer or the focus is on the notice, it stays. */
  private held = false;

  /** `onAction` hears a click on one of a notice's buttons (by its id). */
  constructor(private readonly onAction: (id: string) => void = () => undefined) {}

  /** Creates the (hidden) toast element of a new render. */
  mount(): HTMLElement {
    const element = el('div', { className: 'toast', testId: 'toast', attrs: { role: 'status', 'aria-live': 'polite' } });
    element.addEventListener('mouseenter', () => (this.held = true));
    element.addEventListener('mouseleave', () => {
      this.held = false;
      this.scheduleHide(2_000);
    });
    element.addEventListener('focusin', () => (this.held = true));
    element.addEventListener('focusout', () => {
      this.held = false;
      this.scheduleHide(2_000);
    });
    this.element = element;
    return element;
  }

  show(level: 'info' | 'warning' | 'error', message: string, actions: ReadonlyArray<{ id: string; label: string }> = []): void {
    if (!this.element) return;
    const iconName = level === 'info' ? 'check' : level === 'warning' ? 'warning' : 'error';
    this.element.className = `toast visible toast-${level}`;
    const buttons = actions.map((a) => {
      const b = el('button', { className: 'toast-action', text: a.label, testId: `toast-action-${a.label.toLowerCase()}`, attrs: { type: 'button' } });
      b.addEventListener('click', () => {
        this.element?.classList.remove('visible');
        this.onAction(a.id);
      });
      return b;
    });
    this.element.replaceChildren(icon(iconName), el('span', { className: 'toast-text', text: message }), ...buttons);
    // A notice with a button (Undo) stays long enough to be used.
    this.scheduleHide(actions.length ? 12_000 : level === 'info' ? 3_000 : 6_000);
  }

  private scheduleHide(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.held) this.element?.classList.remove('visible');
    }, ms);
  }
}

/**
 * Arrow keys move between the enabled `.menu-item`s of `menu` (wrapping around); Escape calls
 * `onEscape`.
 */
export function handleMenuKeys(menu: HTMLElement, onEscape: () => void): void {
  menu.addEventListener('keydown', (event) => {
    const items = [...menu.querySelectorAll<HTMLButtonElement>('.menu-item:not(:disabled)')];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onEscape();
    }
  });
}
