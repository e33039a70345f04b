import type { StaffLoginResponse } from '@invigil/contract';
import { useState } from 'preact/hooks';
import { api, auth } from '../api.ts';
import { ErrorNote } from '../ui/bits.tsx';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <main id="main" class="login">
      <form
        class="card login-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const r = await api.post<StaffLoginResponse>('/auth/staff/login', { username: username.trim(), password });
            auth.set({ token: r.token, user: r.user, expiresAt: r.expiresAt });
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        <p class="brand login-brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Invigil
        </p>
        <h1>Staff sign-in</h1>
        <label class="field">
          <span>Username</span>
          <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Password</span>
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <ErrorNote error={error} />
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
