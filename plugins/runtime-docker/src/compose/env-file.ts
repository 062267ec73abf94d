/**
 * `.env` and `env_file` files as compose reads them: `KEY=VALUE` lines, `#` comments, optional
 * `export `, single quotes taken literally, double quotes with \n \t \" \\ escapes.
 */
export function parseEnvFile(text: string, shown: string, fail: (where: string, msg: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) fail(`${shown} line ${i + 1}`, 'is not KEY=VALUE');
    const [, key, rest] = m!;
    out[key!] = unquote(rest!);
  });
  return out;
}

function unquote(value: string): string {
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end > 0 ? value.slice(1, end) : value;
  }
  if (value.startsWith('"')) {
    let out = '';
    for (let i = 1; i < value.length; i++) {
      const ch = value[i]!;
      if (ch === '"') return out;
      if (ch === '\\' && i + 1 < value.length) {
        const next = value[++i]!;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else out += ch;
    }
    return out;
  }
  // Unquoted: an inline comment starts at " #".
  return value.replace(/\s+#.*$/, '').trim();
}
