/** The report as text: a header, one line per check (✓ passed, ✗ failed, - skipped) and a summary. */
import pc from 'picocolors';
import type { ConformanceCheck, ConformanceReport } from './types.js';

const MARK: Record<ConformanceCheck['status'], string> = { passed: pc.green('✓'), failed: pc.red('✗'), skipped: pc.dim('-') };

export function formatReport(report: ConformanceReport): string {
  const who = report.plugin ? `plugin "${report.plugin.name}" ${report.plugin.version} (${report.plugin.packageName})` : 'no plugin';
  const lines = [`Conformance of ${who} at ${report.packageDir}`];
  for (const check of report.checks) {
    const detail = check.status === 'failed' ? check.detail : pc.dim(check.detail);
    lines.push(`  ${MARK[check.status]} ${check.name}: ${detail}`);
  }
  const count = (status: ConformanceCheck['status']) => report.checks.filter((c) => c.status === status).length;
  const summary = `${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped in ${(report.durationMs / 1000).toFixed(1)} s`;
  lines.push(report.passed ? pc.green(`PASS ${summary}`) : pc.red(`FAIL ${summary}`));
  return lines.join('\n');
}
