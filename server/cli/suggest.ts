/**
 * "Did you mean" for an application name the server does not know. The candidates are the
 * applications this token may see (`applications` lists nothing else), so an application hidden
 * by the token's scope gets exactly the answer a missing one gets: it is never suggested, and its
 * own name is "unknown" like any typo.
 */
import { suggestion } from '../compiler/diagnostics.js';
import type { Api, UserError } from './api.js';
import { CliError, EXIT } from './errors.js';

const NAMES = `query Names { applications(first: 100) { nodes { name } } }`;
const UNKNOWN = /^unknown application "(.*)"$/;
export const LIST_HINT = 'run `driftless status` to list the applications you can see';

async function visibleApplications(api: Api): Promise<string[]> {
  return (await api.request<{ applications: { nodes: { name: string }[] } }>(NAMES)).applications.nodes.map((a) => a.name);
}

/** `unknown application "helo"; did you mean "hello"?` (the suffix only when one is close). */
export async function unknownApplicationMessage(api: Api, name: string): Promise<string> {
  return `unknown application "${name}"${suggestion(name, await visibleApplications(api))}`;
}

/** The error for `name` not being an application this token can see (exit 2). */
export async function unknownApplication(api: Api, name: string): Promise<CliError> {
  return new CliError(await unknownApplicationMessage(api, name), EXIT.USAGE, LIST_HINT);
}

/** Mutation user errors, with a suggestion added to an "unknown application" one. */
export async function withSuggestions(api: Api, errors: UserError[]): Promise<UserError[]> {
  return Promise.all(
    errors.map(async (e) => {
      const name = e.code === 'NOT_FOUND' ? UNKNOWN.exec(e.message)?.[1] : undefined;
      return name === undefined ? e : { ...e, message: await unknownApplicationMessage(api, name) };
    }),
  );
}
