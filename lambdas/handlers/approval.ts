// Approval: publish the plan and the task token; the execution waits until somebody answers.
import type { ApprovalEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function makeApprovalHandler(deps: StepDependencies) {
  return stepHandler<ApprovalEvent, { requested: true }>('Approval', deps, async ({ run, taskToken }) => {
    await deps.approval.requestApproval({
      taskToken,
      executionId: run.executionId,
      database: run.database,
      requestedBy: run.input.requestedBy,
      plan: run.plan,
    });
    return { requested: true };
  });
}
