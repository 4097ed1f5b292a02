// The plan Validate returns, on a real PostgreSQL: what each step locks and destroys, which
// tables Backup will copy (and how big they are), and nothing changed by planning.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateRun } from '../../lambdas/engine/steps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;

beforeAll(async () => {
  database = await createTestDatabase('plan');
  await database.db.withConnection((conn) =>
    conn.query(`CREATE SCHEMA app;
      CREATE TABLE app.users (id bigint PRIMARY KEY, email text, nickname text);
      INSERT INTO app.users SELECT g, 'u' || g, 'n' || g FROM generate_series(1, 500) g;`),
  );
  directory = await migrationDirectory({
    '0001_create_audit.sql': migration({
      up: 'CREATE TABLE app.audit (id bigint PRIMARY KEY, note text);',
      down: 'DROP TABLE app.audit;',
    }),
    '0002_drop_nickname.sql': [
      '-- lint:allow ban-drop-column nickname is unused since release 41',
      migration({
        up: 'ALTER TABLE app.users DROP COLUMN nickname;',
        down: 'ALTER TABLE app.users ADD COLUMN nickname text;',
        verify: 'SELECT id FROM app.users WHERE false;',
      }),
    ].join('\n'),
  });
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});

describe('the plan', () => {
  it('backs up a table whose column is dropped, not a table that is only created', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, { dryRun: true }, 'exec-plan');
    expect(run.plan.backupTables).toEqual(['app.users']);
    expect(run.plan.backupEstimateBytes).toBeGreaterThan(8192);
    expect(run.plan.risks).toEqual([
      expect.objectContaining({ version: '0001', destroys: [], outsideTransaction: false }),
      expect.objectContaining({
        version: '0002',
        locks: [{ table: 'app.users', mode: 'ACCESS EXCLUSIVE' }],
        destroys: ['app.users'],
      }),
    ]);
    const allowed = run.plan.findings.find((f) => f.rule === 'ban-drop-column');
    expect(allowed).toMatchObject({
      severity: 'info',
      allowedBecause: 'nickname is unused since release 41',
    });
  });

  it('changes nothing while planning', async () => {
    const ctx = await engineContext(database.db, directory.path);
    await validateRun(ctx, { dryRun: true }, 'exec-plan-2');
    const { rows } = await database.db.withConnection((conn) =>
      conn.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'stepmigrate'"),
    );
    expect(rows[0]).toEqual({ n: 0 });
  });
});
