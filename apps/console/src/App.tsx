import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, auth } from './api.ts';
import { RoomStore } from './live/room-store.ts';
import { LoginPage } from './pages/LoginPage.tsx';
import { RoomPage } from './pages/RoomPage.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { lazy } from './ui/lazy.tsx';
import { StoreContext } from './live/store-context.ts';
import { LanguagePicker, setUser, t, useLang } from './i18n/index.ts';

// Pages used less often load on demand.
const AccountPage = lazy(() => import('./pages/AccountPage.tsx').then((m) => m.AccountPage));
const OverviewPage = lazy(() => import('./pages/OverviewPage.tsx').then((m) => m.OverviewPage));
const ReviewListPage = lazy(() => import('./review/ReviewListPage.tsx').then((m) => m.ReviewListPage));
const ReviewDetailPage = lazy(() => import('./review/ReviewDetailPage.tsx').then((m) => m.ReviewDetailPage));
const OfflinePage = lazy(() => import('./pages/OfflinePage.tsx').then((m) => m.OfflinePage));
const PrintPage = lazy(() => import('./print/PrintPages.tsx').then((m) => m.PrintPage));
const ScriptPage = lazy(() => import('./review/ScriptPage.tsx').then((m) => m.ScriptPage));
const AdminPages = lazy(() => import('./admin/AdminPages.tsx').then((m) => m.AdminPages));

function useAuth() {
  const [a, setA] = useState(() => auth.get());
  useEffect(() => auth.subscribe(() => setA(auth.get())), []);
  return a;
}

export function App() {
  const a = useAuth();
  const { path } = useLocation();
  if (!a) {
    if (path !== '/login') queueMicrotask(() => navigate('/login', true));
    return <LoginPage />;
  }
  if (path === '/login') {
    queueMicrotask(() => navigate('/', true));
    return null;
  }
  return <Shell user={a.user} path={path} />;
}

function Shell(props: { user: { id: string; username: string; role: 'admin' | 'proctor' }; path: string }) {
  const store = useMemo(() => new RoomStore(), []);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const { path } = props;
  setUser(props.user.id);
  useLang();
  const isAdmin = props.user.role === 'admin';
  const nav: { href: string; label: string; active: boolean }[] = [
    { href: '/', label: t('nav.live'), active: path === '/' },
    { href: '/overview', label: t('nav.overview'), active: path === '/overview' },
    { href: '/review', label: t('nav.review'), active: path.startsWith('/review') },
    { href: '/offline', label: t('nav.offline'), active: path === '/offline' },
    ...(isAdmin ? [{ href: '/admin/exams', label: t('nav.admin'), active: path.startsWith('/admin') }] : []),
    { href: '/account', label: t('nav.account'), active: path === '/account' },
  ];
  let page;
  let params: Record<string, string> | null;
  if (path === '/') page = <RoomPage />;
  else if (path === '/overview') page = <OverviewPage />;
  else if (path === '/account') page = <AccountPage />;
  else if (path === '/offline') page = <OfflinePage />;
  else if (path === '/review') page = <ReviewListPage />;
  else if ((params = match('/review/:attemptId', path))) page = <ReviewDetailPage attemptId={params.attemptId!} />;
  else if ((params = match('/review/:attemptId/script', path))) page = <ScriptPage attemptId={params.attemptId!} />;
  else if (path.startsWith('/admin') && isAdmin) page = <AdminPages path={path} />;
  else if ((params = match('/print/:kind', path)) && ['attendance', 'seating', 'report'].includes(params.kind!)) page = <PrintPage kind={params.kind as 'attendance' | 'seating' | 'report'} />;
  else page = <NotFound />;

  return (
    <StoreContext.Provider value={store}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <div class="brand" aria-label={t('app.brand')}>
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Invigil
        </div>
        <nav aria-label={t('app.main')}>
          <ul class="nav">
            {nav.map((n) => (
              <li key={n.href}>
                <Link href={n.href} class={n.active ? 'active' : ''} aria-current={n.active ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <LanguagePicker />
          <span>
            {props.user.username} <span class="muted">({props.user.role})</span>
          </span>
          <button
            type="button"
            class="btn btn-quiet"
            onClick={async () => {
              try {
                await api.post('/auth/logout');
              } catch {
                /* signed out either way */
              }
              auth.set(null);
            }}
          >
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main">
        {page}
      </main>
    </StoreContext.Provider>
  );
}

function NotFound() {
  return (
    <section>
      <h1>{t('app.notFound')}</h1>
      <p>
        <Link href="/">{t('app.back')}</Link>
      </p>
    </section>
  );
}
