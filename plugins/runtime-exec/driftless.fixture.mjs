// Conformance fixture (`driftless plugin test plugins/runtime-exec`): a one-line "infrastructure"
// in a file under the kit's data dir, planned and applied by shell commands.
import path from 'node:path';

export default ({ dataDir }) => ({
  config: { workdir: dataDir, secretEnv: { CONFORMANCE_TOKEN: 'conformance-secret' } },
  spec: {
    fetch: { command: 'test "$(cat state 2>/dev/null)" = "$DRIFTLESS_VERSION" && exit 0; exit 2', timeoutSeconds: 5 },
    apply: { command: ['/bin/sh', '-c', 'printf %s "$DRIFTLESS_VERSION" > state.tmp && mv state.tmp state'], timeoutSeconds: 5 },
    delete: { command: ['rm', '-f', path.join(dataDir, 'state')] },
  },
  invalidSpec: { fetch: { command: [] } },
  timeoutMs: 15_000,
});
