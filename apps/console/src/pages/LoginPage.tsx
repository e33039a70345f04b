import type { StaffLoginResponse } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, ApiError, auth } from '../api.ts';
import { ErrorNote } from '../ui/bits.tsx';
import { t, useLang } from '../i18n/index.ts';

export function LoginPage() {
  useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // At the session limit ("deny new"), e.g. tabs that lost their tokens: the password is checked again, then the oldest session ends.
  const atLimit = error instanceof ApiError && error.code === 'LOGIN_LIMIT_REACHED' && (error.details as { canEndOldest?: boolean } | undefined)?.canEndOldest === true;
  const signIn = async (endOldestSession: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<StaffLoginResponse>('/auth/staff/login', { username: username.trim(), password, ...(endOldestSession ? { endOldestSession: true } : {}) });
      auth.set({ token: r.token, user: r.user, expiresAt: r.expiresAt });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <form
        class="card login-card"
        onSubmit={(e) => {
          e.preventDefault();
          void signIn(false);
        }}
      >
        <p class="brand login-brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Invigil
        </p>
        <h1>{t('login.title')}</h1>
        <label class="field">
          <span>{t('login.username')}</span>
          <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorNote error={error} />
        {atLimit ? (
          <button class="btn btn-block" type="button" disabled={busy} onClick={() => void signIn(true)}>
            {t('login.endOldest')}
          </button>
        ) : null}
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? t('login.signingIn') : t('login.signIn')}
        </button>
      </form>
    </main>
  );
}
