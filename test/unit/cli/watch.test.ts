import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { watchExecution } from '../../../cli/commands/watch.ts';
import { ExitCode } from '../../../lambdas/engine/errors.ts';
import {
  client,
  EXECUTION_ARN,
  fakeExecution,
  noWait,
  runOutput,
  sinkForTest,
  Timeline,
} from './fake-execution.ts';

const sfnMock = mockClient(SFNClient);

beforeEach(() => {
  sfnMock.reset();
});

function successfulRun() {
  const timeline = new Timeline().started({ target: 'latest' }).task('Validate', 1200);
  const firstBatch = [...timeline.events];
  timeline
    .enter('Apply', 'Map')
    .task('ApplyMigration', 300, { run: {}, step: { version: '0004', name: 'add_status', direction: 'up' } })
    .task('ApplyMigration', 450, { run: {}, step: { version: '0005', name: 'add_email', direction: 'up' } })
    .exit('Apply', 'Map');
  const secondBatch = timeline.events.slice(firstBatch.length);
  const output = runOutput();
  timeline
    .task('Verify', 200)
    .task('Report', 90)
    .enter('Done', 'Succeed')
    .exit('Done', 'Succeed')
    .succeeded(output);
  const lastBatch = timeline.events.slice(firstBatch.length + secondBatch.length);
  return { batches: [firstBatch, secondBatch, lastBatch], output };
}

