// Report: give the lease back, build the execution output, put the run metrics. The
// workflow then ends Succeed or Fail from the output's status.

import { messageOf } from '../engine/errors.ts';
import type { RunOutput } from '../engine/run-state.ts';
import type { AuditRecord } from '../ports.ts';
import type { ReportEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import { runMetrics } from './report/run-metrics.ts';
import { buildRunOutput } from './report/run-output.ts';
import type { StepDependencies } from './step-dependencies.ts';

const AUDIT_RECORDS_PER_RUN = 1000;

export function makeReportHandler(deps: StepDependencies) {
  const now = deps.now ?? (() => new Date());
  const bestEffort = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      deps.log(`Report: could not ${what}: ${messageOf(error)}`);
    }
  };

  return stepHandler<ReportEvent, RunOutput>(
    'Report',
    deps,
    async ({ executionId, state }) => {
      const { run } = state;
      // The lease also expires on its own; a failed release only delays the next run. Without a
      // run in the state (Validate failed, perhaps after taking the lease, e.g. with a result
      // too large for the state) the lease to give back is this execution's on this workflow's
      // one database; the release is conditional on the holder, so another run's stays.
      const lease = run ?? { database: deps.database, executionId };
      await bestEffort('release the lease', async () => deps.steps.releaseRun(await deps.engine(), lease));
      // Without the audit records the output is less detailed, but the run must still end.
      let audit: AuditRecord[] = [];
      await bestEffort('read the audit log', async () => {
        audit = await deps.auditLog.list({ executionId, limit: AUDIT_RECORDS_PER_RUN });
      });
      const output = buildRunOutput({ executionId, state, audit, database: deps.database });
      const metrics = runMetrics({ output, audit, runStartedAt: run?.startedAt, now: now() });
      await bestEffort('put the run metrics', () => deps.metrics.put(metrics));
      return output;
    },
    {
      resultDetail: (output) => ({
        detail: { status: output.status, applied: output.applied, rolledBack: output.rolledBack },
        ...(output.error ? { error: output.error } : {}),
      }),
    },
  );
}
