// The synthesized definition executed by the local runner with scripted engine steps:
// which path a run takes for each kind of failure, what it reports, and how it ends.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../cli/local-runner/definition-cache.ts';
import { type ExecutionEvent, executeLocally } from '../../cli/local-runner/execute.ts';
import { type SynthesizedWorkflow, synthesizeWorkflow } from '../../cli/local-runner/synthesize.ts';
import {
  BackupError,
  ExitCode,
  exitCodeForRun,
  InputError,
  LockTimeoutError,
  MigrationError,
  RollbackFailedError,
  VerificationFailedError,
} from '../../lambdas/engine/errors.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { type FakeScript, fakeDependencies } from '../unit/handlers/fake-dependencies.ts';

let workflow: SynthesizedWorkflow;

beforeAll(() => {
  workflow = synthesizeWorkflow(join(PROJECT_ROOT, 'migrations'));
});

async function run(
  script: FakeScript,
  input: Record<string, unknown> = {},
  onEvent: (event: ExecutionEvent) => void = () => undefined,
  interrupt?: AbortSignal,
) {
  const fake = fakeDependencies(script);
  const events: ExecutionEvent[] = [];
  const result = await executeLocally({
    workflow,
    handlers: createHandlers(fake.deps),
    input,
    executionId: 'exec-test',
    retryPauseMs: 1,
    interrupt,
    onEvent: (event) => {
      events.push(event);
      onEvent(event);
    },
  });
  const entered = events
    .filter((e) => e.type === 'StateEntered')
    .map((e) => ('state' in e ? e.state.name : ''));
  return { ...fake, result, entered, output: result.output, exitCode: exitCodeForRun(result.output) };
}

