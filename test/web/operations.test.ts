import { readFileSync } from 'node:fs';
import { buildSchema, specifiedRules, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../server/config.js';
import { queryLimitsFrom } from '../../server/http/request-limits.js';
import { checkRequestLimits } from '../../server/http/query-limits.js';
import * as applications from '../../web/src/graphql/operations/applications.js';
import * as fragments from '../../web/src/graphql/operations/fragments.js';
import * as instance from '../../web/src/graphql/operations/instance.js';
import * as releases from '../../web/src/graphql/operations/releases.js';
import * as runtimes from '../../web/src/graphql/operations/runtimes.js';

const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
const defaults = configFromEnv({});
// The largest pages the dashboard asks for (web/src/pages/*: PAGE, HISTORY).
const VARIABLES = { first: 300 };

const operations = Object.entries({ ...applications, ...fragments, ...instance, ...releases, ...runtimes })
  .map(([name, doc]) => [name, doc as unknown as DocumentNode] as const)
  .filter(([, doc]) => doc.definitions.some((d) => d.kind === 'OperationDefinition'));

describe('the dashboard’s operations', () => {
  it('are all here', () => {
    expect(operations.map(([n]) => n).sort()).toEqual(
      ['ApplicationEvents', 'ApplicationNames', 'ApplicationPipeline', 'ApproveRelease', 'InstanceChanges', 'InstanceDetail', 'InstanceDetailChanges', 'LiveEvents', 'PauseConvergence', 'RejectRelease', 'ReleaseList', 'ResumeConvergence', 'RollbackService', 'RuntimesAndPlugins'].sort(),
    );
  });

  // A field the API drops, or a page too large for the server's default cost limit, fails here
  // rather than as an empty page in front of a person.
  it.each(operations)('%s is valid against schema/schema.graphql and within the server’s default depth and cost limits', (_name, doc) => {
    expect(validate(schema, doc, specifiedRules).map((e) => e.message)).toEqual([]);
    expect(checkRequestLimits(schema, queryLimitsFrom(defaults), { document: doc, variables: VARIABLES }).map((e) => e.message)).toEqual([]);
  });
});
