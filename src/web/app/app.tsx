/** The shell: who is signed in decides the navigation; the path decides the page. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { SessionUser } from './api/types.js';
import { NotFoundPage, NotPermitted } from './components/common.js';
import { AccountPage } from './pages/account-page.js';
import { AdminPage } from './pages/admin-page.js';
import { AuditPage } from './pages/audit-page.js';
import { ComparePage } from './pages/compare-page.js';
import { GalleriesPage } from './pages/galleries-page.js';
import { HistoryPage } from './pages/history-page.js';
import { LoginPage } from './pages/login-page.js';
import { OptOutPage } from './pages/opt-out-page.js';
import { PlatformPage } from './pages/platform-page.js';
import { SearchPage } from './pages/search-page.js';
import { SetupPage } from './pages/setup-page.js';
import { StoredSearchPage } from './pages/stored-search-page.js';
import { homeFor, mayOpen, PAGE_LABELS, type Page } from './permissions.js';
import { match, navigate, useLocation } from './router.js';
import { signOut, useSession } from './session.js';

const NAV_ORDER: readonly Page[] = [
  'search',
  'compare',
  'history',
  'galleries',
  'admin',
  'audit',
  'platform',
];

/** Each page's path and view; the shell only picks the one the path names and checks the role. */
const PAGES: Readonly<Record<Page, { path: string; view: (user: SessionUser) => ComponentChildren }>> = {
  search: { path: '/search', view: () => <SearchPage /> },
  compare: { path: '/compare', view: () => <ComparePage /> },
  history: { path: '/history', view: (user) => <HistoryPage user={user} /> },
  galleries: { path: '/galleries', view: () => <GalleriesPage /> },
  admin: { path: '/admin', view: (user) => <AdminPage user={user} /> },
  audit: { path: '/audit', view: (user) => <AuditPage user={user} /> },
  platform: { path: '/platform', view: () => <PlatformPage /> },
};

function TopBar({ user, path }: { user: SessionUser; path: string }) {
  const pages = NAV_ORDER.filter((p) => mayOpen(user.roles, p));
  return (
    <header class="topbar">
      <a class="brand" href="/">
        Face<span>Ledger</span>
      </a>
      <nav class="nav" aria-label="Main">
        {pages.map((p) => (
          <a
            key={p}
            href={PAGES[p].path}
            data-nav={p}
            aria-current={
              path === PAGES[p].path || (p === 'history' && path.startsWith('/searches/'))
                ? 'page'
                : undefined
            }
          >
            {PAGE_LABELS[p]}
          </a>
        ))}
      </nav>
      <div class="whoami">
        <a
          class="email"
          href="/account"
          title="Your account"
          aria-current={path === '/account' ? 'page' : undefined}
        >
          {user.name ?? user.email}
        </a>
        <span class="tag">{user.roles.join(' · ')}</span>
        <button type="button" class="secondary small" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function Guarded({ user, page, children }: { user: SessionUser; page: Page; children: ComponentChildren }) {
  if (!mayOpen(user.roles, page)) return <NotPermitted what={PAGE_LABELS[page]} />;
  return <div class="page">{children}</div>;
}

function SignedInPages({ user, path }: { user: SessionUser; path: string }) {
  const home = homeFor(user.roles);
  useEffect(() => {
    if (path === '/' || path === '/login') navigate(home, { replace: true });
  }, [path, home]);

  if (path === '/' || path === '/login') return null;
  if (path === '/account') return <AccountPage user={user} />;
  const stored = match('/searches/:id', path);
  if (stored)
    return (
      <Guarded user={user} page="history">
        <StoredSearchPage id={stored.id as string} />
      </Guarded>
    );
  const page = NAV_ORDER.find((p) => PAGES[p].path === path);
  if (!page) return <NotFoundPage />;
  return (
    <Guarded user={user} page={page}>
      {PAGES[page].view(user)}
    </Guarded>
  );
}

export function App() {
  const session = useSession();
  const { path } = useLocation();

  // The opt-out page is public: no sign-in, no navigation that hints at what is inside.
  if (path === '/opt-out')
    return (
      <main id="main">
        <OptOutPage />
      </main>
    );

  if (path === '/setup')
    return (
      <main id="main">
        <SetupPage />
      </main>
    );

  if (session.status === 'loading')
    return (
      <main aria-busy="true">
        <p class="muted">Loading…</p>
      </main>
    );

  if (session.status === 'anonymous')
    return (
      <main id="main">
        <LoginPage notice={session.notice} />
      </main>
    );

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar user={session.user} path={path} />
      <main id="main">
        <SignedInPages user={session.user} path={path} />
      </main>
    </>
  );
}
