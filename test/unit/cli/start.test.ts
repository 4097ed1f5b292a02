import { Readable } from 'node:stream';
import {
  DescribeExecutionCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { createSfnClient } from '../../../cli/aws/clients.ts';
import { startMigration } from '../../../cli/commands/start.ts';
import { ExitCode, InputError } from '../../../lambdas/engine/errors.ts';
import {
  client,
  EXECUTION_ARN,
  fakeExecution,
  noWait,
  REGION,
  runOutput,
  STATE_MACHINE_ARN,
  sinkForTest,
  Timeline,
} from './fake-execution.ts';

const NOW = () => new Date('2026-11-21T10:15:00Z');

function mockedSfn() {
  const sfn = client();
  const mock = mockClient(sfn);
  mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: NOW() });
  return { sfn, mock };
}

describe('stepmigrate start', () => {
  it('starts an execution with the input built from the flags and a readable name', async () => {
    const { sfn, mock } = mockedSfn();
    const sink = sinkForTest();

    const code = await startMigration(
      {
        stateMachine: STATE_MACHINE_ARN,
        target: '0005',
        dryRun: true,
        lockTimeoutMs: 500,
        database: 'orders-prod',
      },
      { sfn, sink, now: NOW, requester: 'alice@laptop' },
    );

    expect(code).toBe(ExitCode.ok);
    const call = mock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(JSON.parse(call.input!)).toEqual({
      target: '0005',
      dryRun: true,
      lockTimeoutMs: 500,
      database: 'orders-prod',
      requestedBy: 'alice@laptop',
    });
    expect(call.name).toMatch(/^orders-prod-0005-20261121T101500-[0-9a-f]{4}$/);
    expect(sink.text()).toContain(EXECUTION_ARN);
    expect(sink.text()).toContain(`https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}`);
  });

  it('refuses invalid input before any API call', async () => {
    const { sfn, mock } = mockedSfn();

    const attempt = startMigration(
      { stateMachine: 'orders-migrations', target: 'two words', bakeSeconds: -1 },
      { sfn, sink: sinkForTest(), requester: 'alice@laptop' },
    );

    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(/target must be .*bakeSeconds must be a whole number/);
    expect(mock.calls()).toHaveLength(0);
  });

  it('resolves a state machine name to its ARN across pages', async () => {
    const { sfn, mock } = mockedSfn();
    mock
      .on(ListStateMachinesCommand)
      .resolvesOnce({
        stateMachines: [
          {
            name: 'billing-migrations',
            stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:billing',
            type: 'STANDARD',
            creationDate: NOW(),
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        stateMachines: [
          {
            name: 'orders-migrations',
            stateMachineArn: STATE_MACHINE_ARN,
            type: 'STANDARD',
            creationDate: NOW(),
          },
        ],
      });

    await startMigration(
      { stateMachine: 'orders-migrations' },
      { sfn, sink: sinkForTest(), requester: 'ci' },
    );

    expect(mock.commandCalls(ListStateMachinesCommand)).toHaveLength(2);
    expect(mock.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(
      STATE_MACHINE_ARN,
    );
  });

  it('names the state machines it found when the name matches none', async () => {
    const { sfn, mock } = mockedSfn();
    mock.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        { name: 'billing-migrations', stateMachineArn: 'arn:x', type: 'STANDARD', creationDate: NOW() },
      ],
    });

    const attempt = startMigration({ stateMachine: 'orders' }, { sfn, sink: sinkForTest(), requester: 'ci' });

    await expect(attempt).rejects.toThrow(
      'no state machine named "orders" in eu-west-1 (found: billing-migrations)',
    );
    expect(mock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('with --wait follows the execution and exits by its result', async () => {
    const { sfn, mock } = mockedSfn();
    const output = runOutput();
    const timeline = new Timeline().started().task('Validate', 800).task('Report', 50).succeeded(output);
    fakeExecution(mock, [timeline.events], { status: 'SUCCEEDED', output: JSON.stringify(output) });
    const sink = sinkForTest();

    const code = await startMigration(
      { stateMachine: STATE_MACHINE_ARN, wait: true },
      { sfn, sink, follow: noWait, requester: 'ci' },
    );

    expect(code).toBe(ExitCode.ok);
    expect(sink.text()).toContain('✓ Validate (800 ms)');
    expect(mock.commandCalls(DescribeExecutionCommand).length).toBeGreaterThan(0);
  });

  it('explains a missing permission with the IAM action and resource', async () => {
    const { sfn, mock } = mockedSfn();
    const denied = Object.assign(
      new Error('User: arn:aws:iam::1:user/bob is not authorized to perform: states:StartExecution'),
      {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      },
    );
    mock.on(StartExecutionCommand).rejects(denied);

    const attempt = startMigration(
      { stateMachine: STATE_MACHINE_ARN },
      { sfn, sink: sinkForTest(), requester: 'ci' },
    );

    await expect(attempt).rejects.toMatchObject({
      name: 'PreflightError',
      message: expect.stringContaining(`not allowed: states:StartExecution on ${STATE_MACHINE_ARN}`),
    });
  });
});

describe('AWS client retries', () => {
  function jsonResponse(statusCode: number, body: object) {
    return {
      response: {
        statusCode,
        reason: statusCode === 200 ? 'OK' : 'Bad Request',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1' },
        body: Readable.from([Buffer.from(JSON.stringify(body))]),
      },
    };
  }

  function clientAnswering(responses: ReturnType<typeof jsonResponse>[]): {
    sfn: SFNClient;
    requests: () => number;
  } {
    let requests = 0;
    const requestHandler = {
      handle: async () => responses[Math.min(requests++, responses.length - 1)]!,
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const sfn = createSfnClient(
      { region: REGION },
      { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler },
    );
    return { sfn, requests: () => requests };
  }

  it('retries a throttled call through the real SDK retry strategy', async () => {
    const { sfn, requests } = clientAnswering([
      jsonResponse(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }),
      jsonResponse(200, { executionArn: EXECUTION_ARN, startDate: 1_795_000_000 }),
    ]);
    const sink = sinkForTest();

    const code = await startMigration({ stateMachine: STATE_MACHINE_ARN }, { sfn, sink, requester: 'ci' });

    expect(code).toBe(ExitCode.ok);
    expect(requests()).toBe(2);
    expect(sink.text()).toContain(EXECUTION_ARN);
  });

  it('explains a state machine that does not exist in one line, without retrying', async () => {
    const { sfn, requests } = clientAnswering([
      jsonResponse(400, { __type: 'StateMachineDoesNotExist', message: 'State Machine Does Not Exist' }),
    ]);

    const attempt = startMigration(
      { stateMachine: STATE_MACHINE_ARN },
      { sfn, sink: sinkForTest(), requester: 'ci' },
    );

    await expect(attempt).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`no state machine ${STATE_MACHINE_ARN}`),
    });
    expect(requests()).toBe(1);
  });
});
