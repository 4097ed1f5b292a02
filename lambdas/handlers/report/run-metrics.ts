// The run-level metrics of DESIGN §1.4, put once by Report. Every metric is sent on every
// run (0 or 1 for the outcome counters) so alarms see continuous data.
import type { RunOutput } from '../../engine/run-state.ts';
import { backupBytes } from '../../engine/run-state.ts';
import type { AuditRecord, MetricDatum } from '../../ports.ts';

export interface RunMetricsSource {
  output: RunOutput;
  /** This execution's audit records. */
  audit: readonly AuditRecord[];
  runStartedAt?: string;
  now: Date;
}

/** LockTimeoutError failures of Apply that the workflow retried (the last one, if fatal, was not). */
export function lockRetries(output: RunOutput, audit: readonly AuditRecord[]): number {
  const lockFailures = audit.filter(
    (r) => r.step === 'Apply' && r.event === 'failed' && r.error?.name === 'LockTimeoutError',
  ).length;
  return output.error?.name === 'LockTimeoutError' ? Math.max(0, lockFailures - 1) : lockFailures;
}

export function runMetrics(source: RunMetricsSource): MetricDatum[] {
  const { output, audit, now } = source;
  const dimensions = { Database: output.database };
  const succeeded = output.status === 'succeeded' || output.status === 'noop' || output.status === 'dry_run';
  const started = source.runStartedAt ?? audit.at(-1)?.at ?? now.toISOString();
  const count = (name: MetricDatum['name'], value: number): MetricDatum => ({
    name,
    value,
    unit: 'Count',
    dimensions,
  });
  return [
    count('RunSucceeded', succeeded ? 1 : 0),
    count('RunFailed', succeeded ? 0 : 1),
    count('RolledBack', output.status === 'rolled_back' ? 1 : 0),
    count('RollbackFailed', output.status === 'rollback_failed' ? 1 : 0),
    count('MigrationsApplied', output.status === 'succeeded' ? output.applied.length : 0),
    count('LockRetries', lockRetries(output, audit)),
    {
      name: 'RunDurationMs',
      value: Math.max(0, now.getTime() - Date.parse(started)),
      unit: 'Milliseconds',
      dimensions,
    },
    {
      name: 'BackupBytes',
      value: backupBytes(output.backup?.tables ?? []),
      unit: 'Bytes',
      dimensions,
    },
  ];
}
