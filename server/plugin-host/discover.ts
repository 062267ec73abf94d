/**
 * Finds runtime plugin packages: every package under a root's `node_modules` (top level and
 * `@scope/*`, symlinks followed: workspace packages are symlinks to plugins/*) and every entry of
 * DRIFTLESS_PLUGIN_PATH (a package dir, or a dir of package dirs). A package is a candidate when its
 * package.json has a `driftless.runtimePlugin` field; whether its number fits is the host's call.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  driftless?: { runtimePlugin?: unknown };
}

export interface Candidate {
  /** Real path of the package directory. */
  dir: string;
  pkg: PackageJson;
}

async function readPackage(dir: string): Promise<PackageJson | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Package dirs directly inside `dir`, including one level of `@scope/` dirs. */
async function packageDirsIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    if (name.startsWith('@')) {
      for (const scoped of (await readdir(full).catch(() => [] as string[])).sort()) out.push(join(full, scoped));
    } else {
      out.push(full);
    }
  }
  return out;
}

function isCandidate(pkg: PackageJson | undefined): pkg is PackageJson {
  return typeof pkg?.driftless === 'object' && pkg.driftless !== null && 'runtimePlugin' in pkg.driftless;
}

/**
 * Built-in plugins made for tests and benchmarks: installed with the server (they are workspace
 * packages) but never loaded by one unless it is asked to (DRIFTLESS_TEST_PLUGINS=1). Named on
 * DRIFTLESS_PLUGIN_PATH, they load like any plugin: naming a package is asking for it.
 */
export const TEST_ONLY_PACKAGES: ReadonlySet<string> = new Set(['@driftless/runtime-fake']);

/** Candidates in discovery order (roots first, then the plugin path), each real dir once. */
export async function discoverCandidates(roots: string[], pluginPath: string[], options: { testPlugins?: boolean } = {}): Promise<Candidate[]> {
  const dirs: string[] = [];
  const installed = new Set<string>();
  for (const root of roots) {
    for (const dir of await packageDirsIn(join(root, 'node_modules'))) {
      dirs.push(dir);
      installed.add(dir);
    }
  }
  for (const entry of pluginPath) {
    if (entry === '' || !(await isDir(entry))) continue;
    if (await readPackage(entry)) dirs.push(entry);
    else dirs.push(...(await packageDirsIn(entry)));
  }
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const dir of dirs) {
    const real = await realpath(dir).catch(() => undefined);
    if (!real || seen.has(real)) continue;
    const pkg = await readPackage(real);
    // Passed over, not seen: the same package named on the plugin path still loads.
    if (isCandidate(pkg) && installed.has(dir) && !options.testPlugins && TEST_ONLY_PACKAGES.has(pkg.name ?? '')) continue;
    seen.add(real);
    if (isCandidate(pkg)) out.push({ dir: real, pkg });
  }
  return out;
}

/** DRIFTLESS_PLUGIN_PATH split into directories. */
export function pluginPathFromEnv(value = process.env.DRIFTLESS_PLUGIN_PATH): string[] {
  return (value ?? '').split(':').filter((p) => p.trim() !== '');
}
