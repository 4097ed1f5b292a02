// Validate: check input, files, history and database; build the plan; take the lease.
import type { RunState } from '../engine/run-state.ts';
import type { ValidateEvent } from './events.ts';
import { lambdaEntry } from './lambda-entry.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

function planDetail(run: RunState) {
  const allowed = run.plan.findings
    .filter((f) => f.allowedBecause !== undefined)
    .map((f) => ({ rule: f.rule, migration: f.migration, reason: f.allowedBecause }));
  return {
    detail: {
      status: run.status,
      fromVersion: run.plan.fromVersion,
      toVersion: run.plan.toVersion,
      direction: run.plan.direction,
      findings: run.plan.findings.length,
      ...(allowed.length > 0 ? { lintAllowed: allowed } : {}),
      ...(run.leaseTakenOver ? { leaseTakenOverFrom: run.leaseTakenOver } : {}),
    },
  };
}

export function makeValidateHandler(deps: StepDependencies) {
  return stepHandler<ValidateEvent, RunState>(
    'Validate',
    deps,
    async (event) => deps.steps.validateRun(await deps.engine(), event.input, event.executionId),
    { resultDetail: planDetail },
  );
}

export const handler = lambdaEntry(makeValidateHandler);
