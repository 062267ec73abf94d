// Shared by plan.mjs, apply.mjs and destroy.mjs: a stand-in for Terraform that keeps its
// "infrastructure" in one JSON state file per instance. Only Node built-ins.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What Driftless passes: the context file named by DRIFTLESS_CONTEXT_FILE. */
export function context() {
  const file = process.env.DRIFTLESS_CONTEXT_FILE;
  if (!file) fail('DRIFTLESS_CONTEXT_FILE is not set: run me through the Driftless exec runtime');
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The infrastructure this release wants: its version parameter and the spec's vars. */
export function wanted(ctx) {
  return { release: ctx.target.version, version: ctx.target.params.version, vars: ctx.target.spec.vars ?? {} };
}

export function stateFile(ctx) {
  const dir = path.resolve(process.env.INFRA_STATE_DIR ?? 'state');
  const { application, channel, service } = ctx.instance;
  return path.join(dir, `${application}.${channel}.${service}.json`);
}

export function readState(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writeState(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file); // never a half-written state file
}

export function removeState(file) {
  rmSync(file, { force: true });
}

/** Terraform-style lines describing how `have` must change to become `want`. */
export function diff(have, want) {
  if (!have) return [`+ create ${JSON.stringify(want)}`];
  const lines = [];
  if (have.version !== want.version) lines.push(`~ version: ${have.version} -> ${want.version}`);
  if (have.release !== want.release) lines.push(`~ release: ${have.release} -> ${want.release}`);
  if (JSON.stringify(have.vars) !== JSON.stringify(want.vars)) lines.push(`~ vars: ${JSON.stringify(have.vars)} -> ${JSON.stringify(want.vars)}`);
  return lines;
}

export function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}
