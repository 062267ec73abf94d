/**
 * Reading events: which application, channel and service an event is about, from its `subject`
 * ("ServiceInstance shop/production/web", "Release shop/web#3") and `data`. The API has no channel
 * or service fields on Event yet (the lead's report asks for them); until then this is the one
 * place that knows the subject format.
 */
import { rowIdOf } from './release-ids.js';

export interface EventInput {
  id: string;
  type: string;
  subject: string;
  actor: string;
  message: string;
  at: string;
  data?: Record<string, unknown> | null;
}

export interface EventAbout {
  kind: string;
  application?: string;
  channel?: string;
  service?: string;
  releaseNumber?: number;
}

export function aboutEvent(event: Pick<EventInput, 'subject' | 'data'>): EventAbout {
  const space = event.subject.indexOf(' ');
  const kind = space > 0 ? event.subject.slice(0, space) : event.subject;
  const rest = space > 0 ? event.subject.slice(space + 1) : '';
  const data = event.data ?? {};
  const dataChannel = typeof data.channel === 'string' ? data.channel : undefined;
  switch (kind) {
    case 'ServiceInstance': {
      const [application, channel, service] = rest.split('/');
      return { kind, application, channel, service };
    }
    case 'ReleaseChannel': {
      const [application, channel] = rest.split('/');
      return { kind, application, channel };
    }
    case 'Service': {
      const [application, service] = rest.split('/');
      return { kind, application, service, channel: dataChannel };
    }
    case 'Release': {
      const m = /^([^/]+)\/([^#]+)#(\d+)$/.exec(rest);
      return m ? { kind, application: m[1], service: m[2], releaseNumber: Number(m[3]), channel: dataChannel } : { kind };
    }
    case 'Application':
      return { kind, application: rest };
    default:
      return { kind };
  }
}

export interface EventFilter {
  application?: string;
  channel?: string;
  service?: string;
  type?: string;
  actor?: string;
}

export function matchesFilter(event: EventInput, filter: EventFilter): boolean {
  if (filter.type && event.type !== filter.type) return false;
  if (filter.actor && event.actor !== filter.actor) return false;
  if (!filter.application && !filter.channel && !filter.service) return true;
  const about = aboutEvent(event);
  if (filter.application && about.application !== filter.application) return false;
  if (filter.channel && about.channel !== filter.channel) return false;
  if (filter.service && about.service !== filter.service) return false;
  return true;
}

/** Newest first, each id once: history pages and live events meet without duplicates. */
export function mergeEvents<E extends EventInput>(...lists: E[][]): E[] {
  const seen = new Map<string, E>();
  for (const list of lists) for (const e of list) if (!seen.has(e.id)) seen.set(e.id, e);
  return [...seen.values()].sort((a, b) => (a.at === b.at ? compareIds(b.id, a.id) : a.at < b.at ? 1 : -1));
}

/** Event ids are global ids of stored rows (`Event:<n>`): order by the row number they carry. */
function compareIds(a: string, b: string): number {
  const na = Number(rowIdOf(a) ?? a);
  const nb = Number(rowIdOf(b) ?? b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
