// How `stepmigrate lint` prints findings: for people (file:line:col  severity  rule  message,
// then the fix), as JSON, or as GitHub Actions workflow commands that annotate the pull request.
import type { Finding } from '../lambdas/engine/model.ts';
import { type OutputSink, paint } from './sink.ts';

export type LintFormat = 'human' | 'json' | 'github';

export interface LintSummary {
  error: number;
  warning: number;
  info: number;
  migrations: number;
}

export function summarize(findings: readonly Finding[], migrations: number): LintSummary {
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  return { error: count('error'), warning: count('warning'), info: count('info'), migrations };
}

export function printFindings(
  findings: readonly Finding[],
  summary: LintSummary,
  format: LintFormat,
  sink: OutputSink,
): void {
  if (format === 'json') {
    // A refusal carries an error object, as every failed command's JSON does.
    const error =
      summary.error > 0
        ? {
            name: 'LintError',
            message: `${summary.error} error-level finding${summary.error > 1 ? 's' : ''}`,
          }
        : undefined;
    sink.out(JSON.stringify({ findings, summary, ...(error ? { error } : {}) }, null, 2));
  } else if (format === 'github') for (const finding of findings) sink.out(githubAnnotation(finding));
  else printHuman(findings, summary, sink);
}

const SEVERITY_COLOUR = { error: 'red', warning: 'yellow', info: 'dim' } as const;

function printHuman(findings: readonly Finding[], summary: LintSummary, sink: OutputSink): void {
  for (const finding of findings) {
    const severity = paint(sink, SEVERITY_COLOUR[finding.severity], finding.severity.padEnd(7));
    sink.out(`${location(finding)}  ${severity}  ${finding.rule}  ${finding.message}`);
    if (finding.allowedBecause !== undefined) sink.out(`    allowed: ${finding.allowedBecause}`);
    else if (finding.fix !== undefined) sink.out(`    fix: ${finding.fix.replaceAll('\n', '\n         ')}`);
  }
  sink.out(summaryLine(summary));
}

export function summaryLine(summary: LintSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const where = `in ${plural(summary.migrations, 'migration')}`;
  if (summary.error + summary.warning + summary.info === 0) return `no problems ${where}`;
  const allowed = summary.info > 0 ? `, ${summary.info} allowed by -- lint:allow` : '';
  return `${plural(summary.error, 'error')}, ${plural(summary.warning, 'warning')}${allowed} ${where}`;
}

function location(finding: Finding): string {
  return `${finding.file ?? '?'}:${finding.line ?? 1}:${finding.column ?? 1}`;
}

const GITHUB_LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** https://docs.github.com/actions/reference/workflow-commands-for-github-actions */
export function githubAnnotation(finding: Finding): string {
  const properties = [
    `file=${escapeProperty(finding.file ?? '')}`,
    `line=${finding.line ?? 1}`,
    `col=${finding.column ?? 1}`,
    `title=${escapeProperty(finding.rule)}`,
  ].join(',');
  const tail =
    finding.allowedBecause !== undefined
      ? `\nallowed: ${finding.allowedBecause}`
      : finding.fix !== undefined
        ? `\nfix: ${finding.fix}`
        : '';
  return `::${GITHUB_LEVEL[finding.severity]} ${properties}::${escapeData(finding.message + tail)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
