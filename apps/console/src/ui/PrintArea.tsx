import type { ComponentChildren } from 'preact';
import { createPortal } from 'preact/compat';

/**
 * What the page prints: rendered straight into <body>, hidden on screen; in print (Ctrl+P or
 * Chromium's print-to-PDF) it is the only thing shown (see `.print-root` in styles.css). Children
 * marked `.print-page` each start a new sheet.
 */
export function PrintArea(props: { children: ComponentChildren; label: string }) {
  return createPortal(
    <div class="print-root" aria-hidden="true" data-print={props.label}>
      {props.children}
    </div>,
    document.body,
  );
}

/** Opens the browser's print dialog (the user may choose "Save as PDF"). */
export function printNow(): void {
  window.print();
}
