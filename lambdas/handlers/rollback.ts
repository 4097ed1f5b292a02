// Rollback: undo what this execution applied and prove the schema is back where it was.
// Any failure here is critical (exit 3): it always surfaces as RollbackFailedError.
import { messageOf, RollbackFailedError } from '../engine/errors.ts';
import type { StateEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function makeRollbackHandler(deps: StepDependencies) {
  return stepHandler<StateEvent, { rolledBack: string[] }>(
    'Rollback',
    deps,
    async ({ state, executionId }) => {
      const { run, backup } = state;
      if (!run)
        throw new RollbackFailedError(`execution ${executionId} reached Rollback without a run state`);
      try {
        const ctx = await deps.engine();
        return await deps.steps.rollbackRun(
          ctx,
          run,
          backup,
          await deps.steps.dataRestorer(ctx, deps.backupStore),
        );
      } catch (error) {
        if (error instanceof RollbackFailedError) throw error;
        const message = messageOf(error);
        throw new RollbackFailedError(
          `rollback of ${run.database} towards ${run.plan.fromVersion} failed: ${message} — manual action needed`,
          { cause: error },
        );
      }
    },
  );
}
