import { describe, expect, it } from '@jest/globals';
import { LAMBDA_MAX_MS } from '../../../lambdas/engine/runner-choice.ts';
import { RunnerEnv, runnerLimitsFromEnv } from '../../../lambdas/handlers/runner-limits.ts';

describe('runnerLimitsFromEnv', () => {
  it('is the Lambda maximum alone when nothing is set', () => {
    expect(runnerLimitsFromEnv({})).toEqual({ lambdaBudgetMs: LAMBDA_MAX_MS });
    expect(runnerLimitsFromEnv({ [RunnerEnv.taskBudgetMs]: '' })).toEqual({ lambdaBudgetMs: LAMBDA_MAX_MS });
  });

  it('reads every limit that is set', () => {
    expect(
      runnerLimitsFromEnv({
        [RunnerEnv.lambdaBudgetMs]: '600000',
        [RunnerEnv.taskBudgetMs]: '7200000',
        [RunnerEnv.backupTaskThresholdBytes]: '1000',
        [RunnerEnv.restoreTaskThresholdBytes]: '2000',
      }),
    ).toEqual({
      lambdaBudgetMs: 600_000,
      taskBudgetMs: 7_200_000,
      backupTaskThresholdBytes: 1000,
      restoreTaskThresholdBytes: 2000,
    });
  });

  it('names the variable that is not a positive whole number', () => {
    expect(() => runnerLimitsFromEnv({ [RunnerEnv.taskBudgetMs]: '1.5' })).toThrow(
      'STEPMIGRATE_TASK_BUDGET_MS must be a positive whole number, got "1.5"',
    );
    expect(() => runnerLimitsFromEnv({ [RunnerEnv.lambdaBudgetMs]: '0' })).toThrow(
      'STEPMIGRATE_LAMBDA_BUDGET_MS must be a positive whole number, got "0"',
    );
  });
});
