import { writeFileSync } from 'node:fs';
import { printSchemaFile } from '../../schema/print.js';

/** npm run schema:emit — rewrites schema/schema.graphql (a test fails while it is stale). */
const target = new URL('../../schema/schema.graphql', import.meta.url);
writeFileSync(target, await printSchemaFile());
console.log(`wrote ${target.pathname}`);
