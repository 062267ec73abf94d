import pc from 'picocolors';

/** Flattens a rendered spec/env into `a.b[0]: value` leaves, the unit a diff line talks about. */
export function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v) && v.length && v.some((x) => typeof x === 'object' && x !== null)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
    else out.set(at, JSON.stringify(v)); // an empty object adds nothing: there is nothing to change in it
  };
  walk(value, prefix);
  return out;
}

/** Diff-like lines between two rendered states: `+ new`, `- gone`, `~ changed: old → new`. */
export function diffLines(before: unknown, after: unknown, limit = 12): string[] {
  const a = leaves(before ?? {});
  const b = leaves(after ?? {});
  const lines: string[] = [];
  for (const [key, value] of b) {
    if (!a.has(key)) lines.push(pc.green(`+ ${key}: ${value}`));
    else if (a.get(key) !== value) lines.push(pc.yellow(`~ ${key}: ${a.get(key)} → ${value}`));
  }
  for (const [key, value] of a) if (!b.has(key)) lines.push(pc.red(`- ${key}: ${value}`));
  return lines.length > limit ? [...lines.slice(0, limit), pc.dim(`… and ${lines.length - limit} more`)] : lines;
}

export function actionMark(action: string): string {
  return action === 'CREATE' ? pc.green('+ create') : action === 'UPDATE' ? pc.yellow('~ update') : pc.dim('= unchanged');
}
