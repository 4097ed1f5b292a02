// The container side of the task contract: the event rebuilt from the environment the task
// state sets, and the runner written into audit records and metrics.
import { describe, expect, it } from '@jest/globals';
import { TaskEnv } from '../../../infra/task-contract.ts';
import { auditWithRunner, metricsWithRunner } from '../../../lambdas/handlers/middleware/runner-record.ts';
import type { AuditRecord, MetricDatum } from '../../../lambdas/ports.ts';
import { taskEventFrom } from '../../../lambdas/task/task-event.ts';

describe('taskEventFrom', () => {
  it("rebuilds the step's event from the container environment", () => {
    const env = {
      [TaskEnv.step]: 'apply',
      [TaskEnv.executionId]: 'arn:exec:1',
      STEPMIGRATE_EVENT_RUN: JSON.stringify({ database: 'orders', note: 'say "hi"\nbye' }),
      STEPMIGRATE_EVENT_STEP: JSON.stringify({ version: '0002', name: 'x', direction: 'up' }),
    };
    expect(taskEventFrom(env)).toEqual({
      step: 'apply',
      event: {
        executionId: 'arn:exec:1',
        run: { database: 'orders', note: 'say "hi"\nbye' },
        step: { version: '0002', name: 'x', direction: 'up' },
      },
    });
  });

  it('names what is missing or wrong', () => {
    expect(() => taskEventFrom({ [TaskEnv.step]: 'verify' })).toThrow(
      'STEPMIGRATE_STEP must be one of backup, apply, rollback, got "verify"',
    );
    expect(() => taskEventFrom({ [TaskEnv.step]: 'backup', [TaskEnv.executionId]: 'e' })).toThrow(
      'STEPMIGRATE_EVENT_RUN is not set on this backup task',
    );
  });
});

describe('which runner did the work', () => {
  it('is in every audit record, and task work also has a Runner dimension on its step metrics', async () => {
    const records: AuditRecord[] = [];
    const data: MetricDatum[] = [];
    const audit = auditWithRunner(
      { append: async (r) => void records.push(r), list: async () => [] },
      'task',
    );
    await audit.append({
      executionId: 'e',
      database: 'd',
      step: 'Apply',
      event: 'started',
      at: 'now',
      detail: { a: 1 },
    });
    expect(records[0]?.detail).toEqual({ a: 1, runner: 'task' });

    const sink = { put: async (d: readonly MetricDatum[]) => void data.push(...d) };
    const step: MetricDatum = {
      name: 'StepDurationMs',
      value: 5,
      unit: 'Milliseconds',
      dimensions: { Database: 'd', Step: 'Apply' },
    };
    const run: MetricDatum = { name: 'RunSucceeded', value: 1, unit: 'Count', dimensions: { Database: 'd' } };
    await metricsWithRunner(sink, 'task').put([step, run]);
    expect(data.map((d) => d.dimensions)).toEqual([
      { Database: 'd', Step: 'Apply' },
      { Database: 'd' },
      { Database: 'd', Step: 'Apply', Runner: 'task' },
    ]);
    data.length = 0;
    await metricsWithRunner(sink, 'lambda').put([step]);
    expect(data).toEqual([step]);
  });
});
