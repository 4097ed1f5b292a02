// `stepmigrate run` end to end on a real PostgreSQL: the synthesized definition, the real
// handlers, engine and local adapters. Each case checks what a user would look at after
// the run: the database, the exit code, the audit log and the metrics.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { ExecutionEvent } from '../../cli/local-runner/execute.ts';
import { type LocalRunResult, runWorkflowLocally } from '../../cli/local-runner/run-workflow.ts';
import type { LocalApprovalMode } from '../../lambdas/adapters/local-approval.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalMetrics, type RecordedMetric } from '../../lambdas/adapters/local-metrics.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { ensureHistory, readHistory } from '../../lambdas/engine/history.ts';
import type { AuditRecord } from '../../lambdas/ports.ts';
import { migration } from '../support/engine.ts';
import { useLocalRunProject, WORKFLOW_CACHE_DIR } from './local-run-project.ts';

const createAccounts = migration({
  up: 'CREATE SCHEMA app;\nCREATE TABLE app.accounts (id bigint PRIMARY KEY, name text NOT NULL);',
  down: 'DROP TABLE app.accounts;\nDROP SCHEMA app;',
  verify: 'SELECT id, name FROM app.accounts WHERE false;',
});
const addEmail = migration({
  up: 'ALTER TABLE app.accounts ADD COLUMN email text;',
  down: 'ALTER TABLE app.accounts DROP COLUMN email;',
  verify: 'SELECT email FROM app.accounts WHERE false;',
});
const createNotes = migration({
  up: 'CREATE TABLE app.notes (id bigint PRIMARY KEY, body text);',
  down: 'DROP TABLE app.notes;',
  verify: 'SELECT id, body FROM app.notes WHERE false;',
});
const threeMigrations = {
  '0001_create_accounts.sql': createAccounts,
  '0002_add_email.sql': addEmail,
  '0003_create_notes.sql': createNotes,
};

const project = useLocalRunProject('local_run', 'stepmigrate-e2e-', { asMasterUser: true });

async function run(
  files: Record<string, string>,
  input: Record<string, unknown> = {},
  approval: LocalApprovalMode = 'refuse',
  onEvent?: (event: ExecutionEvent) => void,
): Promise<LocalRunResult> {
  return runWorkflowLocally({
    projectDir: project.projectDir,
    migrationsDir: await project.migrations(files),
    databaseUrl: project.database.url,
    approval,
    input: { requestedBy: 'e2e', ...input },
    cacheDir: WORKFLOW_CACHE_DIR,
    retryPauseMs: 300,
    onEvent,
  });
}

async function appTables(): Promise<string[]> {
  const { rows } = await project.database.db.withConnection((conn) =>
    conn.query<{ name: string }>(
      "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1",
    ),
  );
  return rows.map((r) => r.name);
}

async function appliedVersions(): Promise<string[]> {
  const history = await project.database.db.withConnection((conn) =>
    readHistory(conn, 'stepmigrate').catch(() => []),
  );
  return history.filter((r) => r.state === 'applied').map((r) => r.version);
}

const audit = (executionId: string): Promise<AuditRecord[]> =>
  LocalAuditLog.forProject(project.projectDir).list({ executionId });
const metrics = (): Promise<RecordedMetric[]> => LocalMetrics.forProject(project.projectDir).readAll();
const metric = async (name: string) => (await metrics()).filter((m) => m.name === name).map((m) => m.value);
const events = (records: AuditRecord[]) => records.map((r) => `${r.step}:${r.event}`).reverse();

