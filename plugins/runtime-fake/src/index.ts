/**
 * @driftless/runtime-fake: an in-memory runtime plugin for engine tests, benchmarks and demos.
 * The default export is the plugin; `control` (and the named functions) steer it from tests.
 * State is shared by every thread of the process (instance records: shared-states.ts; faults and
 * the apply log: replica.ts).
 */
import { control } from './control.js';
import { fakePlugin } from './plugin.js';

export default fakePlugin;
export { fakePlugin };
export const fakeRuntime = { plugin: fakePlugin, control };
export type { FakeConfig, FakeSpec } from './plugin.js';
export type { ApplyCall, FakeInstanceState, Fault, Hook, Selector } from './model.js';
export { CHANNEL_NAME } from './replica.js';
export * from './control.js';