describe('local execution of the synthesized workflow', () => {
  it('applies every migration in order and succeeds', async () => {
    const { result, output, applied, calls, exitCode } = await run({ versions: ['0001', '0002', '0003'] });
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toMatchObject({ status: 'succeeded', applied: ['0001', '0002', '0003'], rolledBack: [] });
    expect(applied).toEqual(['0001', '0002', '0003']);
    expect(calls).toMatchObject({
      validateRun: 1,
      backupRun: 1,
      applyPlanStep: 3,
      verifyRun: 1,
      releaseRun: 1,
    });
    expect(calls.rollbackRun).toBeUndefined();
    expect(exitCode).toBe(ExitCode.ok);
  });

  it('goes straight from Validate to Report when there is nothing to do', async () => {
    const { output, entered, exitCode } = await run({ versions: [] });
    expect(output?.status).toBe('noop');
    expect(entered).not.toContain('Backup');
    expect(exitCode).toBe(ExitCode.ok);
  });

  it('rolls back everything applied when a migration in the middle fails, and fails with its error', async () => {
    const failure = new MigrationError('syntax error at or near "TABEL"', { migration: '0002' });
    const { result, output, entered, exitCode } = await run({
      versions: ['0001', '0002', '0003'],
      failures: { applyPlanStep: { 2: failure } },
    });
    expect(entered).toContain('Rollback');
    expect(output).toMatchObject({ status: 'rolled_back', applied: ['0001'], rolledBack: ['0001'] });
    expect(output?.error).toEqual({ name: 'MigrationError', message: failure.message, migration: '0002' });
    expect(result.failure).toEqual({ error: 'MigrationError', cause: failure.message });
    expect(exitCode).toBe(ExitCode.rolledBack);
  });

  it('retries a migration that timed out on a lock, then carries on', async () => {
    const { output, calls, metrics, auditLog } = await run({
      failures: { applyPlanStep: { 1: new LockTimeoutError('lock'), 2: new LockTimeoutError('lock') } },
    });
    expect(output?.status).toBe('succeeded');
    expect(calls.applyPlanStep).toBe(4);
    expect(metrics.find((m) => m.name === 'LockRetries')?.value).toBe(2);
    const failures = auditLog.records.filter((r) => r.step === 'Apply' && r.event === 'failed');
    expect(failures.map((r) => r.error?.name)).toEqual(['LockTimeoutError', 'LockTimeoutError']);
  });

  it.each([
    ['Backup', { backupRun: { 1: new BackupError('disk full') } }, 'BackupError'],
    ['Verify', { verifyRun: { 1: new VerificationFailedError('index invalid') } }, 'VerificationFailedError'],
  ] as const)('rolls back when %s fails', async (_step, failures, name) => {
    const { output, exitCode } = await run({ failures });
    expect(output?.status).toBe('rolled_back');
    expect(output?.error?.name).toBe(name);
    expect(exitCode).toBe(ExitCode.rolledBack);
  });

  it('rolls back when a watched alarm fires during Bake, naming the alarm', async () => {
    const { output, entered } = await run({ bakeSeconds: 1, alarms: ['HighErrors'] });
    expect(entered).toContain('Bake');
    expect(output?.status).toBe('rolled_back');
    expect(output?.error).toMatchObject({ name: 'BakeAlarmError' });
    expect(output?.error?.message).toContain('HighErrors');
  });

  it('reports a failed rollback as rollback_failed (exit 3)', async () => {
    const { output, exitCode, metrics } = await run({
      failures: {
        applyPlanStep: { 2: new MigrationError('boom') },
        rollbackRun: { 1: new Error('connection reset') },
      },
    });
    expect(output?.status).toBe('rollback_failed');
    expect(output?.error?.name).toBe('RollbackFailedError');
    expect(output?.error?.message).toContain('connection reset');
    expect(metrics.find((m) => m.name === 'RollbackFailed')?.value).toBe(1);
    expect(exitCode).toBe(ExitCode.rollbackFailed);
  });

  it('keeps a RollbackFailedError from the engine as it is', async () => {
    const { output } = await run({
      failures: {
        verifyRun: { 1: new VerificationFailedError('x') },
        rollbackRun: { 1: new RollbackFailedError('fingerprint differs') },
      },
    });
    expect(output?.error?.message).toContain('fingerprint differs');
  });

  it('refuses at Validate without touching anything (exit 2)', async () => {
    const { result, output, calls, entered, exitCode } = await run({
      failures: { validateRun: { 1: new InputError('unknown field "targte"') } },
    });
    expect(entered).not.toContain('Backup');
    expect(calls.rollbackRun).toBeUndefined();
    expect(output).toMatchObject({ status: 'failed', error: { name: 'InputError' } });
    expect(result.failure?.error).toBe('InputError');
    expect(exitCode).toBe(ExitCode.refused);
  });

  it('stops before Backup when the approval is refused (exit 2)', async () => {
    const { output, approvals, calls, exitCode } = await run({ requireApproval: true, approve: false });
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.taskToken).toContain('exec-test');
    expect(calls.backupRun).toBeUndefined();
    expect(output?.status).toBe('failed');
    expect(exitCode).toBe(ExitCode.refused);
  });

  it('continues after an approval', async () => {
    const { output, approvals } = await run({ requireApproval: true, approve: true });
    expect(approvals).toHaveLength(1);
    expect(output?.status).toBe('succeeded');
  });

  it('finishes the current step after an interrupt, then rolls back and reports', async () => {
    const interrupt = new AbortController();
    const { output, applied, calls } = await run(
      { versions: ['0001', '0002', '0003'] },
      {},
      (event) => {
        if (event.type === 'StateEntered' && 'state' in event && event.state.name === 'ApplyMigration')
          interrupt.abort();
      },
      interrupt.signal,
    );
    expect(calls.applyPlanStep).toBe(1);
    expect(calls.rollbackRun).toBe(1);
    expect(applied).toEqual([]);
    expect(output).toMatchObject({
      status: 'rolled_back',
      error: { name: 'InterruptedError' },
      rolledBack: ['0001'],
    });
  });
});
