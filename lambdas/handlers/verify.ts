// Verify: run the verify sections and the post-checks.
import type { RunEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function makeVerifyHandler(deps: StepDependencies) {
  return stepHandler<RunEvent, { verified: string[] }>('Verify', deps, async ({ run }) =>
    deps.steps.verifyRun(await deps.engine(), run),
  );
}
