// Renders audit records as an aligned table: what happened, when, in which execution.
import { executionName } from '../../lambdas/engine/notifications/console-link.ts';
import type { AuditRecord } from '../../lambdas/ports.ts';
import { formatDuration } from './history-renderer.ts';

const HEADERS = ['time (UTC)', 'execution', 'step', 'event', 'duration', 'migrations', 'error'] as const;
const MAX_ERROR = 100;

function errorText(record: AuditRecord): string {
  if (record.error === undefined) return '';
  const text = `${record.error.name}: ${record.error.message}`.replace(/\s+/g, ' ');
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}

function row(record: AuditRecord): string[] {
  return [
    record.at.replace('T', ' ').slice(0, 19),
    executionName(record.executionId),
    record.step,
    record.event,
    record.durationMs === undefined ? '' : formatDuration(record.durationMs),
    record.migrations?.join(',') ?? '',
    errorText(record),
  ];
}

export function auditTableLines(records: readonly AuditRecord[]): string[] {
  const rows = [HEADERS.slice() as string[], ...records.map(row)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((cells) => cells[column]!.length)));
  return rows.map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
