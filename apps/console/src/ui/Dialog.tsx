import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';

/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert
 * (focus stays inside), Escape closes it, and focus returns to what opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean; tone?: 'danger' | 'normal'; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current!;
    if (!d.open) d.showModal();
    // First field, else the first button that is not "close".
    const first = d.querySelector<HTMLElement>('[data-autofocus], input:not([type=hidden]), textarea, select') ?? d.querySelector<HTMLElement>('button:not(.dialog-close)');
    first?.focus();
    return () => {
      if (d.open) d.close();
      // After the re-render that removed the dialog: back to what opened it.
      requestAnimationFrame(() => {
        if (opener && document.contains(opener)) opener.focus();
      });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog${props.wide ? ' dialog-wide' : ''}${props.tone === 'danger' ? ' dialog-danger' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={props.describedBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its box) closes it.
        const d = ref.current;
        if (d && e.target === d) {
          const r = d.getBoundingClientRect();
          const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
          if (!inside) props.onClose();
        }
      }}
    >
      <header class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="dialog-close" aria-label={t('ui.close')} onClick={props.onClose}>
          ×
        </button>
      </header>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}
