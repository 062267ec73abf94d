/**
 * Compose's variable interpolation (compose-spec "Interpolation"): `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`
 * and `$$` for a literal `$`. Unlike compose, an unset variable without a default is an error, not
 * an empty string: a deploy must not silently depend on what happened to be in someone's shell.
 */
export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new InterpolationError(`unclosed "\${" in "${text}"`);
      out += expand(text.slice(i + 2, end), vars);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (!name) {
        out += '$';
        i++;
        continue;
      }
      out += lookup(name, vars);
      i += 1 + name.length;
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from` (defaults may nest `${...}`). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function lookup(name: string, vars: Record<string, string>): string {
  const value = vars[name];
  if (value === undefined) throw new InterpolationError(`\${${name}} is not set`);
  return value;
}

function expand(body: string, vars: Record<string, string>): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new InterpolationError(`"\${${body}}" is not a variable reference`);
  const rest = body.slice(name.length);
  if (rest === '') return lookup(name, vars);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) throw new InterpolationError(`"\${${body}}" uses an unknown modifier (known: :- - :? ? :+ +)`);
  const arg = rest.slice(op.length);
  const value = vars[name];
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case ':-':
      return empty ? interpolate(arg, vars) : value!;
    case '-':
      return unset ? interpolate(arg, vars) : value!;
    case ':?':
      if (empty) throw new InterpolationError(`\${${name}} is required: ${arg || 'it is not set or empty'}`);
      return value!;
    case '?':
      if (unset) throw new InterpolationError(`\${${name}} is required: ${arg || 'it is not set'}`);
      return value!;
    case ':+':
      return empty ? '' : interpolate(arg, vars);
    default: // '+'
      return unset ? '' : interpolate(arg, vars);
  }
}

/** Interpolates every string in a parsed YAML value (keys stay as written, like compose). */
export function interpolateDeep(value: unknown, vars: Record<string, string>, path: string, fail: (path: string, msg: string) => never): unknown {
  if (typeof value === 'string') {
    try {
      return interpolate(value, vars);
    } catch (err) {
      if (err instanceof InterpolationError) fail(path, err.message);
      throw err;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateDeep(v, vars, `${path}[${i}]`, fail));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars, path ? `${path}.${k}` : k, fail)]));
  }
  return value;
}
