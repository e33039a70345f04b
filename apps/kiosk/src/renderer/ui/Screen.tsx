import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A centred card with one heading; focus moves to the heading when the screen appears. */
export function Screen(props: { title: string; children: ComponentChildren; wide?: boolean; center?: boolean; lead?: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => h.current?.focus(), [props.title]);
  return (
    <main class="screen">
      <div class={`card${props.wide ? ' card-wide' : ''}${props.center ? ' card-center' : ''}`}>
        <p class="brand" aria-hidden="true">
          <span class="brand-mark">◆</span> Invigil
        </p>
        <h1 ref={h} tabIndex={-1}>
          {props.title}
        </h1>
        {props.lead ? <p class="lead">{props.lead}</p> : null}
        {props.children}
      </div>
    </main>
  );
}

export function ErrorNote(props: { error: { message: string } | null; id?: string }) {
  if (!props.error) return null;
  return (
    <p class="note note-error" role="alert" id={props.id}>
      {props.error.message}
    </p>
  );
}
