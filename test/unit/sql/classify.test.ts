import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Migration } from '../../../lambdas/engine/model.ts';
import { analyzeMigration, classifyStatement } from '../../../lambdas/engine/sql/classify.ts';
import { loadSqlParser, splitStatements } from '../../../lambdas/engine/sql/parse.ts';

beforeAll(async () => {
  await loadSqlParser();
});

function classify(sql: string) {
  const [statement] = splitStatements(sql, { file: 'test.sql', startLine: 1 });
  return classifyStatement(statement!);
}

function migration(up: string, down: string | null = null): Migration {
  return {
    version: '0007',
    name: 'test',
    file: '0007_test.sql',
    up: { sql: up, startLine: 2, transaction: true },
    down: down === null ? null : { sql: down, startLine: 20, transaction: true },
    irreversible: down === null,
    verify: null,
    lintAllows: [],
    checksum: 'x',
  };
}

describe('classifyStatement', () => {
  it('resolves unqualified tables to public and reports the ALTER TABLE lock', () => {
    const result = classify('ALTER TABLE users ADD COLUMN email text');
    expect(result.locks).toEqual([{ table: 'public.users', mode: 'ACCESS EXCLUSIVE' }]);
    expect(result.changes[0]).toMatchObject({
      kind: 'add_column',
      table: 'public.users',
      columnName: 'email',
    });
    expect(result.rewrites).toEqual([]);
    expect(result.destroys).toEqual([]);
    expect(result.transactional).toBe(true);
  });

  it('sees a volatile default as a rewrite but a constant or now() as metadata-only', () => {
    expect(classify('ALTER TABLE app.t ADD COLUMN id uuid DEFAULT gen_random_uuid()').rewrites).toEqual([
      'app.t',
    ]);
    expect(classify("ALTER TABLE app.t ADD COLUMN s text DEFAULT 'new'").rewrites).toEqual([]);
    expect(classify('ALTER TABLE app.t ADD COLUMN at timestamptz DEFAULT now()').rewrites).toEqual([]);
  });

  it('treats ALTER COLUMN TYPE as a rewrite that can lose data', () => {
    const result = classify('ALTER TABLE app.t ALTER COLUMN price TYPE numeric(10,2)');
    expect(result).toMatchObject({ rewrites: ['app.t'], destroys: ['app.t'], scans: ['app.t'] });
  });

  it('takes SHARE for CREATE INDEX and SHARE UPDATE EXCLUSIVE outside a transaction for CONCURRENTLY', () => {
    expect(classify('CREATE INDEX i ON app.t (a)')).toMatchObject({
      locks: [{ table: 'app.t', mode: 'SHARE' }],
      transactional: true,
    });
    expect(classify('CREATE INDEX CONCURRENTLY i ON app.t (a)')).toMatchObject({
      locks: [{ table: 'app.t', mode: 'SHARE UPDATE EXCLUSIVE' }],
      transactional: false,
    });
  });

  it('locks both tables of a foreign key with SHARE ROW EXCLUSIVE and scans only when validated', () => {
    const checked = classify(
      'ALTER TABLE app.orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES app.users (id)',
    );
    expect(checked.locks).toEqual([
      { table: 'app.orders', mode: 'SHARE ROW EXCLUSIVE' },
      { table: 'app.users', mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(checked.scans).toEqual(['app.orders']);
    const notValid = classify(
      'ALTER TABLE app.orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES app.users (id) NOT VALID',
    );
    expect(notValid.scans).toEqual([]);
    expect(notValid.changes[0]!.constraint).toMatchObject({ type: 'foreign_key', notValid: true });
  });

  it('validates a constraint under SHARE UPDATE EXCLUSIVE', () => {
    expect(classify('ALTER TABLE app.t VALIDATE CONSTRAINT c').locks).toEqual([
      { table: 'app.t', mode: 'SHARE UPDATE EXCLUSIVE' },
    ]);
  });

  it('reports destruction it cannot attribute to a table', () => {
    expect(classify('DROP SCHEMA legacy CASCADE').destroysUnnamed).toMatch(/every table in the schema/);
    expect(classify('DROP OWNED BY old_app').destroysUnnamed).toMatch(/DROP OWNED/);
    expect(classify('DROP TYPE mood CASCADE').destroysUnnamed).toMatch(/column/);
    expect(classify('DROP SCHEMA legacy').destroysUnnamed).toBeUndefined();
  });

  it('knows which statements cannot run in a transaction block', () => {
    for (const sql of [
      'DROP INDEX CONCURRENTLY app.i',
      'REINDEX INDEX CONCURRENTLY app.i',
      'VACUUM app.t',
      'CREATE DATABASE other',
      "ALTER SYSTEM SET work_mem = '64MB'",
      'REINDEX SCHEMA app',
    ]) {
      expect({ sql, transactional: classify(sql).transactional }).toEqual({ sql, transactional: false });
    }
    for (const sql of ['ANALYZE app.t', "ALTER TYPE mood ADD VALUE 'meh'", 'DROP INDEX app.i']) {
      expect({ sql, transactional: classify(sql).transactional }).toEqual({ sql, transactional: true });
    }
  });

  it('ALTER TYPE … ADD VALUE is non-transactional before PostgreSQL 12', () => {
    const [statement] = splitStatements("ALTER TYPE mood ADD VALUE 'meh'", { file: 'x.sql', startLine: 1 });
    expect(classifyStatement(statement!, { postgresVersion: 11 }).transactional).toBe(false);
  });

  it('classifies DML, including data-modifying CTEs', () => {
    expect(classify('UPDATE app.t SET a = 1')).toMatchObject({
      ddl: false,
      destroys: ['app.t'],
      locks: [{ table: 'app.t', mode: 'ROW EXCLUSIVE' }],
    });
    expect(classify('UPDATE app.t SET a = 1').changes[0]!.allRows).toBe(true);
    const cte = classify(
      'WITH gone AS (DELETE FROM app.old RETURNING *) INSERT INTO app.archive SELECT * FROM gone',
    );
    expect(cte.destroys).toEqual(['app.old']);
    expect(cte.changes.map((c) => c.kind)).toEqual(['delete', 'insert']);
    expect(cte.changes[1]!.fromQuery).toBe(true);
    expect(classify('INSERT INTO app.t (a) VALUES (1)').changes[0]!.fromQuery).toBeUndefined();
  });

  it('classifies transaction control', () => {
    expect(classify('BEGIN').changes[0]).toEqual({
      kind: 'transaction_control',
      transactionCommand: 'BEGIN',
    });
    expect(classify('COMMIT').changes[0]!.transactionCommand).toBe('COMMIT');
    expect(classify('SAVEPOINT s').changes[0]!.transactionCommand).toBe('SAVEPOINT');
  });

  it('classifies creates and drops of other objects', () => {
    expect(classify('CREATE VIEW app.v AS SELECT 1').changes[0]).toEqual({
      kind: 'create_view',
      object: 'app.v',
    });
    expect(
      classify('CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$').changes[0],
    ).toEqual({
      kind: 'create_function',
      object: 'public.f',
      idempotent: true,
    });
    expect(classify("CREATE TYPE app.mood AS ENUM ('ok')").changes[0]!.kind).toBe('create_type');
    expect(classify('DROP TABLE IF EXISTS app.a, b').changes).toEqual([
      { kind: 'drop_table', object: 'app.a', table: 'app.a', idempotent: true },
      { kind: 'drop_table', object: 'public.b', table: 'public.b', idempotent: true },
    ]);
    expect(classify('TRUNCATE app.t CASCADE').destroysUnnamed).toMatch(/foreign key/);
  });
});

describe('analyzeMigration', () => {
  it('backs up tables whose data up destroys, but not tables the migration creates', () => {
    const analysis = analyzeMigration(
      migration(
        [
          'CREATE TABLE app.archive (id bigint);',
          'INSERT INTO app.archive SELECT id FROM app.events;',
          'DELETE FROM app.events WHERE created_at < now() - interval $$1 year$$;',
          'UPDATE app.archive SET id = id;',
          'ALTER TABLE app.users DROP COLUMN legacy;',
          'CREATE INDEX CONCURRENTLY i ON app.sessions (user_id);',
        ].join('\n'),
        'DROP TABLE app.archive;',
      ),
    );
    expect(analysis.backupTables).toEqual(['app.events', 'app.users']);
    expect(analysis.affectedTables).toEqual(['app.archive', 'app.events', 'app.sessions', 'app.users']);
    expect(analysis.statements.up).toHaveLength(6);
    expect(analysis.statements.down[0]!.destroys).toEqual(['app.archive']);
  });

  it('backs up the tables an irreversible migration inserts into: nothing else takes those rows out', () => {
    const up = [
      'CREATE TABLE app.archive (id bigint);',
      'INSERT INTO app.archive VALUES (1), (2);',
      "INSERT INTO app.events (kind) VALUES ('imported');",
      'COPY app.sessions FROM STDIN;',
      'COPY app.users TO STDOUT;',
    ].join('\n');
    expect(analyzeMigration(migration(up, null)).backupTables).toEqual(['app.events', 'app.sessions']);
    // A down section deletes what its up section inserted: nothing to back up.
    expect(analyzeMigration(migration(up, 'DELETE FROM app.events;')).backupTables).toEqual([]);
  });

  it('backs up a renamed table under its name before the migration', () => {
    const analysis = analyzeMigration(
      migration('ALTER TABLE app.people RENAME TO users; DELETE FROM app.users WHERE id < 0;', null),
    );
    expect(analysis.backupTables).toEqual(['app.people']);
  });

  it('parses a Migration object once, and again only when its SQL changes', () => {
    const m = migration('DELETE FROM app.events;', null);
    const first = analyzeMigration(m);
    expect(analyzeMigration(m)).toBe(first);
    const changed = { ...m, up: { ...m.up, sql: 'TRUNCATE app.sessions;' } };
    expect(analyzeMigration(changed).backupTables).toEqual(['app.sessions']);
    expect(analyzeMigration({ ...m, up: { ...m.up } })).not.toBe(first);
    m.up.sql = 'TRUNCATE app.sessions;';
    expect(analyzeMigration(m).backupTables).toEqual(['app.sessions']);
    expect(analyzeMigration(m, { postgresVersion: 11 })).not.toBe(analyzeMigration(m));
  });

  it('names the migration, file and line on a syntax error', () => {
    expect(() => analyzeMigration(migration('SELECT 1;\nALTER TABLE;', null))).toThrow(
      expect.objectContaining({ name: 'InputError', migration: '0007', file: '0007_test.sql', line: 3 }),
    );
  });
});
