// A lease held by an AWS execution: DescribeExecution says whether it still runs.
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnExecutionLiveness } from '../../../lambdas/adapters/sfn-execution-liveness.ts';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:Migrate:run-1';
const holder = { owner: ARN, expiresAt: '2030-01-01T00:00:00.000Z' };

function liveness(answer: (mock: ReturnType<typeof mockClient>) => void) {
  const client = new SFNClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(client);
  answer(mock);
  return { check: new SfnExecutionLiveness(client), mock };
}

describe('SfnExecutionLiveness', () => {
  it('is running while the execution is RUNNING, and gone once it ended', async () => {
    for (const [status, running] of [
      ['RUNNING', true],
      ['FAILED', false],
      ['ABORTED', false],
      ['TIMED_OUT', false],
      ['SUCCEEDED', false],
    ] as const) {
      const { check, mock } = liveness((m) => m.on(DescribeExecutionCommand).resolves({ status }));
      await expect(check.isRunning(holder)).resolves.toBe(running);
      expect(mock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: ARN });
    }
  });

  it('cannot tell without permission, and never asks about an owner that is no execution', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const { check, mock } = liveness((m) => m.on(DescribeExecutionCommand).rejects(denied));
    await expect(check.isRunning(holder)).resolves.toBeUndefined();
    await expect(
      check.isRunning({ ...holder, owner: 'local-20261201T000000Z-abc' }),
    ).resolves.toBeUndefined();
    expect(mock.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('treats an execution Step Functions no longer knows as gone', async () => {
    const missing = Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
    const { check } = liveness((m) => m.on(DescribeExecutionCommand).rejects(missing));
    await expect(check.isRunning(holder)).resolves.toBe(false);
  });
});
