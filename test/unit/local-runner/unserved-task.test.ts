// A local run never calls AWS: a Task state that no local handler serves fails with a named
// error, inside the real emulator, instead of reaching aws-local-stepfunctions' Lambda client.
// This is what lets the compiled CLI leave that client out (cli-build/build.js).
import { describe, expect, it } from '@jest/globals';
import { executeLocally } from '../../../cli/local-runner/execute.ts';
import type { AslDefinition } from '../../../cli/local-runner/resolve-definition.ts';
import type { StepHandlers } from '../../../lambdas/handlers/create-handlers.ts';

const definition = {
  StartAt: 'RunOnTask',
  States: {
    RunOnTask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:Unknown', Payload: {} },
      End: true,
    },
  },
} as unknown as AslDefinition;

describe('a Task state without a local handler', () => {
  it('fails with NoLocalHandlerError naming the state, and calls no Lambda', async () => {
    const result = await executeLocally({
      workflow: { definition, taskSteps: {} },
      handlers: {} as StepHandlers,
      input: {},
      executionId: 'exec-unserved',
    });
    expect(result.status).toBe('FAILED');
    expect(result.failure?.error).toBe('NoLocalHandlerError');
    expect(result.failure?.cause).toContain('Task state RunOnTask has no local handler');
  });
});
