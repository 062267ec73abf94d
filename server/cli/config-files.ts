import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';

export interface ConfigBundle {
  /** Every file's documents in one stream, as the server takes it. */
  text: string;
  /** Maps a line of `text` back to its file and line. */
  locate(line: number): { file: string; line: number };
  files: string[];
}

/**
 * Reads `-f` arguments (files, or directories of *.yaml / *.yml, recursively, sorted) into one
 * YAML stream. The server reports lines of that stream; `locate` turns them into file:line.
 */
export function readConfig(inputs: string[]): ConfigBundle {
  const files = inputs.flatMap((input) => expand(input));
  if (!files.length) throw new CliError(`no .yaml or .yml files in ${inputs.join(', ')}`, EXIT.USAGE);
  const starts: { file: string; start: number }[] = [];
  const parts: string[] = [];
  let line = 1;
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (!text.endsWith('\n')) text += '\n';
    if (parts.length) {
      parts.push('---\n');
      line += 1;
    }
    starts.push({ file, start: line });
    parts.push(text);
    line += text.split('\n').length - 1;
  }
  return {
    text: parts.join(''),
    files,
    locate: (at) => {
      const hit = [...starts].reverse().find((s) => s.start <= at) ?? starts[0]!;
      return { file: path.relative(process.cwd(), hit.file) || hit.file, line: at - hit.start + 1 };
    },
  };
}

function expand(input: string): string[] {
  let stat;
  try {
    stat = statSync(input);
  } catch {
    throw new CliError(`no such file or directory: ${input}`, EXIT.USAGE, 'pass -f a YAML file or a directory of them');
  }
  if (stat.isFile()) return [path.resolve(input)];
  return readdirSync(input, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort()
    .map((name) => path.resolve(input, name))
    .filter((file) => statSync(file).isFile());
}
