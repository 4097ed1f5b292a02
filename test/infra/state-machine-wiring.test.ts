// The deployed wiring of the state machine, read from the synthesized template: where each
// failure goes, what is retried, and that each task calls its own step's function.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import {
  type AslDefinition,
  type AslState,
  allStates,
  logicalIdOfArn,
  resolveDefinition,
} from '../../cli/local-runner/resolve-definition.ts';
import { logicalId } from './support/iam.ts';
import { synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

let synthesized: WorkflowStack;
let definition: AslDefinition;

function definitionOf(stack: WorkflowStack): AslDefinition {
  const [machine] = Object.values(stack.template.findResources('AWS::StepFunctions::StateMachine'));
  return resolveDefinition(machine!.Properties.DefinitionString);
}

beforeAll(() => {
  // The Lambda-only wiring; the task runner's routing is asserted in task-runner.test.ts.
  synthesized = synthWorkflowStack({ approvalTimeout: Duration.hours(2), taskRunner: false });
  definition = definitionOf(synthesized);
});

const state = (name: string): AslState => {
  const found = allStates(definition).find(([stateName]) => stateName === name);
  if (!found) throw new Error(`no state ${name}`);
  return found[1];
};
const catches = (name: string) => (state(name).Catch ?? []) as { ErrorEquals: string[]; Next: string }[];

/** States reached from `start` on the success path, until `stops`. */
function successPath(start: string, stops: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || stops.includes(name)) return;
    seen.add(name);
    const current = state(name);
    const next = [
      current.Next,
      current.Default,
      ...((current.Choices as { Next: string }[] | undefined) ?? []).map((choice) => choice.Next),
    ].filter((value): value is string => typeof value === 'string');
    for (const target of next) visit(target);
  };
  visit(start);
  return [...seen];
}

describe('state machine wiring', () => {
  it('sends every failure of every task from Backup on to Rollback', () => {
    const tasks = successPath('Backup', ['Rollback', 'Report']).filter((name) =>
      ['Task', 'Map'].includes(state(name).Type),
    );

    expect(tasks.sort()).toEqual(['Apply', 'Backup', 'Bake', 'Verify']);
    for (const name of tasks) {
      expect(catches(name)).toContainEqual(
        expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Rollback' }),
      );
    }
  });

  it('reports a failed Rollback instead of losing it, and ends in the Fail state', () => {
    expect(catches('Rollback')).toEqual([
      expect.objectContaining({
        ErrorEquals: ['States.DataLimitExceeded'],
        Next: 'Report',
        ResultPath: '$.rollbackError',
      }),
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.rollbackError' }),
    ]);
    expect(state('Rollback').Next).toBe('Report');
    expect(state('Report').Next).toBe('Outcome');
    expect(state('Outcome').Default).toBe('Failed');
    expect(state('Failed')).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.name',
      CausePath: '$.error.message',
    });
  });

  it('reports a refusal at Validate or Approval without touching Rollback', () => {
    expect(catches('Validate').map((c) => c.Next)).toEqual(['Report', 'Report']);
    expect(catches('Approval').map((c) => c.Next)).toEqual(['Report', 'Report']);
  });

  it('retries a migration that gave up on a lock, with backoff and jitter, and never a timed-out invocation', () => {
    const retries = state('ApplyMigration').Retry as Record<string, unknown>[];

    expect(retries).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['LockTimeoutError'], BackoffRate: 2, JitterStrategy: 'FULL' }),
    );
    const retried = retries.flatMap((retry) => retry.ErrorEquals as string[]);
    expect(retried).not.toContain('Lambda.ClientExecutionTimeoutException');
    expect(retried).not.toContain('States.ALL');
    expect(state('Apply')).toMatchObject({ Type: 'Map', MaxConcurrency: 1 });
  });

  it('waits for the approval task token for the configured time', () => {
    expect(state('Approval')).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 7200,
    });
  });

  it("invokes each step's own function", () => {
    const invoked = Object.fromEntries(
      allStates(definition)
        .filter(([, current]) => current.Type === 'Task')
        .map(([name, current]) => [
          name,
          logicalIdOfArn((current.Parameters as { FunctionName: unknown }).FunctionName),
        ]),
    );
    const id = (step: keyof WorkflowStack['workflow']['functions']) =>
      logicalId(synthesized.stack, synthesized.workflow.functions[step]);

    expect(invoked).toEqual({
      Validate: id('validate'),
      Approval: id('approval'),
      Backup: id('backup'),
      ApplyMigration: id('apply'),
      Verify: id('verify'),
      Bake: id('bake'),
      Rollback: id('rollback'),
      Report: id('report'),
    });
  });
});
