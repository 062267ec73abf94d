import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/test-deps.sh');
const POSTGRES = /; (PostgreSQL listens on 127\.0\.0\.1:5432|PostgreSQL \S+ started on 127\.0\.0\.1:5432|no PostgreSQL on 127\.0\.0\.1:5432, .*)$/;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A machine of our own making: a requirements list naming a binary under `dir`, and an `apt-get`
 * (and `sudo`) on PATH that only record their arguments; `install` creates the binary, or fails.
 */
function fakeMachine(opts: { aptFails?: boolean } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftless-deps-'));
  dirs.push(dir);
  const tool = path.join(dir, 'opt/fake-tool');
  const log = path.join(dir, 'apt.log');
  writeFileSync(path.join(dir, 'requirements'), `node-itself\t${process.execPath}\nfake-tool-pkg\t${tool}\n`);
  const bin = path.join(dir, 'bin');
  const write = (name: string, text: string) => {
    writeFileSync(path.join(bin, name), text);
    chmodSync(path.join(bin, name), 0o755);
  };
  mkdirSync(bin);
  write('apt-get', `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *install*) ${opts.aptFails ? 'echo "E: Unable to locate package fake-tool-pkg"; exit 100' : `mkdir -p "${path.dirname(tool)}" && printf '#!/bin/sh\\n' > "${tool}" && chmod +x "${tool}"`};; esac\n`);
  write('sudo', '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n');
  const run = async (...args: string[]) => {
    const { stdout, stderr } = await promisify(execFile)('sh', [SCRIPT, ...args], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TEST_DEPS_REQUIREMENTS: path.join(dir, 'requirements') } });
    return { lines: stdout.trimEnd().split('\n'), stderr };
  };
  return { run, tool, aptCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe('scripts/test-deps.sh (the first step of npm test)', () => {
  it('says in one line that everything is there, and touches nothing', async () => {
    const machine = fakeMachine();
    await machine.run();
    const { lines } = await machine.run();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^test prerequisites: all present \(node-itself, fake-tool-pkg\)/);
    expect(lines[0]).toMatch(POSTGRES);
    // Installed by the first run only.
    expect(machine.aptCalls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends fake-tool-pkg']);
  });

  it('installs what is missing with apt-get, saying what and why in one line', async () => {
    const machine = fakeMachine();
    const { lines } = await machine.run();
    expect(lines[0]).toBe(`test prerequisites: installing fake-tool-pkg with apt-get (missing: ${machine.tool}) ...`);
    expect(lines[1]).toMatch(/^test prerequisites: installed fake-tool-pkg; /);
    expect(existsSync(machine.tool)).toBe(true);
  });

  it('where it cannot install, says how to get what is missing (and the run goes on)', async () => {
    const machine = fakeMachine();
    const { lines } = await machine.run('--check');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^test prerequisites: missing ${machine.tool}; get them with: sudo apt-get install -y --no-install-recommends fake-tool-pkg \\(Debian/Ubuntu; elsewhere install the same programs, see README "Running the tests"\\)\\. The tests that need them will fail until then\\.`));
    expect(machine.aptCalls()).toEqual([]);
  });

  it('when apt-get fails, shows its last lines and the command to run by hand', async () => {
    const machine = fakeMachine({ aptFails: true });
    const { lines } = await machine.run();
    expect(lines[1]).toMatch(/^test prerequisites: apt-get failed \(last lines of .* below\); install them by hand: (sudo )?apt-get install -y --no-install-recommends fake-tool-pkg$/);
    expect(lines[2]).toBe('  E: Unable to locate package fake-tool-pkg');
  });
});
