// A Driftless runtime plugin that "deploys" a service by writing a file: the smallest real
// backend there is. Written only against @driftless/plugin-sdk's public API.
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { definePluginRuntime, RetryableError, TerminalError } from '@driftless/plugin-sdk';
import { parse, readText, recordPath, render, writeAtomically } from './record.js';

export default definePluginRuntime({
  name: 'file',
  version: '0.1.0',
  apiVersion: 1,
  description: 'Deploys a service by writing its rendered spec to <root>/<application>/<channel>/<service>.json.',

  // The Runtime document's `config`. The server checks it at applyConfig, with paths in errors.
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      root: { type: 'string', minLength: 1, description: 'Directory for the files; relative paths are below the server data dir. Default: files.' },
    },
  },

  // A Service's `spec`, after templating.
  specSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['content'],
    properties: {
      content: { description: 'Any JSON value: what the file holds for this release.' },
    },
  },

  // Reads only. Reports what is there, including edits nobody asked for (drift).
  async fetch(ctx) {
    const file = recordPath(ctx);
    let text;
    try {
      text = await readText(file, ctx.signal);
    } catch (error) {
      ctx.signal.throwIfAborted();
      throw new RetryableError(`cannot read ${file}: ${error.message}`);
    }
    if (text === undefined) return { objects: [] }; // nothing deployed yet
    const name = ctx.instance.service;
    const record = parse(text);
    if (!record) {
      const version = { version: 'unknown', replicas: 1, availableReplicas: 0, active: false, drifted: true };
      return { objects: [{ name, status: 'FAILED', versions: [version], message: `${file} is not a deployment record` }] };
    }
    // Same release, other digest: the config changed under this release; apply rewrites it.
    const stale = ctx.target !== undefined && record.version === ctx.target.version && record.digest !== ctx.target.digest;
    const version = { version: record.version, replicas: 1, availableReplicas: 1, active: true, drifted: record.edited || stale };
    const message = record.edited ? `${file} was edited by hand` : stale ? `${file} holds an older config of ${record.version}` : undefined;
    return { objects: [{ name, status: 'SUCCEEDED', versions: [version], ...(message ? { message } : {}) }] };
  },

  // Idempotent: when the file already holds the target, it writes nothing.
  async apply(ctx) {
    const { target, signal } = ctx;
    if (typeof target.spec !== 'object' || target.spec === null || !('content' in target.spec)) {
      throw new TerminalError('spec.content is required'); // retrying cannot fix a spec
    }
    const file = recordPath(ctx);
    const text = render(target);
    if ((await readText(file, signal)) === text) return { message: `${file} already holds ${target.version}` };
    signal.throwIfAborted();
    try {
      await writeAtomically(file, text, signal);
    } catch (error) {
      signal.throwIfAborted();
      throw new RetryableError(`cannot write ${file}: ${error.message}`);
    }
    return { message: `wrote ${target.version} to ${file}` };
  },

  // The service or its application was deleted: remove the file and the folders it leaves empty.
  async delete(ctx) {
    const file = recordPath(ctx);
    await rm(file, { force: true });
    for (const dir of [path.dirname(file), path.dirname(path.dirname(file))]) {
      await rmdir(dir).catch(() => undefined); // not empty, or already gone: leave it
    }
  },
});
