import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { rejection, sandbox } from './helpers.js';

const apply = { command: 'true' };

describe('exitCode fetch', () => {
  it('exit 0 reports one SUCCEEDED object on the target version', async () => {
    using box = sandbox();
    const state = await plugin.fetch(box.fetchCtx({ fetch: { command: ['true'] }, apply }));
    expect(state).toEqual({
      objects: [{ name: 'network', status: 'SUCCEEDED', versions: [{ version: 'rel-1', replicas: 1, availableReplicas: 1, active: true, drifted: false }] }],
    });
  });

  it('exit 2 before any apply reports a PENDING object with no version and the output', async () => {
    using box = sandbox();
    const state = await plugin.fetch(box.fetchCtx({ fetch: { command: 'echo "+ create network"; exit 2' }, apply }));
    expect(state.objects).toEqual([{ name: 'network', status: 'PENDING', versions: [], message: 'fetch command reports changes needed: + create network' }]);
  });

  it('exit 2 after an older apply reports that version running; after the same apply, drift', async () => {
    using box = sandbox();
    const spec = { fetch: { command: 'exit 2' }, apply: { command: 'echo applied' } };
    expect(await plugin.apply(box.applyCtx(spec, { version: 'rel-1' }))).toEqual({ message: 'applied' });
    const older = await plugin.fetch(box.fetchCtx(spec, { version: 'rel-2' }));
    expect(older.objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'rel-1', active: true, drifted: false }] });
    const same = await plugin.fetch(box.fetchCtx(spec, { version: 'rel-1' }));
    expect(same.objects[0]).toMatchObject({ status: 'SUCCEEDED', versions: [{ version: 'rel-1', active: true, drifted: true }] });
    expect(same.objects[0]!.message).toMatch(/changes needed after rel-1 was applied/);
  });

  it('any other exit code is a RetryableError carrying the output tail', async () => {
    using box = sandbox();
    const err = await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: 'echo "state locked by someone" >&2; exit 1' }, apply })));
    expect(err.name).toBe('RetryableError');
    expect(err.message).toBe('fetch command "echo "state locked by someone" >&2; exit 1" failed (exit 1; expected 0 = converged or 2 = needs apply) (output: state locked by someone)');
  });

  it('no target means no spec and no command: nothing is reported', async () => {
    using box = sandbox();
    const { target: _t, ...ctx } = box.fetchCtx({ fetch: { command: 'exit 1' }, apply });
    expect(await plugin.fetch(ctx)).toEqual({ objects: [] });
  });
});

describe('structured fetch', () => {
  const observed = { objects: [{ name: 'db', status: 'SUCCEEDED', versions: [{ version: 'rel-1', replicas: 2, availableReplicas: 2, active: true, drifted: false }], extra: 1 }] };

  it('stdout is the ObservedState (unknown fields dropped)', async () => {
    using box = sandbox();
    writeFileSync(path.join(box.dir, 'state.json'), JSON.stringify(observed));
    const state = await plugin.fetch(box.fetchCtx({ fetch: { command: ['cat', 'state.json'], mode: 'structured' }, apply }));
    expect(state).toEqual({ objects: [{ name: 'db', status: 'SUCCEEDED', versions: observed.objects[0]!.versions }] });
  });

  it('garbage on stdout names the command and shows the first bytes', async () => {
    using box = sandbox();
    const err = await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: 'echo "Error: provider crashed"', mode: 'structured' }, apply })));
    expect(err.name).toBe('RetryableError');
    expect(err.message).toMatch(/^fetch command "echo "Error: provider crashed"" printed invalid JSON \(.*\); first bytes: "Error: provider crashed\\n"$/);
  });

  it('JSON of the wrong shape names the field', async () => {
    using box = sandbox();
    const bad = { objects: [{ name: 'db', status: 'RUNNING', versions: [] }] };
    const err = await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: `echo '${JSON.stringify(bad)}'`, mode: 'structured' }, apply })));
    expect(err.message).toMatch(/printed JSON that is not an ObservedState: objects\[0\]\.status must be one of PENDING, SUCCEEDED, FAILED; first bytes: /);
  });

  it('empty stdout and a non-zero exit are errors too', async () => {
    using box = sandbox();
    expect((await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: 'true', mode: 'structured' }, apply })))).message).toMatch(/printed nothing on stdout/);
    expect((await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: 'echo nope >&2; exit 3', mode: 'structured' }, apply })))).message).toMatch(/failed \(exit 3\) \(output: nope\)/);
  });
});

