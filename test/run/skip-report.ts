/**
 * The run's last lines: every test that did not run, and why. A skipped test (`ctx.skip(note)`,
 * `skipIf`) is listed with its note; a helper that leaves a whole leg out (no PostgreSQL on this
 * machine) says so with a console line starting `[driftless tests] `, repeated here once. Nothing
 * is ever skipped silently.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export const NOTE_PREFIX = '[driftless tests] ';

export default class SkipReport implements Reporter {
  private vitest?: Vitest;
  private readonly notes = new Set<string>();

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onUserConsoleLog(log: { content: string }): void {
    for (const line of log.content.split('\n')) if (line.startsWith(NOTE_PREFIX)) this.notes.add(line.slice(NOTE_PREFIX.length).trim());
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        // mode "run" means it was meant to run: a hook or the file failed before it (see the failures above).
        const why = result.note ?? (test.options.mode === 'run' ? 'not reached: its file or a hook failed' : `marked ${test.options.mode}`);
        skipped.push(`  ${module.relativeModuleId} > ${test.fullName}: ${why}`);
      }
    }
    const lines: string[] = [];
    // Tests left out by -t are the reader's own choice, not a gap in the run.
    if (this.vitest?.config.testNamePattern) lines.push(`${skipped.length} test(s) not selected by -t ${this.vitest.config.testNamePattern}.`);
    else if (skipped.length) lines.push(`Skipped ${skipped.length} test${skipped.length === 1 ? '' : 's'}:`, ...skipped);
    else lines.push('Skipped tests: none.');
    if (this.notes.size) lines.push('Not run:', ...[...this.notes].map((n) => `  ${n}`));
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
