/** Cross-document checks of one Service: parameters, its application, perChannel keys, templates. */
import { suggestion } from './diagnostics.js';
import { checkTemplates, type TemplateScope } from './check-templates.js';
import type { KnownNames, Reporter } from './check-context.js';
import { coerceParam } from './params.js';
import type { ServiceDoc } from './types.js';
import { channelsOf } from './channel-groups.js';

export function checkService(service: ServiceDoc, known: KnownNames, report: Reporter): void {
  const seen = new Map<string, number>();
  service.parameters.forEach((param, i) => {
    const earlier = seen.get(param.name);
    if (earlier !== undefined) report('DUPLICATE_NAME', ['parameters', i, 'name'], `duplicate parameter "${param.name}" (also parameters[${earlier}])`);
    else seen.set(param.name, i);
    if (param.default !== undefined) {
      const coerced = coerceParam(param, param.default);
      if (!coerced.ok) report('INVALID_PARAMETER', ['parameters', i, 'default'], `default of ${param.type} parameter "${param.name}" ${coerced.error}`);
    }
  });

  const app = known.applications.get(service.application);
  if (!app) {
    if (!known.brokenApplications.has(service.application)) {
      report('UNKNOWN_REFERENCE', ['application'], `unknown application "${service.application}"${suggestion(service.application, known.applications.keys())}`);
    }
    return; // Without the application, channels and templates cannot be checked.
  }

  const appChannels = channelsOf(app, known.runtimes.values());
  const channelNames = appChannels.map((c) => c.name);
  const scope = (channels = appChannels): TemplateScope => ({
    params: [...new Set(service.parameters.map((p) => p.name))],
    channels,
    runtimes: known.runtimes,
    applicationName: app.name,
  });
  const templateError = (path: (string | number)[], text: string) => report('TEMPLATE_ERROR', path, text);

  checkTemplates(service.spec, ['spec'], scope(), templateError);
  checkTemplates(service.env, ['env'], scope(), templateError);
  for (const [channelName, override] of Object.entries(service.perChannel)) {
    const channel = appChannels.find((c) => c.name === channelName);
    if (!channel) {
      report(
        'UNKNOWN_REFERENCE',
        ['perChannel', channelName],
        `unknown channel "${channelName}" of application "${app.name}"${suggestion(channelName, channelNames)}`,
      );
      continue;
    }
    // An override is rendered for its own channel only, so only that channel must answer it.
    checkTemplates(override.spec ?? {}, ['perChannel', channelName, 'spec'], scope([channel]), templateError);
    checkTemplates(override.env ?? {}, ['perChannel', channelName, 'env'], scope([channel]), templateError);
  }
}
