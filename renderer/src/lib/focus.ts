/**
 * Keyboard focus across controls that appear and disappear: a question that shows up after an action
 * takes the focus (so the keyboard is where the answer is), and a control that swaps for another hands
 * the focus on to the one that appears. Svelte attachments ({@attach ...}).
 */
import type { Attachment } from 'svelte/attachments';

/** Focus the element as it appears (a question after an action: "Replace it?"). */
export const focusOnAppear: Attachment<HTMLElement> = (el) => {
  el.focus();
};

/**
 * Hand the focus on when one control swaps for another: ask(key) before the swap, and the element
 * attached with take(key) focuses itself when it appears.
 */
export class FocusHandOver {
  #next: string | null = null;

  ask(key: string): void {
    this.#next = key;
  }

  take(key: string): Attachment<HTMLElement> {
    return (el) => {
      if (this.#next !== key) return;
      this.#next = null;
      el.focus();
    };
  }
}

/**
 * A question that appears after an action ("Replace it?"): it takes the focus as it appears, so the
 * keyboard is next to its answer and a screen reader reads it; Escape dismisses it (`dismiss`). When it
 * goes (answered, dismissed), a focus left nowhere goes back to where it was before (the field or button
 * of the action).
 */
export function question(dismiss: () => void): Attachment<HTMLElement> {
  return (el) => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    el.focus();
    const onkey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      dismiss();
    };
    el.addEventListener('keydown', onkey);
    return () => {
      el.removeEventListener('keydown', onkey);
      const lost = (): boolean => document.activeElement === null || document.activeElement === document.body || el.contains(document.activeElement);
      if (!lost()) return;
      // After the question has left the page (teardown may run before its nodes are removed).
      requestAnimationFrame(() => {
        if (before?.isConnected && lost()) before.focus();
      });
    };
  };
}

/** Escape pressed inside the element (a confirmation, an inline form) calls `fn`: its way out. */
export function onEscape(fn: () => void): Attachment<HTMLElement> {
  return (el) => {
    const onkey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      fn();
    };
    el.addEventListener('keydown', onkey);
    return () => el.removeEventListener('keydown', onkey);
  };
}

/**
 * Keyboard focus stays in a toolbar whose buttons swap (Pause ⇄ Resume, Run ⇄ Cancel, Stop → Train):
 * when the focused button leaves the page, the toolbar's main button (its first enabled primary one:
 * Resume, Train, Run; else its first enabled button: Pause, Cancel) takes the focus instead of the
 * page's body (where the next Tab would start over from the top).
 */
export const keepFocusIn: Attachment<HTMLElement> = (box) => {
  let inside = false;
  const rescue = (): void => {
    const active = document.activeElement;
    if (!inside || (active && active !== document.body)) return;
    const pick = (q: string): HTMLElement | null => box.querySelector<HTMLElement>(q);
    (pick('button.primary:not(:disabled)') ?? pick('button:not(:disabled)') ?? pick('input:not(:disabled), select:not(:disabled)'))?.focus();
  };
  const onin = (): void => {
    inside = true;
  };
  const onout = (e: FocusEvent): void => {
    const left = e.target as HTMLElement;
    // Moved elsewhere by the user (the element is still there and enabled): the toolbar lets it go.
    requestAnimationFrame(() => {
      if (box.contains(document.activeElement)) return;
      // A button disabled as it is pressed (Train while the run starts) loses the focus too: the swap follows.
      if (left.isConnected && !(left as HTMLButtonElement).disabled) inside = false;
      else rescue();
    });
  };
  const mo = new MutationObserver(() => requestAnimationFrame(rescue));
  mo.observe(box, { childList: true, subtree: true });
  box.addEventListener('focusin', onin);
  box.addEventListener('focusout', onout);
  return () => {
    mo.disconnect();
    box.removeEventListener('focusin', onin);
    box.removeEventListener('focusout', onout);
  };
};
