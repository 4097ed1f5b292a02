// Which runner did a step's work: every audit record says it (`detail.runner`), and work done
// on the long-running task runner also puts StepDurationMs/StepErrors with a `Runner`
// dimension, beside the usual {Database, Step} datum that existing alarms and dashboards use.
import type { Runner } from '../../engine/model.ts';
import type { AuditLog, Metrics } from '../../ports.ts';

export function auditWithRunner(auditLog: AuditLog, runner: Runner): AuditLog {
  return {
    append: (record) => auditLog.append({ ...record, detail: { ...record.detail, runner } }),
    list: (query) => auditLog.list(query),
  };
}

export function metricsWithRunner(metrics: Metrics, runner: Runner): Metrics {
  if (runner === 'lambda') return metrics;
  return {
    put: (data) =>
      metrics.put([
        ...data,
        ...data
          .filter((datum) => datum.dimensions.Step !== undefined)
          .map((datum) => ({ ...datum, dimensions: { ...datum.dimensions, Runner: runner } })),
      ]),
  };
}
