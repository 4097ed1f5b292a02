import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { approveTask } from '../../../cli/commands/approve.ts';
import { rejectTask } from '../../../cli/commands/reject.ts';
import { ExitCode } from '../../../lambdas/engine/errors.ts';
import { client, sinkForTest } from './fake-execution.ts';

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAa1b2c3d4';

describe('stepmigrate approve / reject', () => {
  it('approve sends SendTaskSuccess with who approved', async () => {
    const sfn = client();
    const mock = mockClient(sfn);
    mock.on(SendTaskSuccessCommand).resolves({});
    const sink = sinkForTest();

    const code = await approveTask(TOKEN, { by: 'carol' }, { sfn, sink });

    expect(code).toBe(ExitCode.ok);
    const input = mock.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(input.taskToken).toBe(TOKEN);
    expect(JSON.parse(input.output!)).toEqual({ approved: true, by: 'carol' });
    expect(mock.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    expect(sink.text()).toContain('approved by carol');
  });

  it('reject sends SendTaskFailure with ApprovalRejectedError and the reason as cause', async () => {
    const sfn = client();
    const mock = mockClient(sfn);
    mock.on(SendTaskFailureCommand).resolves({});

    await rejectTask(
      TOKEN,
      { reason: 'drops a column still read by v41', by: 'dave' },
      { sfn, sink: sinkForTest() },
    );

    const input = mock.commandCalls(SendTaskFailureCommand)[0]!.args[0].input;
    expect(input).toEqual({
      taskToken: TOKEN,
      error: 'ApprovalRejectedError',
      cause: 'rejected by dave: drops a column still read by v41',
    });
    expect(mock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('explains a token that is no longer waiting', async () => {
    const sfn = client();
    mockClient(sfn)
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut', $metadata: {} }));

    await expect(approveTask(TOKEN, { by: 'carol' }, { sfn, sink: sinkForTest() })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('the approval is not waiting any more'),
    });
  });

  it('names the missing IAM action when approving is denied', async () => {
    const sfn = client();
    mockClient(sfn)
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));

    await expect(approveTask(TOKEN, { by: 'carol' }, { sfn, sink: sinkForTest() })).rejects.toThrow(
      /not allowed: states:SendTaskSuccess/,
    );
  });
});
