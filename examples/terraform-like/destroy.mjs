// `terraform destroy`, in small: runs when the service or application is deleted in Driftless.
import { context, removeState, stateFile } from './infra.mjs';

const ctx = context();
removeState(stateFile(ctx));
console.log(`Destroyed ${ctx.instance.service} in ${ctx.instance.channel}.`);
