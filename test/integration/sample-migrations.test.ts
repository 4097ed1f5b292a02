// The sample migrations are what `npm start` runs and what people copy: every one must
// apply, pass its verify section, and be undone exactly by its down section.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import type { Migration, MigrationSection } from '../../lambdas/engine/model.ts';
import type { SqlConnection } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const samplesDirectory = join(import.meta.dirname, '../../migrations');

/** Columns, constraints (with their validation state) and indexes (with validity) of schema app. */
const catalogQuery = `
  SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END AS item
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'app' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
    FROM pg_constraint WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname = 'app')
  UNION ALL
  SELECT 'index ' || indexrelid::regclass || ' valid=' || indisvalid
    FROM pg_index WHERE indrelid IN (
      SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app')
  UNION ALL
  SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = 'app'
  ORDER BY 1`;

async function catalog(connection: SqlConnection): Promise<string[]> {
  const { rows } = await connection.query<{ item: string }>(catalogQuery);
  return rows.map((row) => row.item);
}

async function run(connection: SqlConnection, section: MigrationSection): Promise<void> {
  if (!section.transaction) {
    // Each sample's non-transactional section holds one statement, which a simple query
    // runs outside any transaction block.
    await connection.query(section.sql);
    return;
  }
  await connection.query('BEGIN');
  try {
    await connection.query(section.sql);
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK');
    throw error;
  }
}

async function verify(connection: SqlConnection, migration: Migration): Promise<void> {
  await connection.query('BEGIN');
  try {
    await connection.query(migration.verify!.sql);
  } finally {
    await connection.query('ROLLBACK');
  }
}

describe('sample migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('samples');
  });

  afterAll(() => database?.drop());

  it('apply and verify one by one, with rows in the tables, then revert exactly', async () => {
    const { migrations } = await loadMigrations(samplesDirectory);
    await database.db.withConnection(async (connection) => {
      const before: string[][] = [];
      for (const migration of migrations) {
        before.push(await catalog(connection));
        await run(connection, migration.up);
        await verify(connection, migration);
        if (migration.version === '0002') {
          await connection.query(
            `INSERT INTO app.users (email) VALUES (' Ada@Example.com'), ('bob@example.com')`,
          );
          await connection.query(
            `INSERT INTO app.projects (owner_id, name) SELECT id, 'first' FROM app.users`,
          );
        }
      }
      const { rows } = await connection.query<{ email_normalized: string }>(
        'SELECT email_normalized FROM app.users ORDER BY id',
      );
      expect(rows.map((row) => row.email_normalized)).toEqual(['ada@example.com', 'bob@example.com']);

      for (const [index, migration] of [...migrations.entries()].reverse()) {
        if (migration.version === '0002')
          await connection.query('DELETE FROM app.projects; DELETE FROM app.users');
        await run(connection, migration.down!);
        expect({ version: migration.version, catalog: await catalog(connection) }).toEqual({
          version: migration.version,
          catalog: before[index],
        });
      }
    });
  });

  it('refuse a project whose owner does not exist once the foreign key is in place', async () => {
    const { migrations } = await loadMigrations(samplesDirectory);
    await database.db.withConnection(async (connection) => {
      for (const migration of migrations) await run(connection, migration.up);
      await expect(
        connection.query(`INSERT INTO app.projects (owner_id, name) VALUES (424242, 'orphan')`),
      ).rejects.toThrow(/projects_owner_id_fkey/);
    });
  });
});
