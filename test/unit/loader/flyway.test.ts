import { describe, expect, it } from '@jest/globals';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { buildFlywaySet, parseFlywayFileName } from '../../../lambdas/engine/loader/flyway.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import { thrownInputError } from '../../support/thrown.ts';

const sql = (text: string) => `${text}\n`;

describe('parseFlywayFileName', () => {
  it.each([
    ['V1__init.sql', { kind: 'versioned', version: '1', description: 'init' }],
    ['V1_2__Add_users.sql', { kind: 'versioned', version: '1.2', description: 'Add_users' }],
    ['V2.0.10__x.sql', { kind: 'versioned', version: '2.0.10', description: 'x' }],
    ['U3__x.sql', { kind: 'undo', version: '3', description: 'x' }],
    ['R__views.sql', { kind: 'repeatable', description: 'views' }],
    ['sql/sub/V4__deep.sql', { kind: 'versioned', version: '4', description: 'deep' }],
  ])('reads %s', (name, expected) => {
    expect(parseFlywayFileName(name)).toEqual(expected);
  });

  it.each(['V1_init.sql', 'v1__init.sql', 'beforeMigrate.sql', 'V__x.sql'])('does not read %s', (name) => {
    expect(parseFlywayFileName(name)).toBeNull();
  });
});

describe('flyway layout', () => {
  it('orders versions as Flyway does, then repeatables by description', () => {
    const set = buildFlywaySet('sql', [
      { name: 'V1.10__ten.sql', text: sql('SELECT 10;') },
      { name: 'R__views.sql', text: sql('CREATE OR REPLACE VIEW v AS SELECT 1;') },
      { name: 'V1.9__nine.sql', text: sql('SELECT 9;') },
      { name: 'R__functions.sql', text: sql('SELECT 0;') },
      { name: 'V2__two.sql', text: sql('SELECT 2;') },
      { name: 'V1_2__one_two.sql', text: sql('SELECT 12;') },
      { name: 'V1__one.sql', text: sql('SELECT 1;') },
    ]);
    expect(set.layout).toBe('flyway');
    expect(set.migrations.map((m) => m.version)).toEqual([
      '1',
      '1.2',
      '1.9',
      '1.10',
      '2',
      'R__functions',
      'R__views',
    ]);
    expect(set.migrations.filter((m) => m.repeatable).map((m) => m.name)).toEqual(['functions', 'views']);
  });

  it('uses the U file of the same version as the down section; without one the migration is irreversible', () => {
    const set = buildFlywaySet('sql', [
      { name: 'V1__a.sql', text: sql('CREATE TABLE a ();') },
      { name: 'U1.0__a.sql', text: sql('DROP TABLE a;') },
      { name: 'V2__b.sql', text: sql('DROP TABLE old;') },
    ]);
    expect(set.migrations[0]).toMatchObject({ downFile: 'U1.0__a.sql', irreversible: false });
    expect(set.migrations[0]!.down?.sql).toBe('DROP TABLE a;\n');
    expect(set.migrations[1]).toMatchObject({ down: null, irreversible: true });
  });

  it('ignores callbacks and other SQL, refuses misspelt migration names', () => {
    const set = buildFlywaySet('sql', [
      { name: 'V1__a.sql', text: sql('SELECT 1;') },
      { name: 'beforeMigrate.sql', text: sql('SET x = 1;') },
      { name: 'afterEachMigrate__log.sql', text: sql('SELECT 1;') },
      { name: 'seed_data.sql', text: sql('SELECT 1;') },
    ]);
    expect(set.migrations.map((m) => m.file)).toEqual(['V1__a.sql']);
    const error = thrownInputError(() =>
      buildFlywaySet('sql', [{ name: 'V2_b.sql', text: sql('SELECT 1;') }]),
    );
    expect(error.message).toContain('V<version>__<description>.sql');
  });

  it('refuses two files with the same version ("1" = "1.0"), naming both', () => {
    const error = thrownInputError(() =>
      buildFlywaySet('sql', [
        { name: 'V1__a.sql', text: sql('SELECT 1;') },
        { name: 'V1.0__b.sql', text: sql('SELECT 1;') },
      ]),
    );
    expect(error.message).toMatch(/V1(\.0)? is also used by V1(\.0)?__[ab]\.sql/);
  });

  it('refuses an undo file without its versioned migration, and a duplicate repeatable', () => {
    const error = thrownInputError(() =>
      buildFlywaySet('sql', [
        { name: 'U7__x.sql', text: sql('SELECT 1;') },
        { name: 'R__v.sql', text: sql('SELECT 1;') },
        { name: 'more/R__v.sql', text: sql('SELECT 1;') },
      ]),
    );
    expect(error.message).toContain('no V7__');
    expect(error.message).toContain('repeatable migration "v" is also defined by');
  });

  it('detects statements that cannot run in a transaction, unless the .conf file says otherwise', () => {
    const sources = [
      { name: 'V1__index.sql', text: sql('CREATE INDEX CONCURRENTLY i ON t (c);') },
      { name: 'V2__plain.sql', text: sql('CREATE TABLE t2 ();') },
      { name: 'V3__forced.sql', text: sql('CREATE TABLE t3 ();') },
    ];
    const set = buildFlywaySet('sql', sources, { 'V3__forced.sql': 'executeInTransaction=false\n' });
    expect(set.migrations.map((m) => m.up.transaction)).toEqual([false, true, false]);
    expect(() => buildFlywaySet('sql', sources, { 'V2__plain.sql': 'executeInTransaction=maybe' })).toThrow(
      expect.objectContaining({
        file: 'V2__plain.sql.conf',
        line: 1,
        message: expect.stringContaining('"maybe"'),
      }),
    );
  });

  it('reads subdirectories and .conf files, and is detected from the file names', async () => {
    const files = memoryMigrationFiles('sql', {
      'V1__a.sql': sql('SELECT 1;'),
      'V1__a.sql.conf': 'executeInTransaction=false',
      'release2/V2__b.sql': sql('SELECT 2;'),
      'README.md': 'docs',
    });
    const set = await loadMigrations('sql', { files });
    expect(set.layout).toBe('flyway');
    expect(set.migrations.map((m) => [m.file, m.up.transaction])).toEqual([
      ['V1__a.sql', false],
      ['release2/V2__b.sql', true],
    ]);
  });
});
