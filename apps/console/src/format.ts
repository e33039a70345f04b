import { getLang, LOCALE_OF } from './i18n/i18n.tsx';

/** 3725 → "1:02:05", 125 → "2:05". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 5 → "5 s", 75 → "1 min 15 s", 4000 → "1 h 6 min". */
export function ago(seconds: number | null): string {
  if (seconds === null) return 'never';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Formatters in the language the user chose (en → en-GB: 24-hour clock; de → de-DE), built once each. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = LOCALE_OF[getLang()];
  const key = `${locale}|${name}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}
const format = (name: string, options: Intl.DateTimeFormatOptions) => (iso: string | number | Date | null | undefined): string => {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : fmt(name, options).format(d);
};

/** "22 Nov, 19:56": compact, for tables. */
export const shortDateTime = format('short', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
export const dateTime = format('dateTime', { dateStyle: 'medium', timeStyle: 'medium' });
export const time = format('time', { timeStyle: 'medium' });
/** "19:56". */
export const hourMinute = format('hm', { hour: '2-digit', minute: '2-digit' });
/** "19:56:07". */
export const hourMinuteSecond = format('hms', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A short, human device description from a kiosk/browser user agent. */
export function deviceKind(ua: string): string {
  if (!ua) return 'Unknown';
  if (/invigil|electron/i.test(ua)) return 'Kiosk';
  if (/edg\//i.test(ua)) return 'Edge';
  if (/chrom(e|ium)/i.test(ua)) return 'Chrome';
  if (/firefox/i.test(ua)) return 'Firefox';
  if (/safari/i.test(ua)) return 'Safari';
  if (/node|undici|curl/i.test(ua)) return 'Script';
  return 'Other';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
