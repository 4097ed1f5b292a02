// `check` on a real PostgreSQL: the round trip passes on the samples and names the first
// difference a down section leaves behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkMigrations } from '../../lambdas/engine/check.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('check');
});
afterAll(async () => {
  await database.drop();
});

async function resetDatabase() {
  await database.db.withConnection((conn) =>
    conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
  );
}

describe('checkMigrations', () => {
  it('passes on the sample migrations: apply, verify, revert and apply again', async () => {
    await resetDatabase();
    const ctx = await engineContext(database.db, 'migrations');
    const result = await checkMigrations(ctx);
    const phases = result.events.map((e) => e.phase);
    expect(result.migrations).toBe(ctx.migrations.migrations.length);
    expect(phases.filter((p) => p === 'revert')).toHaveLength(result.migrations);
    expect(phases.filter((p) => p === 'reapply')).toHaveLength(result.migrations);
  });

  it('names the migration and the index its down section forgets', async () => {
    await resetDatabase();
    const directory = await migrationDirectory({
      '0001_users.sql': migration({
        up: 'CREATE SCHEMA app;\nCREATE TABLE app.users (id bigint PRIMARY KEY, email text);',
        down: 'DROP TABLE app.users;\nDROP SCHEMA app;',
      }),
      '0002_email_index.sql': migration({
        up: 'CREATE INDEX users_email_idx ON app.users (email);\nALTER TABLE app.users ADD COLUMN nickname text;',
        down: 'ALTER TABLE app.users DROP COLUMN nickname;',
      }),
    });
    try {
      const ctx = await engineContext(database.db, directory.path);
      await expect(checkMigrations(ctx)).rejects.toMatchObject({
        name: 'VerificationFailedError',
        migration: '0002',
        message: expect.stringMatching(
          /0002_email_index down does not undo its up: .*index app\.users_email_idx/,
        ),
      });
    } finally {
      await directory.remove();
    }
  });
});
