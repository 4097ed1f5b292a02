// `stepmigrate repair` on a real PostgreSQL: a dirty migration, marked after a person fixed
// the database, lets the next run go on, and the decision lands in the audit log.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repairCommand } from '../../cli/commands/repair.ts';
import { bufferSink } from '../../cli/sink.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import type { AuditLog, AuditRecord } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;

beforeAll(async () => {
  database = await createTestDatabase('repair');
  directory = await migrationDirectory({
    '0001_users.sql': migration({
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.users (id bigint PRIMARY KEY, email text);',
      down: 'DROP TABLE app.users;\nDROP SCHEMA app;',
    }),
    '0002_index.sql': migration({
      up: 'CREATE INDEX CONCURRENTLY users_email_idx ON app.users (emial);',
      upOptions: 'transaction:false',
      down: 'DROP INDEX CONCURRENTLY app.users_email_idx;',
      downOptions: 'transaction:false',
    }),
  });
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});

function memoryAudit(): AuditLog & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { records, append: async (r) => void records.push(r), list: async () => [...records].reverse() };
}

describe('repair', () => {
  it('marks a dirty migration rolled back, audits the decision, and the next run goes on', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, {}, 'exec-dirty');
    await applyPlanStep(ctx, run, run.plan.steps[0]!);
    await expect(applyPlanStep(ctx, run, run.plan.steps[1]!)).rejects.toMatchObject({
      name: 'MigrationError',
    });
    await releaseRun(ctx, run);
    await expect(validateRun(ctx, {}, 'exec-next')).rejects.toMatchObject({ name: 'DirtyStateError' });

    const sink = bufferSink();
    const audit = memoryAudit();
    const options = {
      migrations: directory.path,
      databaseUrl: database.url,
      reason: 'checked: no index was created',
    };
    await expect(
      repairCommand('0002', { ...options, mark: 'applied', acceptChecksum: true }, sink, audit),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
    await repairCommand('0002', { ...options, mark: 'rolled_back' }, sink, audit);

    expect(sink.text()).toContain('0002_index marked rolled_back (was dirty)');
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ step: 'Repair', event: 'repaired', migrations: ['0002'] });
    expect(audit.records[0]?.detail).toMatchObject({ reason: 'checked: no index was created' });
    const row = (await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'))).find(
      (r) => r.version === '0002',
    );
    expect(row).toMatchObject({
      state: 'rolled_back',
      message: expect.stringContaining('checked: no index was created'),
    });

    const next = await validateRun(ctx, {}, 'exec-after-repair');
    expect(next.plan.steps.map((s) => s.version)).toEqual(['0002']);
    await releaseRun(ctx, next);
  });

  it('refuses to mark a migration that is not dirty', async () => {
    const sink = bufferSink();
    await expect(
      repairCommand(
        '0001',
        { migrations: directory.path, databaseUrl: database.url, mark: 'rolled_back', reason: 'x' },
        sink,
        memoryAudit(),
      ),
    ).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('not dirty') });
  });
});