describe('stepmigrate run (local)', () => {
  it('applies every pending migration through the workflow and records each step', async () => {
    const result = await run(threeMigrations);
    expect(result.output).toMatchObject({
      status: 'succeeded',
      applied: ['0001', '0002', '0003'],
      fromVersion: '0',
      toVersion: '0003',
    });
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(await appTables()).toEqual(['app.accounts', 'app.notes']);
    expect(await appliedVersions()).toEqual(['0001', '0002', '0003']);

    const records = await audit(result.executionId);
    expect(events(records)).toEqual([
      'Validate:started',
      'Validate:succeeded',
      'Backup:started',
      'Backup:succeeded',
      'Apply:started',
      'Apply:succeeded',
      'Apply:started',
      'Apply:succeeded',
      'Apply:started',
      'Apply:succeeded',
      'Verify:started',
      'Verify:succeeded',
      'Report:started',
      'Report:succeeded',
    ]);
    const firstApply = records.reverse().find((r) => r.step === 'Apply' && r.event === 'succeeded');
    expect(firstApply).toMatchObject({
      migrations: ['0001'],
      requestedBy: 'e2e',
      database: project.database.name,
    });
    expect(firstApply?.checksums?.['0001']).toMatch(/^[0-9a-f]{64}$/);
    expect(firstApply?.durationMs).toBeGreaterThanOrEqual(0);

    expect(await metric('RunSucceeded')).toEqual([1]);
    expect(await metric('MigrationsApplied')).toEqual([3]);
    const stepDimensions = (await metrics())
      .filter((m) => m.name === 'StepDurationMs')
      .map((m) => m.dimensions.Step);
    expect(new Set(stepDimensions)).toEqual(new Set(['Validate', 'Backup', 'Apply', 'Verify', 'Report']));
    expect(result.output?.steps.map((s) => s.name)).toEqual([
      'Validate',
      'Backup',
      'Apply 0001',
      'Apply 0002',
      'Apply 0003',
      'Verify',
    ]);
  });

  it('is a noop the second time', async () => {
    await run(threeMigrations);
    const second = await run(threeMigrations);
    expect(second.output?.status).toBe('noop');
    expect(second.exitCode).toBe(ExitCode.ok);
    expect(events(await audit(second.executionId))).toEqual([
      'Validate:started',
      'Validate:succeeded',
      'Report:started',
      'Report:succeeded',
    ]);
  });

  it('changes nothing on a dry run', async () => {
    const result = await run(threeMigrations, { dryRun: true });
    expect(result.output).toMatchObject({ status: 'dry_run', applied: [] });
    expect(result.output?.plan.pending).toEqual(['0001', '0002', '0003']);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(await appTables()).toEqual([]);
    expect(await appliedVersions()).toEqual([]);
    const report = (await audit(result.executionId)).find(
      (r) => r.step === 'Report' && r.event === 'succeeded',
    );
    expect(report?.detail).toMatchObject({ status: 'dry_run', applied: [] });
    expect(await metric('RunSucceeded')).toEqual([1]);
    expect(await metric('MigrationsApplied')).toEqual([0]);
  });

  it('rolls back everything when the middle one of three migrations fails (exit 1)', async () => {
    const result = await run({
      ...threeMigrations,
      // Fails only when it runs: name is NOT NULL.
      '0002_add_email.sql': migration({
        up: 'INSERT INTO app.accounts (id, name) VALUES (1, NULL);',
        down: 'DELETE FROM app.accounts WHERE id = 1;',
      }),
    });
    expect(result.output).toMatchObject({ status: 'rolled_back', applied: ['0001'], rolledBack: ['0001'] });
    expect(result.output?.error).toMatchObject({ name: 'MigrationError', migration: '0002' });
    expect(result.failure?.error).toBe('MigrationError');
    expect(result.exitCode).toBe(ExitCode.rolledBack);
    expect(await appTables()).toEqual([]);
    expect(await appliedVersions()).toEqual([]);
    const records = await audit(result.executionId);
    expect(events(records)).toContain('Rollback:succeeded');
    expect(records.find((r) => r.step === 'Apply' && r.event === 'failed')?.error).toMatchObject({
      name: 'MigrationError',
    });
    expect(await metric('RolledBack')).toEqual([1]);
    expect(await metric('RunFailed')).toEqual([1]);
  });

  it('rolls back when a verify section fails', async () => {
    const result = await run({
      '0001_create_accounts.sql': createAccounts,
      '0002_add_email.sql': migration({
        up: 'ALTER TABLE app.accounts ADD COLUMN email text;',
        down: 'ALTER TABLE app.accounts DROP COLUMN email;',
        verify: 'SELECT e_mail FROM app.accounts WHERE false;',
      }),
    });
    expect(result.output?.status).toBe('rolled_back');
    expect(result.output?.error?.name).toBe('VerificationFailedError');
    expect(result.exitCode).toBe(ExitCode.rolledBack);
    expect(await appTables()).toEqual([]);
    const records = await audit(result.executionId);
    expect(records.find((r) => r.step === 'Verify' && r.event === 'failed')?.error?.name).toBe(
      'VerificationFailedError',
    );
    expect(events(records)).toContain('Rollback:succeeded');
    expect(await metric('RolledBack')).toEqual([1]);
    const verifyErrors = (await metrics()).filter(
      (m) => m.name === 'StepErrors' && m.dimensions.Step === 'Verify',
    );
    expect(verifyErrors).toHaveLength(1);
  });

  it('retries a migration blocked by another session’s lock, and succeeds once it is released', async () => {
    await run({ '0001_create_accounts.sql': createAccounts });
    const holder = new pg.Client({ connectionString: project.database.url });
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM app.accounts');
    let released: Promise<unknown> | undefined;
    // The other session lets go only once the migration has given up on the lock.
    const releaseAfterLockTimeout = (event: ExecutionEvent) => {
      if (event.type === 'StateFailed' && event.Error === 'LockTimeoutError')
        released ??= holder.query('ROLLBACK');
    };
    try {
      const result = await run(
        { '0001_create_accounts.sql': createAccounts, '0002_add_email.sql': addEmail },
        { lockTimeoutMs: 200 },
        'refuse',
        releaseAfterLockTimeout,
      );
      expect(released).toBeDefined();
      expect(result.output?.status).toBe('succeeded');
      expect(result.output?.applied).toEqual(['0002']);
      const lockFailures = (await audit(result.executionId)).filter(
        (r) => r.error?.name === 'LockTimeoutError',
      );
      expect(lockFailures.length).toBeGreaterThanOrEqual(1);
      expect(lockFailures[0]?.error?.message).toContain('app.accounts');
      expect((await metric('LockRetries')).at(-1)).toBe(lockFailures.length);
    } finally {
      await released;
      await holder.end();
    }
  });

  it('stops before any change when the approval is refused (exit 2)', async () => {
    const result = await run(threeMigrations, { requireApproval: true }, 'refuse');
    expect(result.output).toMatchObject({ status: 'failed', error: { name: 'ApprovalRejectedError' } });
    expect(result.exitCode).toBe(ExitCode.refused);
    expect(await appTables()).toEqual([]);
    expect(events(await audit(result.executionId))).toContain('Approval:failed');
    expect(events(await audit(result.executionId))).not.toContain('Backup:started');
    expect(await metric('RunFailed')).toEqual([1]);
    expect(await metric('RolledBack')).toEqual([0]);
    // The lease is given back: the next run is not locked out.
    expect((await run(threeMigrations, { requireApproval: true }, 'approve')).output?.status).toBe(
      'succeeded',
    );
  });

  it('rolls back when a watched alarm is in ALARM during Bake', async () => {
    await mkdir(join(project.projectDir, '.stepmigrate'), { recursive: true });
    const alarms = { HighErrorRate: 'ALARM', Latency: 'OK' };
    await writeFile(join(project.projectDir, '.stepmigrate', 'alarms.json'), JSON.stringify(alarms));
    const result = await run(threeMigrations, { bakeSeconds: 1 });
    expect(result.output?.status).toBe('rolled_back');
    expect(result.output?.error).toMatchObject({ name: 'BakeAlarmError' });
    expect(result.output?.error?.message).toContain('HighErrorRate');
    expect(result.output?.error?.message).not.toContain('Latency');
    expect(await appTables()).toEqual([]);
    const records = await audit(result.executionId);
    expect(records.find((r) => r.step === 'Bake' && r.event === 'failed')?.error?.name).toBe(
      'BakeAlarmError',
    );
    expect(await metric('RolledBack')).toEqual([1]);
  });

  it('fails fast with exit 4 while another run holds the lease, and changes nothing', async () => {
    const otherRun = new PostgresLease(project.database.db, 'stepmigrate');
    // The other run's engine created the history schema (and the lease table) before its lease.
    await project.database.db.withConnection((conn) => ensureHistory(conn, 'stepmigrate'));
    await otherRun.acquire(project.database.name, 'exec-other', 60_000);
    try {
      const result = await run(threeMigrations);
      expect(result.output).toMatchObject({ status: 'failed', error: { name: 'LockedError' } });
      expect(result.output?.error?.message).toContain('exec-other');
      expect(result.exitCode).toBe(ExitCode.locked);
      expect(await appTables()).toEqual([]);
    } finally {
      await otherRun.release(project.database.name, 'exec-other');
    }
  });
});
