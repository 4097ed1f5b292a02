// The custom CloudWatch metrics the Report step publishes (DESIGN §1.4), as CDK metric
// objects for alarms and dashboards.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricName } from '../lambdas/ports.ts';

export const METRICS_NAMESPACE = 'StepMigrate';

const defaultStatistic: Record<MetricName, string> = {
  RunSucceeded: 'Sum',
  RunFailed: 'Sum',
  RolledBack: 'Sum',
  RollbackFailed: 'Sum',
  MigrationsApplied: 'Sum',
  RunDurationMs: 'Maximum',
  StepDurationMs: 'Maximum',
  StepErrors: 'Sum',
  BackupBytes: 'Sum',
  LockRetries: 'Sum',
};

/** A StepMigrate metric for one database (and, for StepDurationMs, one step). */
export function stepMigrateMetric(
  name: MetricName,
  database: string,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    statistic: defaultStatistic[name],
    period: Duration.minutes(5),
    ...options,
    dimensionsMap: { Database: database, ...options.dimensionsMap },
  });
}
