/**
 * Reads one service out of an existing compose file, as `docker compose` would see it: the YAML,
 * the `.env` file next to it, interpolation of `${VAR}` (Driftless's `compose.variables` win over
 * `.env`; the server's own environment is never consulted), then the mapping in service.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ComposeRef, SpecFields } from '../fields.js';
import type { Problems } from '../problems.js';
import { interpolateDeep } from './interpolate.js';
import { parseEnvFile } from './env-file.js';
import { mapService } from './service.js';

export interface ComposeService {
  fields: SpecFields;
  project: string;
  /** Where the fields came from, for messages: `compose service "web" of examples/shop/docker-compose.yml`. */
  origin: string;
  /** The file's text and the variables used: part of the config hash (an edited file is a new config). */
  fingerprint: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compose's project name normalisation: lowercase, only [a-z0-9_-], starting with a letter or digit. */
export function normaliseProject(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

export function loadCompose(ref: ComposeRef, p: Problems, cwd = process.cwd()): ComposeService | undefined {
  const file = path.resolve(cwd, ref.file);
  const shown = ref.file;
  const fail = (where: string, msg: string): never => {
    throw new ComposeProblem(`${shown}: ${where ? `${where}: ` : ''}${msg}`);
  };
  try {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return void p.add('/compose/file', `cannot read ${shown}${code === 'ENOENT' ? ': no such file (paths are relative to the server\'s working directory)' : `: ${code ?? (err as Error).message}`}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text, { merge: true });
    } catch (err) {
      return fail('', `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!isObject(doc) || !isObject(doc.services)) return fail('', 'has no `services:` map');
    const raw = doc.services[ref.service];
    if (!isObject(raw)) {
      const names = Object.keys(doc.services);
      return void p.add('/compose/service', `${shown} has no service "${ref.service}" (it has: ${names.join(', ') || 'none'})`);
    }

    const dir = path.dirname(file);
    const dotEnv = path.join(dir, '.env');
    const vars = { ...(existsSync(dotEnv) ? parseEnvFile(readFileSync(dotEnv, 'utf8'), '.env', fail) : {}), ...(ref.variables ?? {}) };
    const name = typeof doc.name === 'string' ? String(interpolateDeep(doc.name, vars, 'name', fail)) : undefined;
    const project = ref.project ?? normaliseProject(name ?? path.basename(dir));
    if (!project) return fail('', `gives no usable project name; set spec.compose.project`);
    const service = interpolateDeep(raw, vars, `services.${ref.service}`, fail) as Record<string, unknown>;
    const top = {
      volumes: isObject(doc.volumes) ? (interpolateDeep(doc.volumes, vars, 'volumes', fail) as Record<string, unknown>) : {},
      networks: isObject(doc.networks) ? (interpolateDeep(doc.networks, vars, 'networks', fail) as Record<string, unknown>) : {},
    };
    const fields = mapService(service, { service: ref.service, project, dir, top, vars, ignore: new Set(ref.ignore ?? []), fail });
    return {
      fields,
      project,
      origin: `compose service "${ref.service}" of ${shown}`,
      fingerprint: JSON.stringify({ text, vars, project }),
    };
  } catch (err) {
    if (!(err instanceof ComposeProblem)) throw err;
    p.add('/compose', err.message);
    return undefined;
  }
}

/** A problem inside the compose file: reported under /compose with the file and key path. */
export class ComposeProblem extends Error {}
