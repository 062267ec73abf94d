import { Link } from 'wouter';
import { PageTitle } from '../app/Shell.js';
import { paths } from '../app/paths.js';

export function NotFoundPage() {
  return (
    <div className="page">
      <PageTitle title="Not found" />
      <p>
        There is no page here. <Link href={paths.applications}>See the applications</Link>.
      </p>
    </div>
  );
}
