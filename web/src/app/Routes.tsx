import { Route, Switch } from 'wouter';
import { ApplicationPage } from '../pages/application/ApplicationPage.js';
import { ApplicationsPage } from '../pages/applications/ApplicationsPage.js';
import { EventsPage } from '../pages/events/EventsPage.js';
import { InstancePage } from '../pages/instance/InstancePage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { ReleasesPage } from '../pages/releases/ReleasesPage.js';
import { RuntimesPage } from '../pages/runtimes/RuntimesPage.js';

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function Routes() {
  return (
    <Switch>
      <Route path="/" component={ApplicationsPage} />
      <Route path="/applications/:app">{(p) => <ApplicationPage app={decode(p.app)} />}</Route>
      <Route path="/applications/:app/releases">{(p) => <ReleasesPage app={decode(p.app)} />}</Route>
      <Route path="/applications/:app/channels/:channel/services/:service">
        {(p) => <InstancePage app={decode(p.app)} channel={decode(p.channel)} service={decode(p.service)} />}
      </Route>
      <Route path="/events" component={EventsPage} />
      <Route path="/runtimes" component={RuntimesPage} />
      <Route component={NotFoundPage} />
    </Switch>
  );
}