describe('stepmigrate watch', () => {
  it('prints each step with its duration and exits 0 when the run succeeded', async () => {
    const { batches, output } = successfulRun();
    const execution = fakeExecution(sfnMock, batches, {
      status: 'SUCCEEDED',
      output: JSON.stringify(output),
    });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.ok);
    const text = sink.text();
    expect(text).toContain('→ Validate');
    expect(text).toContain('✓ Validate (1.2 s)');
    expect(text).toContain('→ ApplyMigration 0004_add_status');
    expect(text).toContain('✓ ApplyMigration 0005_add_email (450 ms)');
    expect(text).toContain('succeeded: orders-prod 0003 → 0005 (2 applied)');
    expect(text).toContain(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
    // Succeed/Choice states take no time and are not worth a line.
    expect(text).not.toContain('Done');
    expect(execution.polls()).toBe(3);
    // Every event is printed once although the history was read again on each poll.
    expect(text.match(/→ Validate/g)).toHaveLength(1);
  });

  it('reads history newest-first and only down to what it already showed', async () => {
    const { batches, output } = successfulRun();
    fakeExecution(sfnMock, batches, { status: 'SUCCEEDED', output: JSON.stringify(output) });

    await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink: sinkForTest(), follow: noWait });

    const calls = sfnMock.commandCalls(GetExecutionHistoryCommand);
    expect(calls.every((call) => call.args[0].input.reverseOrder === true)).toBe(true);
    // A later poll stops paging once it reaches events from the previous poll.
    const lastPollPages = calls.slice(
      calls.findLastIndex((call) => call.args[0].input.nextToken === undefined),
    );
    expect(lastPollPages.length).toBeLessThan(Math.ceil(batches.flat().length / 3));
  });

  it('exits 1 and prints the error and cause when the run failed and was rolled back', async () => {
    const failure = runOutput({
      status: 'rolled_back',
      applied: ['0004'],
      rolledBack: ['0004'],
      error: {
        name: 'MigrationError',
        message: 'column "email" of relation "users" already exists',
        migration: '0005',
      },
    });
    const timeline = new Timeline()
      .started()
      .task('Validate', 900)
      .enter('Apply', 'Map')
      .plain('MapStateStarted')
      .task('ApplyMigration', 200)
      .enter('ApplyMigration', 'Task', {
        run: {},
        step: { version: '0005', name: 'add_email', direction: 'up' },
      })
      .scheduled()
      .failedTask('MigrationError', 'column "email" of relation "users" already exists', 120)
      .plain('MapIterationFailed')
      .plain('MapStateFailed')
      // A Catch moves straight on: the failed states never exit.
      .task('Rollback', 640)
      .enter('Report')
      .scheduled()
      .succeededTask(80)
      .exit('Report', 'Task', failure)
      .enter('Failed', 'Fail')
      .failed('MigrationError', failure.error!.message);
    // The Fail state carries the error name and message; the run report is Report's output.
    fakeExecution(sfnMock, [timeline.events], {
      status: 'FAILED',
      error: 'MigrationError',
      cause: failure.error!.message,
    });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.rolledBack);
    expect(sink.text()).toContain(
      '✗ ApplyMigration 0005_add_email failed after 120 ms: MigrationError: column "email" of relation "users" already exists',
    );
    expect(sink.text()).toMatch(/✗ Apply failed after [\d.]+ ms: MigrationError/);
    expect(sink.text()).toContain('✓ Rollback');
    expect(sink.text()).toMatch(
      /failed: MigrationError: column "email" .* — rolled back \(reverted 0004; orders-prod is at 0003\) \(exit 1\)/,
    );
  });

  it('exits 3 when the rollback failed', async () => {
    const failure = runOutput({
      status: 'rollback_failed',
      error: { name: 'RollbackFailedError', message: 'schema fingerprint differs after rollback' },
    });
    const timeline = new Timeline()
      .started()
      .task('Validate', 900)
      .enter('Rollback')
      .scheduled()
      .failedTask('RollbackFailedError', 'schema fingerprint differs after rollback', 3000)
      .exit('Rollback')
      .enter('Failed', 'Fail')
      .failed('RollbackFailedError', failure.error!.message);
    // The Fail state carries the error name and message of the run output.
    fakeExecution(sfnMock, [timeline.events], {
      status: 'FAILED',
      error: 'RollbackFailedError',
      cause: failure.error!.message,
    });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.rollbackFailed);
    expect(sink.text()).toContain('RollbackFailedError: schema fingerprint differs after rollback');
    expect(sink.text()).toContain('ROLLBACK FAILED — manual action needed');
  });

  it('shows a retried step and exits 4 when another run holds the lock', async () => {
    const timeline = new Timeline()
      .started()
      .enter('Validate')
      .scheduled()
      .failedTask('Lambda.ServiceException', 'Rate exceeded', 50)
      .scheduled()
      .failedTask(
        'LockedError',
        'orders-prod is locked by execution orders-prod-latest-20261121T101000-ffff',
        70,
      )
      .exit('Validate')
      .enter('Failed', 'Fail')
      .failed('LockedError', 'orders-prod is locked by execution orders-prod-latest-20261121T101000-ffff');
    fakeExecution(sfnMock, [timeline.events], {
      status: 'FAILED',
      error: 'LockedError',
      cause: 'orders-prod is locked by execution orders-prod-latest-20261121T101000-ffff',
    });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.locked);
    expect(sink.text()).toContain('↻ Validate retried after Lambda.ServiceException: Rate exceeded');
    expect(sink.text()).toContain('✗ Validate failed');
  });

  it('exits 1 and says Rollback did not run when the execution timed out', async () => {
    const timeline = new Timeline().started().enter('Backup').scheduled();
    fakeExecution(sfnMock, [timeline.events], { status: 'TIMED_OUT', error: 'States.Timeout' });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.rolledBack);
    expect(sink.text()).toContain('timed out');
    expect(sink.text()).toContain('without running Rollback');
  });

  it('prints the approve and reject commands while the Approval step waits', async () => {
    const token = 'AQCEAAAAKgAAAAMAAAAAAAAAAa1b2c3';
    const timeline = new Timeline()
      .started()
      .task('Validate', 500)
      .enter('Approval')
      .scheduled('arn:aws:states:::lambda:invoke.waitForTaskToken', {
        FunctionName: 'approval',
        Payload: { taskToken: token },
      });
    const waiting = [...timeline.events];
    const output = runOutput({ status: 'noop', applied: [], toVersion: '0005' });
    timeline.succeededTask(60_000).exit('Approval').succeeded(output);
    fakeExecution(sfnMock, [waiting, timeline.events.slice(waiting.length)], {
      status: 'SUCCEEDED',
      output: JSON.stringify(output),
    });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(ExitCode.ok);
    expect(sink.text()).toContain(`stepmigrate approve ${token}`);
    expect(sink.text()).toContain(`stepmigrate reject ${token}`);
    expect(sink.text()).toContain('✓ Approval (1 min 0 s)');
  });

  it('polls less often while nothing happens, and at the base interval again once it does', async () => {
    const timeline = new Timeline().started().enter('Approval').scheduled();
    const waiting = [...timeline.events];
    const output = runOutput();
    timeline.succeededTask(5000).exit('Approval').succeeded(output);
    fakeExecution(sfnMock, [waiting, [], [], [], timeline.events.slice(waiting.length)], {
      status: 'SUCCEEDED',
      output: JSON.stringify(output),
    });
    const sleeps: number[] = [];
    const follow = { pollIntervalMs: 1000, sleep: async (ms: number) => void sleeps.push(ms) };

    const code = await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink: sinkForTest(), follow });

    expect(code).toBe(0);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
  });

  it('colours the marks only when the sink is a colour terminal', async () => {
    const { batches, output } = successfulRun();
    fakeExecution(sfnMock, batches, { status: 'SUCCEEDED', output: JSON.stringify(output) });
    const sink = { ...sinkForTest(), colour: true };
    const lines: string[] = [];
    sink.out = (line: string) => void lines.push(line);

    await watchExecution(EXECUTION_ARN, {}, { sfn: client(), sink, follow: noWait });

    expect(lines).toContain('10:15:01  \u001b[32m✓\u001b[0m Validate (1.2 s)');
  });

  it('prints one JSON document with --json', async () => {
    const { batches, output } = successfulRun();
    fakeExecution(sfnMock, batches, { status: 'SUCCEEDED', output: JSON.stringify(output) });
    const sink = sinkForTest();

    const code = await watchExecution(EXECUTION_ARN, { json: true }, { sfn: client(), sink, follow: noWait });

    expect(code).toBe(0);
    expect(sink.stdout).toHaveLength(1);
    expect(JSON.parse(sink.stdout[0]!)).toMatchObject({
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      exitCode: 0,
      output: { applied: ['0004', '0005'] },
    });
  });
});
