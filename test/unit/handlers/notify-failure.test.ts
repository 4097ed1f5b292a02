// The EventBridge rule's notifier: from a failed execution's status event and its history to
// the message that reaches the topic. The history client is the real adapter over a mocked
// SFN client, so the request it makes (reverse order, with data) is checked too.

import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnExecutionHistory } from '../../../lambdas/adapters/sfn-execution-history.ts';
import type { FailureMessage } from '../../../lambdas/engine/notifications/failure-message.ts';
import type { RunOutput } from '../../../lambdas/engine/run-state.ts';
import {
  type ExecutionStatusEvent,
  makeNotifyFailureHandler,
} from '../../../lambdas/handlers/notify-failure.ts';

const EXECUTION_ARN = 'arn:aws-cn:states:cn-north-1:123456789012:execution:orders-migrations:orders-run-7';

const rolledBack: RunOutput = {
  status: 'rolled_back',
  executionId: EXECUTION_ARN,
  database: 'orders',
  fromVersion: '0003',
  toVersion: '0005',
  applied: ['0004'],
  rolledBack: ['0004'],
  plan: { pending: ['0004', '0005'], findings: [], findingsTotal: 0 },
  steps: [],
  error: { name: 'MigrationError', message: 'relation "app.users" does not exist', migration: '0005' },
};

function statusEvent(
  status: string,
  extra: Partial<ExecutionStatusEvent['detail']> = {},
): ExecutionStatusEvent {
  return {
    'detail-type': 'Step Functions Execution Status Change',
    detail: {
      executionArn: EXECUTION_ARN,
      name: 'orders-run-7',
      status,
      stopDate: 1_795_000_000_000,
      ...extra,
    },
  };
}

/** A notifier whose history read returns `events`, or fails with the error given instead. */
function notifierOver(events: object[] | Error) {
  const sfn = mockClient(SFNClient);
  if (events instanceof Error) sfn.on(GetExecutionHistoryCommand).rejects(events);
  else sfn.on(GetExecutionHistoryCommand).resolves({ events: events as never });
  const published: FailureMessage[] = [];
  const history = new SfnExecutionHistory({ client: new SFNClient({ region: 'cn-north-1' }) });
  const handler = makeNotifyFailureHandler({
    database: 'orders',
    history: (arn) => history.newestEvents(arn),
    publish: async (message) => {
      published.push(message);
    },
    log: () => undefined,
  });
  return { handler, published, sfn };
}

describe('notify-failure', () => {
  it("publishes the Report's account of a failed run: database, migration, error, outcome and console link", async () => {
    const { handler, published, sfn } = notifierOver([
      { type: 'ExecutionFailed', id: 9 },
      { type: 'FailStateEntered', id: 8, stateEnteredEventDetails: { name: 'Failed', input: '{}' } },
      {
        type: 'TaskStateExited',
        id: 7,
        stateExitedEventDetails: { name: 'Report', output: JSON.stringify(rolledBack) },
      },
    ]);

    await handler(
      statusEvent('FAILED', { error: 'MigrationError', cause: 'relation "app.users" does not exist' }),
    );

    expect(published).toHaveLength(1);
    const { subject, text } = published[0]!;
    expect(subject).toBe('[stepmigrate] orders: migration 0005 failed and was rolled back');
    expect(text).toMatch(/Database: +orders\n/);
    expect(text).toMatch(/Failed migration: +0005\n/);
    expect(text).toContain('MigrationError: relation "app.users" does not exist');
    expect(text).toMatch(/Rolled back: +0004\n/);
    expect(text).toContain(
      `https://console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({
      executionArn: EXECUTION_ARN,
      reverseOrder: true,
      includeExecutionData: true,
    });
  });

  it('says a rollback failed loudly', async () => {
    const { handler, published } = notifierOver([
      {
        type: 'TaskStateExited',
        stateExitedEventDetails: {
          name: 'Report',
          output: JSON.stringify({ ...rolledBack, status: 'rollback_failed', rolledBack: [] }),
        },
      },
    ]);

    await handler(statusEvent('FAILED'));

    expect(published[0]!.subject).toBe(
      '[stepmigrate] orders: migration 0005 ROLLBACK FAILED - manual action needed',
    );
  });

  it('names the migration that was running when an execution timed out, and that rollback did not run', async () => {
    const { handler, published } = notifierOver([
      { type: 'ExecutionTimedOut' },
      {
        type: 'TaskStateEntered',
        stateEnteredEventDetails: {
          name: 'ApplyMigration',
          input: JSON.stringify({ step: { version: '0005' } }),
        },
      },
      {
        type: 'TaskStateEntered',
        stateEnteredEventDetails: {
          name: 'ApplyMigration',
          input: JSON.stringify({ step: { version: '0004' } }),
        },
      },
    ]);

    await handler(statusEvent('TIMED_OUT'));

    const { subject, text } = published[0]!;
    expect(subject).toBe('[stepmigrate] orders: migration 0005 timed out');
    expect(text).toContain('States.TIMED_OUT: the execution ended TIMED_OUT');
    expect(text).toContain('Rollback did NOT run');
  });

  it('never claims "nothing was changed" for a failure it has no report of', async () => {
    const { handler, published } = notifierOver([
      { type: 'TaskStateExited', stateExitedEventDetails: { name: 'Report', output: '{"status":"rolled_b' } },
    ]);

    await handler(statusEvent('FAILED', { error: 'States.Runtime', cause: 'boom' }));

    expect(published[0]!.text).toContain('States.Runtime: boom');
    expect(published[0]!.text).not.toContain('Nothing was changed');
    expect(published[0]!.text).toContain('whether it rolled back');
  });

  it('still publishes when the history cannot be read', async () => {
    const { handler, published } = notifierOver(new Error('AccessDeniedException'));

    await handler(statusEvent('ABORTED'));

    expect(published[0]!.subject).toBe('[stepmigrate] orders: run was stopped by hand');
  });
});
