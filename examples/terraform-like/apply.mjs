// `terraform apply`, in small: writes the wanted state. Exit 75 ("state locked") is declared
// retryable in driftless.yaml; a missing credential is a plain failure that retrying cannot fix.
import { existsSync } from 'node:fs';
import { context, fail, readState, stateFile, wanted, writeState } from './infra.mjs';

if (!process.env.INFRA_API_TOKEN) fail('no INFRA_API_TOKEN: set secretEnv.INFRA_API_TOKEN in the Runtime config');
const ctx = context();
const file = stateFile(ctx);
if (existsSync(`${file}.lock`)) fail(`state is locked (${file}.lock); try again later`, 75);
const before = readState(file);
writeState(file, { ...wanted(ctx), appliedAt: new Date().toISOString() });
console.log(`Apply complete: ${ctx.instance.service} in ${ctx.instance.channel} ${before ? `updated from ${before.version}` : 'created'} at ${ctx.target.params.version}.`);
