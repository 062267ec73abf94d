/**
 * Compose's `ports` and `volumes`, short and long syntax, as the docker spec's fields. Host paths
 * resolve against the compose file's directory; named volumes get compose's `<project>_<name>`.
 */
import os from 'node:os';
import path from 'node:path';
import type { PortFields, VolumeFields } from '../fields.js';
import { isObject, refuseUnknown, type MapContext } from './context.js';

export function ports(value: unknown, at: string, ctx: MapContext): PortFields[] {
  if (!Array.isArray(value)) return ctx.fail(at, 'must be a list');
  return value.map((item, i) => {
    const where = `${at}[${i}]`;
    if (isObject(item)) {
      refuseUnknown(item, new Set(['target', 'published', 'protocol', 'host_ip', 'mode', 'name']), where, ctx);
      const target = Number(item.target);
      const published = item.published === undefined ? NaN : Number(item.published);
      if (!Number.isInteger(published)) ctx.fail(where, 'needs a `published` host port: Driftless gives replica i the host port published + i');
      return portFields(published, target, item.protocol, item.host_ip, where, ctx);
    }
    if (typeof item !== 'string' && typeof item !== 'number') return ctx.fail(where, 'must be "HOST:CONTAINER" or { target, published }');
    let text = String(item);
    let protocol: string | undefined;
    const slash = text.lastIndexOf('/');
    if (slash >= 0) [text, protocol] = [text.slice(0, slash), text.slice(slash + 1)];
    let hostIp: string | undefined;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
    if (v6) [hostIp, text] = [v6[1], v6[2]!];
    const parts = text.split(':');
    if (!v6 && parts.length === 3) hostIp = parts.shift();
    if (parts.some((part) => part.includes('-'))) ctx.fail(where, `"${item}": port ranges are not supported; list each port`);
    if (parts.length !== 2) ctx.fail(where, `"${item}" publishes no host port: write "HOST:CONTAINER" (replica i gets the host port + i)`);
    return portFields(Number(parts[0]), Number(parts[1]), protocol, hostIp, where, ctx);
  });
}

function portFields(hostPort: number, containerPort: number, protocol: unknown, hostIp: unknown, where: string, ctx: MapContext): PortFields {
  const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!valid(hostPort)) ctx.fail(where, 'the host port must be between 1 and 65535');
  if (!valid(containerPort)) ctx.fail(where, 'the container port must be between 1 and 65535');
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp') ctx.fail(where, `protocol "${protocol}" is not supported (tcp, udp)`);
  return { hostPort, containerPort, ...(protocol ? { protocol: protocol as 'tcp' | 'udp' } : {}), ...(hostIp ? { hostIp: String(hostIp) } : {}) };
}

/** A named volume as compose names it on the host: `<project>_<name>`, unless declared external or named. */
function volumeName(name: string, where: string, ctx: MapContext): string {
  if (!(name in ctx.top.volumes)) ctx.fail(where, `uses volume "${name}", which the top-level \`volumes:\` does not declare`);
  const decl = ctx.top.volumes[name];
  if (isObject(decl) && typeof decl.name === 'string') return decl.name;
  if (isObject(decl) && decl.external) return name;
  return `${ctx.project}_${name}`;
}

function hostPath(source: string): string | undefined {
  if (source.startsWith('~')) return path.join(os.homedir(), source.slice(1));
  return source.startsWith('/') || source.startsWith('.') ? source : undefined;
}

export function volumes(value: unknown, at: string, ctx: MapContext): VolumeFields[] {
  if (!Array.isArray(value)) return ctx.fail(at, 'must be a list');
  return value.map((item, i): VolumeFields => {
    const where = `${at}[${i}]`;
    if (isObject(item)) {
      refuseUnknown(item, new Set(['type', 'source', 'target', 'read_only']), where, ctx);
      const type = item.type;
      if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') return ctx.fail(where, `type "${type}" is not supported (bind, volume, tmpfs)`);
      if (typeof item.target !== 'string') return ctx.fail(where, 'needs a target path');
      const source = typeof item.source === 'string' ? item.source : undefined;
      const resolved = type === 'bind' && source ? path.resolve(ctx.dir, hostPath(source) ?? source) : type === 'volume' && source ? volumeName(source, where, ctx) : undefined;
      return { type, target: item.target, ...(resolved ? { source: resolved } : {}), ...(item.read_only === true ? { readOnly: true } : {}) };
    }
    if (typeof item !== 'string') return ctx.fail(where, 'must be "SOURCE:TARGET[:ro]" or { type, source, target }');
    const parts = item.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0]! };
    if (parts.length > 3) ctx.fail(where, `"${item}" has too many ":"`);
    const [source, target, mode] = parts as [string, string, string | undefined];
    if (mode !== undefined && mode !== 'ro' && mode !== 'rw') ctx.fail(where, `mode "${mode}" is not supported (ro, rw)`);
    const readOnly = mode === 'ro' ? { readOnly: true } : {};
    const local = hostPath(source);
    if (local !== undefined) return { type: 'bind', source: path.resolve(ctx.dir, local), target, ...readOnly };
    return { type: 'volume', source: volumeName(source, where, ctx), target, ...readOnly };
  });
}
