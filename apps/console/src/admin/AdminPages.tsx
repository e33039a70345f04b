import { t as tr, useLang } from '../i18n/index.ts';
import { Link, match } from '../router.tsx';
import { CentersPage } from './CentersPage.tsx';
import { ExamEditPage } from './ExamEditPage.tsx';
import { ExamPreviewPage } from './ExamPreviewPage.tsx';
import { ExamsPage } from './ExamsPage.tsx';
import { ResultsPage } from './ResultsPage.tsx';
import { PoliciesPage } from './PoliciesPage.tsx';
import { RosterPage } from './RosterPage.tsx';
import { StaffPage } from './StaffPage.tsx';

const TABS = [
  { href: '/admin/exams', label: 'tabs.exams' },
  { href: '/admin/roster', label: 'tabs.roster' },
  { href: '/admin/centers', label: 'tabs.centers' },
  { href: '/admin/staff', label: 'tabs.staff' },
  { href: '/admin/policies', label: 'tabs.policies' },
] as const;

/** The admin area: its own tabs, one page each. */
export function AdminPages(props: { path: string }) {
  useLang();
  const { path } = props;
  let page;
  let p: Record<string, string> | null;
  if (path === '/admin' || path === '/admin/exams') page = <ExamsPage />;
  else if ((p = match('/admin/exams/:examId', path))) page = <ExamEditPage key={p.examId} examId={p.examId!} />;
  else if ((p = match('/admin/exams/:examId/preview', path))) page = <ExamPreviewPage examId={p.examId!} />;
  else if ((p = match('/admin/exams/:examId/results', path))) page = <ResultsPage examId={p.examId!} />;
  else if (path === '/admin/roster') page = <RosterPage />;
  else if (path === '/admin/centers') page = <CentersPage />;
  else if (path === '/admin/staff') page = <StaffPage />;
  else if (path === '/admin/policies') page = <PoliciesPage />;
  else page = <p>{tr('admin.noPage')}</p>;
  return (
    <div>
      <nav aria-label={tr('nav.admin')} class="tabs">
        {TABS.map((t) => {
          const on = path === t.href || path.startsWith(`${t.href}/`) || (t.href === '/admin/exams' && path === '/admin');
          return (
            <Link key={t.href} href={t.href} class={on ? 'active' : ''} aria-current={on ? 'page' : undefined}>
              {tr(t.label)}
            </Link>
          );
        })}
      </nav>
      {page}
    </div>
  );
}
