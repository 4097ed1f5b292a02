// The runners of a local run. The task runner is always there (a separate process). The
// Lambda budget is what a deployed step gets (15 minutes) unless a run option or
// STEPMIGRATE_LAMBDA_BUDGET_MS sets a smaller one; a set budget also arms the deadline
// middleware of the local Lambda steps, so tests can force the long path with a tiny budget.
import type { RunnerLimits } from '../../lambdas/engine/runner-choice.ts';
import { DEADLINE_MARGIN_MS } from '../../lambdas/handlers/middleware/deadline.ts';
import { RunnerEnv, runnerLimitsFromEnv } from '../../lambdas/handlers/runner-limits.ts';

/** A local task has no platform limit; a day stands in for "long enough". */
export const LOCAL_TASK_BUDGET_MS = 24 * 60 * 60 * 1000;

export interface LocalRunnerSettings {
  /** Budget of one local Lambda step invocation. @default $STEPMIGRATE_LAMBDA_BUDGET_MS, else none (15 min for planning) */
  lambdaBudgetMs?: number;
  backupTaskThresholdBytes?: number;
  restoreTaskThresholdBytes?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export function localRunnerLimits(settings: LocalRunnerSettings, env: Env = process.env): RunnerLimits {
  const fromEnv = runnerLimitsFromEnv(env);
  const limits: RunnerLimits = {
    ...fromEnv,
    lambdaBudgetMs: settings.lambdaBudgetMs ?? fromEnv.lambdaBudgetMs,
    taskBudgetMs: fromEnv.taskBudgetMs ?? LOCAL_TASK_BUDGET_MS,
  };
  if (settings.backupTaskThresholdBytes !== undefined)
    limits.backupTaskThresholdBytes = settings.backupTaskThresholdBytes;
  if (settings.restoreTaskThresholdBytes !== undefined)
    limits.restoreTaskThresholdBytes = settings.restoreTaskThresholdBytes;
  return limits;
}

/** The budget that arms the local deadline, when one was asked for. */
export function localLambdaBudgetMs(
  settings: LocalRunnerSettings,
  env: Env = process.env,
): number | undefined {
  if (settings.lambdaBudgetMs !== undefined) return settings.lambdaBudgetMs;
  return env[RunnerEnv.lambdaBudgetMs] ? runnerLimitsFromEnv(env).lambdaBudgetMs : undefined;
}

/** A small budget gets a proportionally small margin: a quarter of it, at most the Lambda one. */
export function deadlineMarginFor(budgetMs: number): number {
  return Math.min(DEADLINE_MARGIN_MS, Math.floor(budgetMs / 4));
}

/** What a Lambda context gives the deadline middleware: the time left of this invocation. */
export function budgetContext(budgetMs: number): { getRemainingTimeInMillis(): number } {
  const deadline = Date.now() + budgetMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}
