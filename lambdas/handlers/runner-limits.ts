// The runner limits Validate plans with, from the environment the MigrationWorkflow construct
// sets: the Lambda budget of the long steps, and the task runner's limit when one is deployed.
import { LAMBDA_MAX_MS, type RunnerLimits } from '../engine/runner-choice.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const RunnerEnv = {
  lambdaBudgetMs: 'STEPMIGRATE_LAMBDA_BUDGET_MS',
  /** Set only when a task runner is deployed. */
  taskBudgetMs: 'STEPMIGRATE_TASK_BUDGET_MS',
  backupTaskThresholdBytes: 'STEPMIGRATE_BACKUP_TASK_THRESHOLD_BYTES',
  restoreTaskThresholdBytes: 'STEPMIGRATE_RESTORE_TASK_THRESHOLD_BYTES',
} as const;

function positive(env: Env, variable: string): number | undefined {
  const value = env[variable];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive whole number, got "${value}"`);
  return parsed;
}

export function runnerLimitsFromEnv(env: Env): RunnerLimits {
  const limits: RunnerLimits = { lambdaBudgetMs: positive(env, RunnerEnv.lambdaBudgetMs) ?? LAMBDA_MAX_MS };
  const taskBudgetMs = positive(env, RunnerEnv.taskBudgetMs);
  if (taskBudgetMs !== undefined) limits.taskBudgetMs = taskBudgetMs;
  const backup = positive(env, RunnerEnv.backupTaskThresholdBytes);
  if (backup !== undefined) limits.backupTaskThresholdBytes = backup;
  const restore = positive(env, RunnerEnv.restoreTaskThresholdBytes);
  if (restore !== undefined) limits.restoreTaskThresholdBytes = restore;
  return limits;
}
