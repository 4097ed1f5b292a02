// `stepmigrate baseline`: a database already at a version, with no history at all, starts
// being managed from there — and a database that has any history is never baselined over.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { baselineCommand } from '../../cli/commands/baseline.ts';
import { baselineDatabase } from '../../lambdas/engine/adopt/baseline.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import type { AuditRecord } from '../../lambdas/ports.ts';
import { createTestDatabase } from '../support/database.ts';
import { engineContext, migration, migrationDirectory } from '../support/engine.ts';
import { useProjectDatabase } from '../support/project-database.ts';

const database = useProjectDatabase(
  'baseline',
  'DROP SCHEMA IF EXISTS stepmigrate, crm CASCADE; DROP TABLE IF EXISTS public.schema_migrations',
);

const files = {
  '0001_create_crm.sql': migration({ up: 'CREATE SCHEMA crm;', down: 'DROP SCHEMA crm;' }),
  '0002_create_contacts.sql': migration({
    up: 'CREATE TABLE crm.contacts (id bigint PRIMARY KEY, name text NOT NULL);',
    down: 'DROP TABLE crm.contacts;',
  }),
  '0003_add_contacts_phone.sql': migration({
    up: 'ALTER TABLE crm.contacts ADD COLUMN phone text;',
    down: 'ALTER TABLE crm.contacts DROP COLUMN phone;',
  }),
};

async function withProject(test: (ctx: EngineContext, directory: string) => Promise<void>) {
  const directory = await migrationDirectory(files);
  try {
    await test(await engineContext(database.db, directory.path), directory.path);
  } finally {
    await directory.remove();
  }
}

const schemaAt0002 =
  'CREATE SCHEMA crm; CREATE TABLE crm.contacts (id bigint PRIMARY KEY, name text NOT NULL)';

describe('baseline', () => {
  it('records the migrations up to the version as applied, runs none, and the next run applies the rest', () =>
    withProject(async (ctx) => {
      await database.db.withConnection((conn) => conn.query(schemaAt0002));
      const result = await baselineDatabase(ctx, { version: '2', reason: 'restored from the 2024 dump' });
      expect(result.recorded).toEqual(['0001', '0002']);
      const rows = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
      expect(rows.map((r) => [r.version, r.state])).toEqual([
        ['0001', 'applied'],
        ['0002', 'applied'],
      ]);
      expect(rows[0]!.message).toContain('restored from the 2024 dump');

      const state = await validateRun(ctx, {}, 'exec-after-baseline');
      expect(state.plan.steps.map((s) => s.version)).toEqual(['0003']);
      await applyPlanStep(ctx, state, state.plan.steps[0]!);
      await releaseRun(ctx, state);
    }));

  it('refuses a database that already has a history, an unknown version, and another tool’s history', () =>
    withProject(async (ctx) => {
      await database.db.withConnection((conn) => conn.query(schemaAt0002));
      await expect(baselineDatabase(ctx, { version: '0009' })).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('target "0009" is not a migration'),
      });
      await expect(baselineDatabase(ctx, { version: '0' })).rejects.toMatchObject({ name: 'InputError' });
      await database.db.withConnection((conn) =>
        conn.query(
          "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('0001')",
        ),
      );
      await expect(baselineDatabase(ctx, { version: '0002' })).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('the first run imports it'),
      });
      await database.db.withConnection((conn) => conn.query('DROP TABLE schema_migrations'));
      await baselineDatabase(ctx, { version: '0001' });
      await expect(baselineDatabase(ctx, { version: '0002' })).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('already has a history'),
      });
    }));

  it('as a command, writes the decision to the audit log', async () => {
    const target = await createTestDatabase('baseline_cli');
    const directory = await migrationDirectory(files);
    try {
      const audit: AuditRecord[] = [];
      const lines: string[] = [];
      const code = await baselineCommand(
        {
          version: '0001',
          reason: 'schema made by hand',
          migrations: directory.path,
          databaseUrl: target.url,
        },
        { out: (line) => lines.push(line), err: () => {}, colour: false },
        { append: async (record) => void audit.push(record), list: async () => [] },
      );
      expect(code).toBe(0);
      expect(lines.join('\n')).toContain('1 migration(s) up to 0001_create_crm recorded as applied');
      expect(audit).toEqual([
        expect.objectContaining({
          migrations: ['0001'],
          detail: expect.objectContaining({ reason: 'schema made by hand' }),
        }),
      ]);
    } finally {
      await directory.remove();
      await target.drop();
    }
  });

  it('as a command, writes to the audit log of the project, not of the folder it was started from', async () => {
    const target = await createTestDatabase('baseline_cli_root');
    const project = await mkdtemp(join(tmpdir(), 'stepmigrate-baseline-'));
    try {
      await writeFile(join(project, 'stepmigrate.json'), '{}');
      await mkdir(join(project, 'migrations'));
      for (const [name, text] of Object.entries(files))
        await writeFile(join(project, 'migrations', name), text);
      const code = await baselineCommand(
        {
          version: '0001',
          reason: 'schema made by hand',
          migrations: join(project, 'migrations'),
          databaseUrl: target.url,
        },
        { out: () => {}, err: () => {}, colour: false },
      );
      expect(code).toBe(0);
      const records = (await readFile(join(project, '.stepmigrate', 'audit.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(records).toEqual([expect.objectContaining({ step: 'Repair', migrations: ['0001'] })]);
    } finally {
      await rm(project, { recursive: true, force: true });
      await target.drop();
    }
  });
});
