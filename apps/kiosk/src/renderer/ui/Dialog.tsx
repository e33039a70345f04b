import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert (focus stays
 * inside), and focus returns to what opened it. Without `onClose` it cannot be dismissed
 * (Escape does nothing): used for the lock and pause overlays, which only staff lift.
 */
export function Dialog(props: {
  title: string;
  onClose?: () => void;
  children: ComponentChildren;
  tone?: 'normal' | 'alert' | 'overlay';
  role?: 'dialog' | 'alertdialog';
  describedBy?: string;
  class?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current!;
    if (!d.open) d.showModal();
    const first = d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('input, textarea, button') ?? d.querySelector<HTMLElement>('h2');
    first?.focus();
    return () => {
      if (d.open) d.close();
      requestAnimationFrame(() => {
        if (opener && document.contains(opener)) opener.focus();
      });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      role={props.role}
      class={`dialog dialog-${props.tone ?? 'normal'}${props.class ? ` ${props.class}` : ''}`}
      aria-labelledby={titleId}
      aria-describedby={props.describedBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose?.();
      }}
    >
      <h2 id={titleId} tabIndex={-1}>
        {props.title}
      </h2>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}
