// What Validate is told about the runners: the Lambda budget of the steps that can move to the
// task runner (the shortest of their timeouts) and, when a task runner is deployed, its limit.
// Read back by lambdas/handlers/runner-limits.ts.
import type { Duration } from 'aws-cdk-lib';
import { RunnerEnv } from '../lambdas/handlers/runner-limits.ts';
import { STEP_NEEDS } from './step-needs.ts';
import { TASK_RUNNER_STEPS } from './task-contract.ts';

export function runnerEnvironment(taskTimeout: Duration | undefined): Record<string, string> {
  const lambdaBudgetMs = Math.min(
    ...TASK_RUNNER_STEPS.map((step) => STEP_NEEDS[step].timeout.toMilliseconds()),
  );
  return {
    [RunnerEnv.lambdaBudgetMs]: String(lambdaBudgetMs),
    ...(taskTimeout ? { [RunnerEnv.taskBudgetMs]: String(taskTimeout.toMilliseconds()) } : {}),
  };
}
