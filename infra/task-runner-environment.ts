// What Validate is told about the runners: the Lambda budget of the long steps (their timeout)
// and, when a task runner is deployed, its limit. Read back by lambdas/handlers/runner-limits.ts.
import type { Duration } from 'aws-cdk-lib';
import { RunnerEnv } from '../lambdas/handlers/runner-limits.ts';
import { STEP_NEEDS } from './step-needs.ts';

export function runnerEnvironment(taskTimeout: Duration | undefined): Record<string, string> {
  const lambdaBudgetMs = Math.min(
    STEP_NEEDS.backup.timeout.toMilliseconds(),
    STEP_NEEDS.apply.timeout.toMilliseconds(),
    STEP_NEEDS.rollback.timeout.toMilliseconds(),
  );
  return {
    [RunnerEnv.lambdaBudgetMs]: String(lambdaBudgetMs),
    ...(taskTimeout ? { [RunnerEnv.taskBudgetMs]: String(taskTimeout.toMilliseconds()) } : {}),
  };
}
