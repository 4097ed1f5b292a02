import { describe, expect, it } from '@jest/globals';
import { checksumSql } from '../../../lambdas/engine/checksum.ts';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { buildGolangMigrateSet } from '../../../lambdas/engine/loader/golang-migrate.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import { thrownInputError } from '../../support/thrown.ts';

describe('golang-migrate layout', () => {
  const sources = [
    { name: '10_add_index.up.sql', text: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n' },
    { name: '10_add_index.down.sql', text: 'DROP INDEX CONCURRENTLY users_email_idx;\n' },
    { name: '2_drop_legacy.up.sql', text: 'DROP TABLE legacy;\n' },
    {
      name: '1_create_users.up.sql',
      text: '-- lint:allow some-rule new table\r\nCREATE TABLE users (id bigint);\r\n',
    },
    { name: '1_create_users.down.sql', text: 'DROP TABLE users;\n' },
  ];

  it('pairs up and down files by version, in numeric order', () => {
    const set = buildGolangMigrateSet('db', sources);
    expect(set.layout).toBe('golang-migrate');
    expect(set.migrations.map((m) => [m.version, m.name, m.file, m.downFile])).toEqual([
      ['1', 'create_users', '1_create_users.up.sql', '1_create_users.down.sql'],
      ['2', 'drop_legacy', '2_drop_legacy.up.sql', undefined],
      ['10', 'add_index', '10_add_index.up.sql', '10_add_index.down.sql'],
    ]);
  });

  it('reads a whole file as the section, with normalised line endings and its checksum', () => {
    const [first] = buildGolangMigrateSet('db', sources).migrations;
    expect(first!.up).toEqual({
      sql: '-- lint:allow some-rule new table\nCREATE TABLE users (id bigint);\n',
      startLine: 1,
      transaction: true,
    });
    expect(first!.checksum).toBe(checksumSql(first!.up.sql));
    expect(first!.lintAllows).toEqual([{ rule: 'some-rule', reason: 'new table', line: 1 }]);
    expect(first!.verify).toBeNull();
  });

  it('treats a migration without a down file as irreversible', () => {
    const legacy = buildGolangMigrateSet('db', sources).migrations[1]!;
    expect(legacy).toMatchObject({ irreversible: true, down: null });
  });

  it('runs CREATE INDEX CONCURRENTLY outside a transaction', () => {
    const index = buildGolangMigrateSet('db', sources).migrations[2]!;
    expect(index.up.transaction).toBe(false);
    expect(index.down?.transaction).toBe(false);
  });

  it('refuses two up files for one version, "1" and "001" being the same', () => {
    const error = thrownInputError(() =>
      buildGolangMigrateSet('db', [
        { name: '1_a.up.sql', text: 'SELECT 1;' },
        { name: '001_b.up.sql', text: 'SELECT 1;' },
      ]),
    );
    expect(error.message).toMatch(/version 0{0,2}1 has two up files/);
    expect(error.message).toContain('001_b.up.sql');
    expect(error.message).toContain('1_a.up.sql');
  });

  it('refuses a down file without an up file', () => {
    const error = thrownInputError(() =>
      buildGolangMigrateSet('db', [{ name: '3_x.down.sql', text: 'SELECT 1;' }]),
    );
    expect(error).toMatchObject({ file: '3_x.down.sql', message: expect.stringContaining('add 3_x.up.sql') });
  });

  it('refuses a .sql file that is neither up nor down', () => {
    const error = thrownInputError(() =>
      buildGolangMigrateSet('db', [{ name: '3_x.sql', text: 'SELECT 1;' }]),
    );
    expect(error.message).toContain('{version}_{title}.up.sql');
  });

  it('refuses an up file without SQL and an empty down file, together', () => {
    const error = thrownInputError(() =>
      buildGolangMigrateSet('db', [
        { name: '4_x.up.sql', text: '-- nothing yet\n' },
        { name: '4_x.down.sql', text: '\n' },
      ]),
    );
    expect(error.message).toContain('4_x.up.sql:1: the file has no SQL');
    expect(error.message).toContain('4_x.down.sql:1: the down file is empty');
  });

  it('is detected from the file names', async () => {
    const files = memoryMigrationFiles('db', Object.fromEntries(sources.map((s) => [s.name, s.text])));
    expect((await loadMigrations('db', { files })).layout).toBe('golang-migrate');
  });
});
