// How Report reads the end of a run from the state the workflow hands it: status, error,
// timeline and run metrics.
import { describe, expect, it } from '@jest/globals';
import { runMetrics } from '../../../lambdas/handlers/report/run-metrics.ts';
import { parseCaught, runOutcome } from '../../../lambdas/handlers/report/run-outcome.ts';
import { buildRunOutput, stepTimeline } from '../../../lambdas/handlers/report/run-output.ts';
import type { AuditRecord } from '../../../lambdas/ports.ts';
import { runStateFor } from './fake-dependencies.ts';

const run = runStateFor('exec-1', { versions: ['0001', '0002'] }, {});
const record = (
  step: AuditRecord['step'],
  event: AuditRecord['event'],
  at: string,
  extra: Partial<AuditRecord> = {},
): AuditRecord => ({
  executionId: 'exec-1',
  database: 'fake',
  step,
  event,
  at,
  ...extra,
});

describe('runOutcome', () => {
  it('is the planned status when nothing failed', () => {
    expect(runOutcome({ run }, [])).toEqual({ status: 'succeeded' });
    expect(runOutcome({ run: { ...run, status: 'dry_run' } }, [])).toEqual({ status: 'dry_run' });
  });

  it('is failed with the Validate error when there is no run', () => {
    expect(runOutcome({ Error: 'LockedError', Cause: 'held by exec-0' }, [])).toEqual({
      status: 'failed',
      error: { name: 'LockedError', message: 'held by exec-0' },
    });
  });

  it('is rolled_back with the original error, completed from its audit record', () => {
    const audit = [
      record('Apply', 'failed', '2026-11-21T10:00:00Z', {
        error: { name: 'MigrationError', message: 'm', migration: '0002', file: '0002_x.sql', line: 3 },
      }),
    ];
    expect(
      runOutcome(
        { run, error: { Error: 'MigrationError', Cause: 'm' }, rollback: { rolledBack: ['0001'] } },
        audit,
      ),
    ).toEqual({
      status: 'rolled_back',
      error: { name: 'MigrationError', message: 'm', migration: '0002', file: '0002_x.sql', line: 3 },
    });
  });

  it('treats an Approval that timed out as a refusal (exit 2), not as a crash', () => {
    expect(runOutcome({ run, error: { Error: 'States.Timeout' } }, [])).toMatchObject({
      status: 'failed',
      error: { name: 'ApprovalRejectedError' },
    });
  });

  it('is rollback_failed with a RollbackFailedError that mentions the first failure', () => {
    const outcome = runOutcome(
      {
        run,
        error: { Error: 'VerificationFailedError', Cause: 'v' },
        rollbackError: { Error: 'Error', Cause: 'connection reset' },
      },
      [],
    );
    expect(outcome.status).toBe('rollback_failed');
    expect(outcome.error?.name).toBe('RollbackFailedError');
    expect(outcome.error?.message).toBe(
      'Error: connection reset (the run had failed with VerificationFailedError)',
    );
  });
});

describe('parseCaught', () => {
  it('reads the message out of a Lambda error cause on AWS', () => {
    const cause = JSON.stringify({
      errorType: 'LockTimeoutError',
      errorMessage: 'waited 3000 ms',
      trace: ['at x'],
    });
    expect(parseCaught({ Error: 'LockTimeoutError', Cause: cause })).toEqual({
      name: 'LockTimeoutError',
      message: 'waited 3000 ms',
    });
  });

  it('takes a plain cause as the message, and the error name when there is none', () => {
    expect(parseCaught({ Error: 'States.Timeout' })).toEqual({
      name: 'States.Timeout',
      message: 'States.Timeout',
    });
  });
});

describe('the run output', () => {
  const audit: AuditRecord[] = [
    record('Validate', 'started', '2026-11-21T10:00:00.000Z'),
    record('Validate', 'succeeded', '2026-11-21T10:00:00.100Z', { durationMs: 100 }),
    record('Apply', 'started', '2026-11-21T10:00:00.100Z', { migrations: ['0001'] }),
    record('Apply', 'failed', '2026-11-21T10:00:00.300Z', {
      migrations: ['0001'],
      durationMs: 200,
      error: { name: 'LockTimeoutError', message: 'l' },
    }),
    record('Apply', 'started', '2026-11-21T10:00:00.400Z', { migrations: ['0001'] }),
    record('Apply', 'succeeded', '2026-11-21T10:00:00.450Z', { migrations: ['0001'], durationMs: 50 }),
  ].reverse();

  it('has one timeline entry per finished invocation, in the order they started', () => {
    expect(stepTimeline(audit)).toEqual([
      { name: 'Validate', status: 'succeeded', startedAt: '2026-11-21T10:00:00.000Z', durationMs: 100 },
      { name: 'Apply 0001', status: 'failed', startedAt: '2026-11-21T10:00:00.100Z', durationMs: 200 },
      { name: 'Apply 0001', status: 'succeeded', startedAt: '2026-11-21T10:00:00.400Z', durationMs: 50 },
    ]);
  });

  it('lists what was applied even when the Map failed before returning', () => {
    const output = buildRunOutput({
      executionId: 'exec-1',
      database: 'fake',
      audit,
      state: { run, error: { Error: 'MigrationError', Cause: 'x' }, rollback: { rolledBack: ['0001'] } },
    });
    expect(output).toMatchObject({ status: 'rolled_back', applied: ['0001'], rolledBack: ['0001'] });
  });

  it('counts retried lock timeouts and reports every outcome counter', () => {
    const output = buildRunOutput({
      executionId: 'exec-1',
      database: 'fake',
      audit,
      state: { run, applied: [] },
    });
    const metrics = Object.fromEntries(
      runMetrics({ output, audit, now: new Date() }).map((m) => [m.name, m.value]),
    );
    expect(metrics).toMatchObject({
      RunSucceeded: 1,
      RunFailed: 0,
      RolledBack: 0,
      RollbackFailed: 0,
      LockRetries: 1,
      BackupBytes: 0,
    });
  });
});
