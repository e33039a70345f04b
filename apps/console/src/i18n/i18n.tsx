import { useEffect, useState } from 'preact/hooks';
import { de } from './de.ts';
import { en, type MessageKey } from './en.ts';

/**
 * The console's message catalog: English (the source) and German. A page asks `t('key', {n: 3})`;
 * `{name}` in a message is replaced by the parameter. The language is chosen per user and kept in
 * this browser (localStorage, keyed by the staff user id); the first visit follows the browser.
 *
 * Adopting it on a page: add the strings to en.ts (the type of de.ts then demands the German),
 * call `useLang()` once in the component (so it re-renders on a switch), and use `t(...)`.
 */
export type Lang = 'en' | 'de';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'de', label: 'Deutsch' },
];
const CATALOG: Record<Lang, Record<MessageKey, string>> = { en, de };
/** BCP 47 locale used for numbers and dates when no centre says otherwise. */
export const LOCALE_OF: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

const KEY = 'invigil.console.lang';
let userId: string | null = null;
let lang: Lang = initial();
const listeners = new Set<() => void>();

function stored(): Lang | null {
  try {
    const v = localStorage.getItem(userId ? `${KEY}.${userId}` : KEY);
    return v === 'en' || v === 'de' ? v : null;
  } catch {
    return null;
  }
}

function initial(): Lang {
  const s = stored();
  if (s) return s;
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** Whose choice applies (called when a staff user signs in; null when signed out). */
export function setUser(id: string | null): void {
  if (id === userId) return;
  userId = id;
  const s = stored();
  if (s && s !== lang) {
    lang = s;
    for (const l of listeners) l();
  }
}

export function getLang(): Lang {
  return lang;
}

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(userId ? `${KEY}.${userId}` : KEY, next);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = next;
  for (const l of listeners) l();
}

/** The message for `key` in the current language, with `{param}`s filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const msg = CATALOG[lang][key] ?? en[key];
  return params ? msg.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m)) : msg;
}

/** Re-renders the component when the language changes; answers the language. */
export function useLang(): Lang {
  const [l, setL] = useState(lang);
  useEffect(() => {
    const f = () => setL(lang);
    listeners.add(f);
    return () => void listeners.delete(f);
  }, []);
  return l;
}

/** Where a date is shown: a centre's time zone and locale (both optional). */
export interface Place {
  timeZone?: string | null;
  locale?: string | null;
}

/**
 * A date and time in the centre's time zone and locale (24-hour where that locale's custom is),
 * with the zone named when it is not the browser's own: "01.12.2026, 14:30 (Europe/Berlin)".
 */
export function formatDateTime(iso: string | null | undefined, place: Place = {}, opts: { seconds?: boolean; short?: boolean } = {}): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const locale = place.locale || LOCALE_OF[lang];
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timeZone = place.timeZone || undefined;
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat(locale, {
      ...(opts.short ? { day: 'numeric', month: 'short' } : { dateStyle: 'medium' }),
      ...(opts.short ? { hour: '2-digit', minute: '2-digit' } : { timeStyle: opts.seconds ? 'medium' : 'short' }),
      ...(timeZone ? { timeZone } : {}),
    } as Intl.DateTimeFormatOptions);
  } catch {
    f = new Intl.DateTimeFormat(LOCALE_OF[lang], { dateStyle: 'medium', timeStyle: 'short' });
  }
  const s = f.format(d);
  return timeZone && timeZone !== own ? `${s} (${timeZone})` : s;
}

/** A language picker (for the top bar). */
export function LanguagePicker() {
  const l = useLang();
  return (
    <label class="lang-pick">
      <span class="sr-only">{t('lang.label')}</span>
      <select value={l} onChange={(e) => setLang(e.currentTarget.value as Lang)} aria-label={t('lang.label')}>
        {LANGS.map((x) => (
          <option key={x.id} value={x.id}>
            {x.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export type { MessageKey };
