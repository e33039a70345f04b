import { CreateCenterRequest, CreateRoomRequest, UpdateCenterRequest, type Center, type Room } from '@invigil/contract';
import { formatDateTime, t, useLang } from '../i18n/index.ts';
import { useState } from 'preact/hooks';
import { api, messageOf } from '../api.ts';
import { ErrorNote, Loading, PageHead, useLoad } from '../ui/bits.tsx';
import { invalidateDirectory } from '../directory.ts';

/** Exam centers and their rooms. */
export function CentersPage() {
  useLang();
  const centers = useLoad((signal) => api.get<{ centers: Center[] }>('/admin/centers', undefined, signal), []);
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [timeZone, setTimeZone] = useState('');
  const [locale, setLocale] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <section>
      <PageHead title={t('ctr.title')} sub={t('ctr.sub')} />
      {msg ? (
        <p class={`note ${msg.ok ? 'note-ok' : 'note-error'}`} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      ) : null}
      <form
        class="card inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const parsed = CreateCenterRequest.safeParse({ name, ...(address.trim() ? { address } : {}), ...(timeZone.trim() ? { timeZone: timeZone.trim() } : {}), ...(locale.trim() ? { locale: locale.trim() } : {}) });
          if (!parsed.success) return setMsg({ ok: false, text: parsed.error.issues.map((i) => i.message).join('; ') });
          try {
            await api.post('/admin/centers', parsed.data);
            setMsg({ ok: true, text: t('ctr.created', { name }) });
            setName('');
            setAddress('');
            invalidateDirectory();
            centers.reload();
          } catch (err) {
            setMsg({ ok: false, text: messageOf(err) });
          }
        }}
      >
        <label class="field">
          <span>{t('ctr.newName')}</span>
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('ctr.address')}</span>
          <input value={address} onInput={(e) => setAddress(e.currentTarget.value)} size={36} />
        </label>
        <label class="field">
          <span>{t('centre.timeZone')}</span>
          <input list="time-zones" value={timeZone} placeholder="UTC" onInput={(e) => setTimeZone(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('centre.locale')}</span>
          <input list="locales" value={locale} placeholder="en-GB" size={8} onInput={(e) => setLocale(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary">
          {t('ctr.add')}
        </button>
      </form>
      <ZoneLists />
      <ErrorNote error={centers.error} />
      {centers.loading && !centers.data ? <Loading what={t('ctr.loading')} /> : null}
      {(centers.data?.centers ?? []).map((c) => (
        <CenterCard key={c.id} center={c} onChange={centers.reload} onMsg={setMsg} />
      ))}
      {centers.data && centers.data.centers.length === 0 ? <p class="empty">{t('ctr.none')}</p> : null}
    </section>
  );
}

function CenterCard(props: { center: Center; onChange: () => void; onMsg: (m: { ok: boolean; text: string }) => void }) {
  useLang();
  const { center } = props;
  const rooms = useLoad((signal) => api.get<{ rooms: Room[] }>(`/admin/centers/${encodeURIComponent(center.id)}/rooms`, undefined, signal), [center.id, center.roomCount]);
  const [name, setName] = useState('');
  const [capacity, setCapacity] = useState('30');
  return (
    <div class="card">
      <div class="card-head">
        <div>
          <h2>{center.name}</h2>
          <p class="muted small">{center.address || t('ctr.noAddress')}</p>
          <CentreZone center={center} onChange={props.onChange} onMsg={props.onMsg} />
        </div>
        <button
          type="button"
          class="btn btn-small btn-danger-outline"
          onClick={async () => {
            if (!confirm(t('ctr.confirmDelete', { name: center.name }))) return;
            try {
              await api.del(`/admin/centers/${encodeURIComponent(center.id)}`);
              props.onMsg({ ok: true, text: t('ctr.deleted', { name: center.name }) });
              props.onChange();
            } catch (err) {
              props.onMsg({ ok: false, text: messageOf(err) });
            }
          }}
        >
          {t('ctr.delete')}
        </button>
      </div>
      <table class="table">
        <caption class="sr-only">{t('ctr.roomsOf', { name: center.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ctr.room')}</th>
            <th scope="col">{t('ctr.capacity')}</th>
            <th scope="col">{t('ctr.id')}</th>
          </tr>
        </thead>
        <tbody>
          {(rooms.data?.rooms ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.name}</td>
              <td class="num">{r.capacity}</td>
              <td class="mono small">{r.id}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const parsed = CreateRoomRequest.safeParse({ name, capacity: Number(capacity) });
          if (!parsed.success) return props.onMsg({ ok: false, text: parsed.error.issues.map((i) => i.message).join('; ') });
          try {
            await api.post(`/admin/centers/${encodeURIComponent(center.id)}/rooms`, parsed.data);
            props.onMsg({ ok: true, text: t('ctr.roomAdded', { name, center: center.name }) });
            setName('');
            invalidateDirectory();
            props.onChange();
            rooms.reload();
          } catch (err) {
            props.onMsg({ ok: false, text: messageOf(err) });
          }
        }}
      >
        <label class="field">
          <span>{t('ctr.newRoom')}</span>
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('ctr.capacity')}</span>
          <input type="number" min={0} max={100000} value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} size={6} />
        </label>
        <button type="submit" class="btn">
          {t('ctr.addRoom')}
        </button>
      </form>
    </div>
  );
}

const LOCALES = ['en-GB', 'en-US', 'de-DE', 'de-AT', 'de-CH', 'fr-FR', 'nl-NL', 'es-ES', 'it-IT', 'pl-PL'];

/** Suggestions for the time zone and locale fields (any IANA zone / BCP 47 locale is accepted). */
function ZoneLists() {
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC', 'Europe/Berlin', 'Europe/London'];
  return (
    <>
      <datalist id="time-zones">
        {['UTC', ...zones].map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <datalist id="locales">
        {LOCALES.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
    </>
  );
}

/** A centre's time zone and locale: shown with the local time there, editable. */
function CentreZone(props: { center: Center; onChange: () => void; onMsg: (m: { ok: boolean; text: string }) => void }) {
  useLang();
  const { center } = props;
  const [tz, setTz] = useState(center.timeZone);
  const [loc, setLoc] = useState(center.locale);
  return (
    <form
      class="zone-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const parsed = UpdateCenterRequest.safeParse({ timeZone: tz.trim(), locale: loc.trim() });
        if (!parsed.success) return props.onMsg({ ok: false, text: parsed.error.issues.map((i) => i.message).join('; ') });
        try {
          await api.patch(`/admin/centers/${encodeURIComponent(center.id)}`, parsed.data);
          props.onMsg({ ok: true, text: t('centre.saved', { name: center.name }) });
          invalidateDirectory();
          props.onChange();
        } catch (err) {
          props.onMsg({ ok: false, text: messageOf(err) });
        }
      }}
    >
      <span class="small muted">{t('centre.now', { time: formatDateTime(new Date().toISOString(), { timeZone: center.timeZone, locale: center.locale }) })}</span>
      <label class="field field-inline">
        <span class="small">{t('centre.timeZone')}</span>
        <input list="time-zones" value={tz} size={18} onInput={(e) => setTz(e.currentTarget.value)} aria-label={`${t('centre.timeZone')} ${center.name}`} />
      </label>
      <label class="field field-inline">
        <span class="small">{t('centre.locale')}</span>
        <input list="locales" value={loc} size={7} onInput={(e) => setLoc(e.currentTarget.value)} aria-label={`${t('centre.locale')} ${center.name}`} />
      </label>
      <button type="submit" class="btn btn-small">
        {t('centre.save')}
      </button>
    </form>
  );
}
