// Apply: one migration of the plan per invocation (the Map runs them in order).
import type { AppliedStep } from '../engine/run-state.ts';
import type { ApplyEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function makeApplyHandler(deps: StepDependencies) {
  return stepHandler<ApplyEvent, AppliedStep>(
    'Apply',
    deps,
    async ({ run, step }) => deps.steps.applyPlanStep(await deps.engine(), run, step),
    {
      resultDetail: (applied) => ({
        detail: { direction: applied.direction, alreadyDone: applied.alreadyDone },
      }),
    },
  );
}
