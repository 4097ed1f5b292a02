// The runner limits Validate plans with, from the environment the MigrationWorkflow construct
// sets: the Lambda budget of the long steps, and the task runner's limit when one is deployed.
import { LAMBDA_MAX_MS, type RunnerLimits } from '../engine/runner-choice.ts';
import { type Env, optionalPositiveInteger, positiveInteger } from './aws/environment.ts';

export const RunnerEnv = {
  lambdaBudgetMs: 'STEPMIGRATE_LAMBDA_BUDGET_MS',
  /** Set only when a task runner is deployed. */
  taskBudgetMs: 'STEPMIGRATE_TASK_BUDGET_MS',
  backupTaskThresholdBytes: 'STEPMIGRATE_BACKUP_TASK_THRESHOLD_BYTES',
  restoreTaskThresholdBytes: 'STEPMIGRATE_RESTORE_TASK_THRESHOLD_BYTES',
} as const;

export function runnerLimitsFromEnv(env: Env): RunnerLimits {
  const limits: RunnerLimits = {
    lambdaBudgetMs: positiveInteger(env, RunnerEnv.lambdaBudgetMs, LAMBDA_MAX_MS),
  };
  const taskBudgetMs = optionalPositiveInteger(env, RunnerEnv.taskBudgetMs);
  if (taskBudgetMs !== undefined) limits.taskBudgetMs = taskBudgetMs;
  const backup = optionalPositiveInteger(env, RunnerEnv.backupTaskThresholdBytes);
  if (backup !== undefined) limits.backupTaskThresholdBytes = backup;
  const restore = optionalPositiveInteger(env, RunnerEnv.restoreTaskThresholdBytes);
  if (restore !== undefined) limits.restoreTaskThresholdBytes = restore;
  return limits;
}