describe('apply', () => {
  const fetch = { command: 'exit 2' };

  it('exit 0 is applied, with the last lines of output as the message', async () => {
    using box = sandbox();
    const result = await plugin.apply(box.applyCtx({ fetch, apply: { command: 'echo "planning..."; echo "Apply complete! Resources: 1 added."' } }));
    expect(result).toEqual({ message: 'planning... | Apply complete! Resources: 1 added.' });
  });

  it('an exit code listed as retryable is a RetryableError, any other a TerminalError', async () => {
    using box = sandbox();
    const retry = await rejection(plugin.apply(box.applyCtx({ fetch, apply: { command: 'echo busy; exit 75', retryableExitCodes: [75] } })));
    expect(retry.name).toBe('RetryableError');
    expect(retry.message).toBe('apply command "echo busy; exit 75" failed (exit 75, retryable) (output: busy)');
    const fatal = await rejection(plugin.apply(box.applyCtx({ fetch, apply: { command: 'echo "invalid credentials" >&2; exit 1', retryableExitCodes: [75] } })));
    expect(fatal.name).toBe('TerminalError');
    expect(fatal.message).toBe('apply command "echo "invalid credentials" >&2; exit 1" failed (exit 1) (output: invalid credentials)');
  });

  it('a command that does not exist is a TerminalError naming it (argv and shell forms)', async () => {
    using box = sandbox();
    const argv = await rejection(plugin.apply(box.applyCtx({ fetch, apply: { command: ['terraform-does-not-exist', 'apply'] } })));
    expect(argv.name).toBe('TerminalError');
    expect(argv.message).toBe(`apply command "terraform-does-not-exist apply": "terraform-does-not-exist" not found (not on PATH, or no such file in ${box.dir})`);
    const shell = await rejection(plugin.fetch(box.fetchCtx({ fetch: { command: 'kubectl-does-not-exist diff' }, apply })));
    expect(shell.name).toBe('TerminalError');
    expect(shell.message).toMatch(/^fetch command "kubectl-does-not-exist diff": the shell could not find the command \(exit 127\) \(output: .*kubectl-does-not-exist.*not found\)$/);
  });

  it('a file that is not executable, and a working directory that does not exist, are TerminalErrors', async () => {
    using box = sandbox();
    writeFileSync(path.join(box.dir, 'apply.sh'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(box.dir, 'apply.sh'), 0o644);
    const noExec = await rejection(plugin.apply(box.applyCtx({ fetch, apply: { command: ['./apply.sh'] } })));
    expect(noExec.name).toBe('TerminalError');
    expect(noExec.message).toBe('apply command "./apply.sh": "./apply.sh" is not executable');
    const noDir = await rejection(plugin.apply(box.applyCtx({ fetch, apply: { command: ['true'] }, cwd: 'missing' })));
    expect(noDir.message).toBe(`apply command "true": working directory ${path.join(box.dir, 'missing')} does not exist`);
  });
});

describe('delete', () => {
  it('runs the delete command of what was applied, then forgets it', async () => {
    using box = sandbox();
    const spec = { fetch: { command: 'exit 2' }, apply: { command: 'touch made' }, delete: { command: 'rm made; echo "$DRIFTLESS_VERSION" > deleted' } };
    await plugin.apply(box.applyCtx(spec));
    await plugin.delete!({ config: box.config, instance: box.applyCtx(spec).instance, signal: AbortSignal.timeout(5_000), logger: box.logger, dataDir: box.dataDir });
    expect(existsSync(path.join(box.dir, 'made'))).toBe(false);
    expect(readFileSync(path.join(box.dir, 'deleted'), 'utf8')).toBe('rel-1\n');
    // Nothing recorded any more: a second delete has nothing to do and does not fail.
    await plugin.delete!({ config: box.config, instance: box.applyCtx(spec).instance, signal: AbortSignal.timeout(5_000), logger: box.logger, dataDir: box.dataDir });
    expect((await plugin.fetch(box.fetchCtx(spec))).objects[0]).toMatchObject({ status: 'PENDING', versions: [] });
  });
});
