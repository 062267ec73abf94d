import { cacheExchange } from '@urql/exchange-graphcache';
import schema from 'virtual:schema-introspection';

// Value types without an id live inside their parent entity; naming them keeps the normalised
// cache from guessing (and from warning about it).
const EMBEDDED = [
  'ApplicationConnection',
  'ApplicationEdge',
  'ReleaseConnection',
  'ReleaseEdge',
  'EventConnection',
  'EventEdge',
  'PageInfo',
  'Gate',
  'StatusReason',
  'DesiredState',
  'Approval',
  'Parameter',
  'Viewer',
  'UserError',
  'ApproveReleasePayload',
  'RejectReleasePayload',
  'RollbackServicePayload',
  'PauseConvergencePayload',
  'ResumeConvergencePayload',
] as const;

/**
 * A normalised cache: every ServiceInstance, Release and channel is one record by id, so a
 * subscription payload about an instance updates every page that shows it, with no refetch.
 */
export function dashboardCache() {
  return cacheExchange({
    schema,
    keys: {
      ...Object.fromEntries(EMBEDDED.map((t) => [t, () => null])),
      RuntimePlugin: (p) => (typeof p.name === 'string' ? p.name : null),
    },
  });
}
