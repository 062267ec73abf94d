import { channelsOf } from '../compiler/index.js';
import { allowsApplication } from '../compiler/channel-groups.js';
import type { ConfigBundle, RuntimeDoc } from '../compiler/types.js';
import { userError, type UserErrorData } from '../domain/user-error.js';
import { applicationDoc, runtimeDoc, type StoredConfig } from './stored-config.js';

/**
 * Where code runs is decided on the Runtime (`allowedApplications`, which only unscoped admins can
 * change), not by the application: an application naming a runtime that does not allow it is
 * refused, and so is a Runtime change that would leave out an application already running there.
 * Messages never list other applications: a scoped token must learn nothing about them.
 */
export function checkRuntimeAccess(bundle: ConfigBundle, stored: StoredConfig): UserErrorData[] {
  const errors: UserErrorData[] = [];
  const runtimes = new Map<string, RuntimeDoc>([...stored.runtimes.values()].map((r) => [r.name, runtimeDoc(r)]));
  for (const r of bundle.runtimes) runtimes.set(r.name, r);
  const changedRuntimes = new Set(bundle.runtimes.map((r) => r.name));
  const inBundle = new Set(bundle.applications.map((a) => a.name));

  for (const app of bundle.applications) {
    for (const channel of app.releaseChannels) {
      const runtime = runtimes.get(channel.runtime);
      if (runtime && !allowsApplication(runtime, app.name)) {
        errors.push(
          userError(
            'FORBIDDEN',
            `Application ${app.name}: channel ${channel.name}: runtime ${runtime.name} does not allow application ${app.name} (an unscoped admin lists the applications a runtime may run in its allowedApplications)`,
            ['documents', `Application ${app.name}`, 'releaseChannels', channel.name, 'runtime'],
          ),
        );
      }
    }
  }
  for (const row of stored.applications.values()) {
    if (inBundle.has(row.name)) continue;
    const app = applicationDoc(row);
    for (const channel of channelsOf(app, runtimes.values())) {
      const runtime = runtimes.get(channel.runtime);
      if (runtime && changedRuntimes.has(runtime.name) && !allowsApplication(runtime, app.name) && !channel.group) {
        errors.push(
          userError(
            'IN_USE',
            `Runtime ${runtime.name}: allowedApplications leaves out application ${app.name}, whose channel ${channel.name} runs there; move or remove that channel first, or list the application`,
            ['documents', `Runtime ${runtime.name}`, 'allowedApplications'],
          ),
        );
      }
    }
  }
  return errors;
}
