// The closing lines of `stepmigrate run`: how the run ended, in words a person acts on.

import { formatBytes } from '../../lambdas/engine/bytes.ts';
import { describeDatabaseSnapshot } from '../../lambdas/engine/database-snapshot.ts';
import type { RunOutput } from '../../lambdas/engine/run-state.ts';
import { backupBytes } from '../../lambdas/engine/run-state.ts';

export interface SummaryStyle {
  colour: boolean;
}

const HEADLINES: Record<RunOutput['status'], [number, string]> = {
  succeeded: [32, 'succeeded'],
  noop: [32, 'nothing to do'],
  dry_run: [32, 'dry run, nothing changed'],
  rolled_back: [33, 'failed and rolled back'],
  rollback_failed: [31, 'ROLLBACK FAILED — manual action needed'],
  failed: [31, 'refused, nothing changed'],
};

export function summaryLines(output: RunOutput, durationMs: number, style: SummaryStyle): string[] {
  const [code, headline] = HEADLINES[output.status];
  const paint = (text: string) => (style.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const versions =
    output.fromVersion || output.toVersion ? ` ${output.fromVersion} → ${output.toVersion},` : '';
  const lines = [`${paint(headline)}:${versions} ${output.database}, ${(durationMs / 1000).toFixed(1)} s`];
  if (output.status === 'noop')
    lines[0] = `${paint(headline)}: ${output.database} is at ${output.fromVersion}`;
  if (output.status === 'dry_run' && output.plan.pending.length > 0) {
    lines.push(`  would apply: ${output.plan.pending.join(' ')}`);
  }
  if (output.applied.length > 0) lines.push(`  applied: ${output.applied.join(' ')}`);
  if (output.rolledBack.length > 0) lines.push(`  rolled back: ${output.rolledBack.join(' ')}`);
  if (output.backup && output.backup.tables.length > 0) {
    const bytes = backupBytes(output.backup.tables);
    lines.push(
      `  backup: ${output.backup.location} (${output.backup.tables.length} tables, ${formatBytes(bytes)})`,
    );
  }
  if (output.databaseSnapshot)
    lines.push(`  database snapshot: ${describeDatabaseSnapshot(output.databaseSnapshot)}`);
  for (const data of output.backup?.broughtBack ?? []) {
    lines.push(
      `  brought back: ${data.tables.join(', ')} (undoing ${data.migration}) from the backup of ${data.executionId}`,
    );
  }
  for (const data of output.backup?.notBroughtBack ?? []) {
    const how = data.restoreCommand
      ? `restore them with \`${data.restoreCommand}\``
      : 'no backup of them remains';
    const why = data.why ? ` (${data.why})` : '';
    lines.push(
      `  not brought back: the values ${data.migration}'s up section destroyed in ${data.tables.join(', ')}${why}; ${how}`,
    );
  }
  if (output.error) {
    const where = output.error.migration ? ` [${output.error.migration}]` : '';
    lines.push(`  ${output.error.name}${where}: ${output.error.message}`);
  }
  lines.push(`  execution ${output.executionId}`);
  return lines;
}
