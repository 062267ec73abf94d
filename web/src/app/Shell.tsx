import { useEffect, useRef, type ReactNode } from 'react';
import { LogOut, Radio, WifiOff } from 'lucide-react';
import { Link, useLocation } from 'wouter';
import { useSession, useViewer } from '../session/session.js';
import { useLive } from './live.js';
import { paths } from './paths.js';

function NavLink({ href, children, match }: { href: string; children: ReactNode; match: (path: string) => boolean }) {
  const [location] = useLocation();
  const current = match(location);
  return (
    <Link href={href} className={current ? 'nav-link current' : 'nav-link'} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/** Header, navigation and the main landmark; moves focus to the new page's heading on navigation. */
export function Shell({ children }: { children: ReactNode }) {
  const { signOut, state } = useSession();
  const fresh = state.phase === 'signed-in' && state.fresh;
  const viewer = useViewer();
  const { connected } = useLive();
  const [location] = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      // After signing in, the sign-in form (and the focus in it) is gone: start at the page's heading.
      if (!fresh) return;
    }
    // Screen readers and keyboard users start at the top of the page they went to.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }, [location, fresh]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href={paths.applications} className="brand" aria-label="Driftless: applications">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Driftless</span>
        </Link>
        <nav aria-label="Main">
          <NavLink href={paths.applications} match={(p) => p === '/' || p.startsWith('/applications')}>
            Applications
          </NavLink>
          <NavLink href={paths.events()} match={(p) => p.startsWith('/events')}>
            Events
          </NavLink>
          <NavLink href={paths.runtimes} match={(p) => p.startsWith('/runtimes')}>
            Runtimes &amp; plugins
          </NavLink>
          {/* A full page load: the IDE is its own page, signed in with the same token. */}
          <a href={paths.ide} className="nav-link">
            GraphQL IDE
          </a>
        </nav>
        <div className="topbar-end">
          <span className={connected ? 'live on' : 'live off'} role="status" aria-live="polite">
            {connected ? <Radio size={14} aria-hidden /> : <WifiOff size={14} aria-hidden />}
            {connected ? 'Live' : 'Connecting…'}
          </span>
          {viewer ? (
            <span className="who" title={viewer.allApplications ? 'all applications' : `limited to ${viewer.applications.join(', ')}`}>
              {viewer.name} · {viewer.role}
              {viewer.allApplications ? '' : ` · ${viewer.applications.join(', ')}`}
            </span>
          ) : null}
          <button type="button" className="button ghost" onClick={signOut}>
            <LogOut size={15} aria-hidden /> Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** The page's title in the tab and its h1, focusable for the focus move above. */
export function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Driftless`;
  }, [title]);
  return (
    <h1 tabIndex={-1} className="page-title">
      {children ?? title}
    </h1>
  );
}
