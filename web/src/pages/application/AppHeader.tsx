import { PauseCircle } from 'lucide-react';
import { Link } from 'wouter';
import { paths } from '../../app/paths.js';
import { PageTitle } from '../../app/Shell.js';

/** The application's name and its views: pipeline, releases, events. */
export function AppHeader({ app, current, paused }: { app: string; current: 'pipeline' | 'releases'; paused?: boolean }) {
  return (
    <div className="page-head">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href={paths.applications}>Applications</Link>
      </nav>
      <PageTitle title={current === 'releases' ? `${app} releases` : app}>
        {app}
        {paused ? (
          <span className="badge tone-paused title-badge">
            <PauseCircle size={15} aria-hidden /> Paused
          </span>
        ) : null}
      </PageTitle>
      <nav aria-label={`${app} views`} className="tabs">
        <Link href={paths.application(app)} className={current === 'pipeline' ? 'tab current' : 'tab'} aria-current={current === 'pipeline' ? 'page' : undefined}>
          Pipeline
        </Link>
        <Link href={paths.releases(app)} className={current === 'releases' ? 'tab current' : 'tab'} aria-current={current === 'releases' ? 'page' : undefined}>
          Releases
        </Link>
        <Link href={paths.events({ application: app })} className="tab">
          Events
        </Link>
      </nav>
    </div>
  );
}
