// `terraform plan -detailed-exitcode`, in small: exit 0 when the state file already holds what the
// release wants, 2 when changes are needed (and print them). Looks only; never writes.
import { context, diff, readState, stateFile, wanted } from './infra.mjs';

const ctx = context();
const changes = diff(readState(stateFile(ctx)), wanted(ctx));
if (changes.length === 0) {
  console.log(`No changes. ${ctx.instance.service} in ${ctx.instance.channel} is on ${ctx.target.params.version}.`);
  process.exit(0);
}
for (const line of changes) console.log(line);
process.exit(2);
