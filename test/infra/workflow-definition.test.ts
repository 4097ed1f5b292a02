// The deployed wiring of the workflow, read from the definition CDK synthesizes (resolved
// the way the local runner resolves it): every failure after Backup reaches Rollback,
// lock timeouts are retried, and a failed run ends in a Fail state with its error.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { type AslDefinition, type AslState, allStates } from '../../cli/local-runner/resolve-definition.ts';
import { type SynthesizedWorkflow, synthesizeWorkflow } from '../../cli/local-runner/synthesize.ts';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText(separator?: string): string;
};

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}

let workflow: SynthesizedWorkflow;
let states: Map<string, AslState>;

beforeAll(() => {
  workflow = synthesizeWorkflow(join(PROJECT_ROOT, 'migrations'));
  states = new Map(allStates(workflow.definition));
});

function state(name: string): AslState {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name} in the definition`);
  return found;
}
const catchers = (name: string) => (state(name).Catch as Catcher[] | undefined) ?? [];
const retriers = (name: string) => (state(name).Retry as Retrier[] | undefined) ?? [];

describe('the synthesized workflow definition', () => {
  it('is valid Amazon States Language on JSONPath', () => {
    const result = aslValidator(workflow.definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
    expect(JSON.stringify(workflow.definition)).not.toContain('JSONata');
  });

  it('has the stable state names of the contract', () => {
    for (const name of [
      'Validate',
      'Approval',
      'Backup',
      'Apply',
      'ApplyMigration',
      'Verify',
      'Bake',
      'BakeWait',
      'Rollback',
      'Report',
      'Succeeded',
      'Failed',
    ]) {
      expect(states.has(name)).toBe(true);
    }
  });

  it('binds every Task state to the function of its own step', () => {
    expect(workflow.taskSteps).toEqual({
      Validate: 'validate',
      Approval: 'approval',
      Backup: 'backup',
      ApplyMigration: 'apply',
      Verify: 'verify',
      Bake: 'bake',
      Rollback: 'rollback',
      Report: 'report',
    });
  });

  it.each(['Backup', 'Apply', 'Verify', 'Bake'])(
    'sends any failure of %s to Rollback, keeping the state',
    (name) => {
      // RollbackRunner chooses Rollback or RollbackOnTask (task-runner.test.ts).
      expect(catchers(name)).toContainEqual({
        ErrorEquals: ['States.ALL'],
        Next: 'RollbackRunner',
        ResultPath: '$.error',
      });
    },
  );

  it('reports a failed Rollback instead of failing the execution on the spot', () => {
    expect(catchers('Rollback')).toEqual([
      { ErrorEquals: ['States.DataLimitExceeded'], Next: 'Report', ResultPath: '$.rollbackError' },
      { ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.rollbackError' },
    ]);
    expect(state('Rollback').Next).toBe('Report');
  });

  it('reports Validate and Approval failures without going through Rollback (nothing changed yet)', () => {
    expect(catchers('Validate').map((c) => c.Next)).toEqual(['Report', 'Report']);
    expect(catchers('Approval')).toEqual([
      { ErrorEquals: ['States.DataLimitExceeded'], Next: 'Report', ResultPath: '$.error' },
      { ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.error' },
    ]);
  });

  // States.ALL does not match States.DataLimitExceeded: without its own Catch an oversized
  // result ends the execution without Report, so no metrics and a lease left held.
  it.each(['Validate', 'Approval', 'Backup', 'Apply', 'Verify', 'Bake', 'Rollback'])(
    'catches an oversized result of %s where it catches every other failure, before States.ALL',
    (name) => {
      const all = catchers(name);
      const dataLimit = all.findIndex((c) => c.ErrorEquals.includes('States.DataLimitExceeded'));
      const everything = all.findIndex((c) => c.ErrorEquals.includes('States.ALL'));
      expect(dataLimit).toBeGreaterThanOrEqual(0);
      expect(dataLimit).toBeLessThan(everything);
      expect(all[dataLimit]).toEqual({ ...all[everything], ErrorEquals: ['States.DataLimitExceeded'] });
    },
  );

  it('retries a lock timeout of one migration with bounded, jittered backoff', () => {
    const lockRetry = retriers('ApplyMigration').find((r) => r.ErrorEquals.includes('LockTimeoutError'));
    expect(lockRetry).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
    expect(lockRetry?.MaxAttempts).toBeGreaterThan(0);
    expect(lockRetry?.MaxAttempts).toBeLessThanOrEqual(10);
    // Retrying the Map would re-run every migration; the retry belongs to the one that waited.
    expect(retriers('Apply')).toEqual([]);
  });

  it('never retries an Apply invocation that may still be running', () => {
    const errors = retriers('ApplyMigration').flatMap((r) => r.ErrorEquals);
    expect(errors).not.toContain('Lambda.ClientExecutionTimeoutException');
    expect(errors).not.toContain('States.ALL');
    expect(errors).not.toContain('States.TaskFailed');
  });

  // CDK's default LambdaInvoke retry covers Lambda.ClientExecutionTimeoutException, after which
  // the first invocation may still be running: a retried Rollback then meets its advisory lock.
  it.each(['Validate', 'Backup', 'ApplyMigration', 'Verify', 'Bake', 'Rollback', 'Report'])(
    'retries %s only when Lambda never ran the invocation',
    (name) => {
      const retried = retriers(name).flatMap((r) => r.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException']));
      for (const error of retried) {
        expect([
          'LockTimeoutError',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ]).toContain(error);
      }
      if (name !== 'ApplyMigration') expect(retried).not.toContain('LockTimeoutError');
    },
  );

  it('never retries Approval: a second invocation would publish a second task token', () => {
    expect(retriers('Approval')).toEqual([]);
  });

  it('applies migrations one at a time, in plan order', () => {
    expect(state('Apply')).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemsPath: '$.run.plan.steps',
      ResultPath: '$.applied',
    });
  });

  it('waits for a task token at Approval, with a timeout', () => {
    const approval = state('Approval');
    expect(approval.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(approval.Parameters?.Payload).toMatchObject({ 'taskToken.$': '$$.Task.Token' });
    expect(approval.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('ends a failed run in a Fail state carrying the original error and cause', () => {
    expect(state('Failed')).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.name',
      CausePath: '$.error.message',
    });
    expect(state('Report').Next).toBe('Outcome');
  });

  it('keeps SQL and credentials out of the state: payloads carry versions and the run, never files', () => {
    const text = JSON.stringify(workflow.definition as AslDefinition);
    expect(text).not.toMatch(/password|secret|\.sql/i);
  });
});
