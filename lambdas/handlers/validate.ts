// Validate: check input, files, history and database; build the plan; take the lease.
// The state gets the plan without its detail (engine/state-budget.ts); the audit record
// gets the findings, as many as fit in it.
import type { RunState } from '../engine/run-state.ts';
import { runForState } from '../engine/state-budget.ts';
import { findingsThatFit } from './audit-findings.ts';
import type { ValidateEvent } from './events.ts';
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
      findings: run.plan.findingsTotal ?? run.plan.findings.length,
      ...(allowed.length > 0 ? { lintAllowed: allowed } : {}),
      findingsDetail: findingsThatFit(run.plan.findings),
      ...(run.leaseTakenOver ? { leaseTakenOverFrom: run.leaseTakenOver } : {}),
    },
  };
}

export function makeValidateHandler(deps: StepDependencies) {
  return stepHandler<ValidateEvent, RunState>(
    'Validate',
    deps,
    async (event) => deps.steps.validateRun(await deps.engine(), event.input, event.executionId),
    { resultDetail: planDetail, output: runForState },
  );
}
