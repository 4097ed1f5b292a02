import { describe, expect, it } from '@jest/globals';
import { checksumSql } from '../../../lambdas/engine/checksum.ts';
import { InputError } from '../../../lambdas/engine/errors.ts';
import {
  parseNativeFileName,
  parseNativeMigration,
  readNativeMigration,
} from '../../../lambdas/engine/loader/native.ts';

const file = '0004_add_email.sql';

function problemsOf(text: string, fileName = file) {
  return readNativeMigration(fileName, text).problems;
}

function firstProblem(text: string, fileName = file) {
  const [problem] = problemsOf(text, fileName);
  if (!problem) throw new Error('expected a problem');
  return problem;
}

describe('parseNativeFileName', () => {
  it.each([
    ['0001_create_users.sql', '0001', 'create_users'],
    ['20260101120000_add_index.sql', '20260101120000', 'add_index'],
    ['0010_v2_schema.sql', '0010', 'v2_schema'],
  ])('reads %s', (name, version, migrationName) => {
    expect(parseNativeFileName(name)).toEqual({ version, name: migrationName });
  });

  it.each([
    '001_three_digits.sql',
    '0001-dash.sql',
    '0001_CamelCase.sql',
    '0001_double__underscore.sql',
    '0001_trailing_.sql',
    '0001.sql',
    'create_users.sql',
    '0001_name.SQL',
  ])('refuses %s', (name) => {
    expect(parseNativeFileName(name)).toBeNull();
  });
});

describe('parseNativeMigration: a well-formed file', () => {
  const text = [
    '-- Adds the e-mail column.', // 1
    '-- lint:allow adding-not-nullable-field table is empty everywhere', // 2
    '', // 3
    '-- migrate:up lock_timeout_ms:2000 statement_timeout_ms:60000', // 4
    'ALTER TABLE app.users ADD COLUMN email text;', // 5
    '', // 6
    '-- migrate:down', // 7
    'ALTER TABLE app.users DROP COLUMN email;', // 8
    '-- migrate:verify', // 9
    'SELECT email FROM app.users WHERE false;', // 10
    '',
  ].join('\n');

  it('splits the sections and keeps their SQL exactly, with the line each starts on', () => {
    const migration = parseNativeMigration(file, text);
    expect(migration).toMatchObject({
      version: '0004',
      name: 'add_email',
      file,
      irreversible: false,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 60000,
    });
    expect(migration.up).toEqual({
      sql: 'ALTER TABLE app.users ADD COLUMN email text;\n\n',
      startLine: 5,
      transaction: true,
    });
    expect(migration.down).toEqual({
      sql: 'ALTER TABLE app.users DROP COLUMN email;\n',
      startLine: 8,
      transaction: true,
    });
    expect(migration.verify).toEqual({
      sql: 'SELECT email FROM app.users WHERE false;\n',
      startLine: 10,
      transaction: true,
    });
  });

  it('records lint allows with their reason and line', () => {
    expect(parseNativeMigration(file, text).lintAllows).toEqual([
      { rule: 'adding-not-nullable-field', reason: 'table is empty everywhere', line: 2 },
    ]);
  });

  it('checksums the up section only', () => {
    const migration = parseNativeMigration(file, text);
    expect(migration.checksum).toBe(checksumSql('ALTER TABLE app.users ADD COLUMN email text;\n\n'));
    const otherDown = parseNativeMigration(
      file,
      text.replace('DROP COLUMN email;', 'DROP COLUMN IF EXISTS email;'),
    );
    expect(otherDown.checksum).toBe(migration.checksum);
  });

  it('gives the same sections, lines and checksum for CRLF and CR line endings', () => {
    const lf = parseNativeMigration(file, text);
    expect(parseNativeMigration(file, text.replace(/\n/g, '\r\n'))).toEqual(lf);
    expect(parseNativeMigration(file, text.replace(/\n/g, '\r'))).toEqual(lf);
  });

  it('ignores a byte order mark', () => {
    expect(parseNativeMigration(file, `\uFEFF${text}`)).toEqual(parseNativeMigration(file, text));
  });

  it('has no timeouts when the up marker sets none', () => {
    const migration = parseNativeMigration(file, '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n');
    expect(migration).not.toHaveProperty('lockTimeoutMs');
    expect(migration).not.toHaveProperty('statementTimeoutMs');
    expect(migration.verify).toBeNull();
  });
});

describe('parseNativeMigration: options', () => {
  it('reads transaction:false on up and down', () => {
    const migration = parseNativeMigration(
      file,
      [
        '-- migrate:up transaction:false',
        'CREATE INDEX CONCURRENTLY i ON t (c);',
        '-- migrate:down transaction:false',
        'DROP INDEX CONCURRENTLY i;',
      ].join('\n'),
    );
    expect(migration.up.transaction).toBe(false);
    expect(migration.down?.transaction).toBe(false);
  });

  it('reads an irreversible down as down: null', () => {
    const migration = parseNativeMigration(
      file,
      '-- migrate:up\nDROP TABLE app.old;\n-- migrate:down irreversible\n-- the data is gone; restore from backup\n',
    );
    expect(migration.irreversible).toBe(true);
    expect(migration.down).toBeNull();
  });

  it('accepts a down section holding only a comment as a deliberate no-op', () => {
    const migration = parseNativeMigration(
      file,
      '-- migrate:up\nANALYZE app.users;\n-- migrate:down\n-- statistics need no undoing\n',
    );
    expect(migration.down?.sql).toBe('-- statistics need no undoing\n');
  });

  it('treats an up marker on the last line without a newline as an empty section', () => {
    expect(firstProblem('-- migrate:down\nSELECT 1;\n-- migrate:up').message).toMatch(
      /before "-- migrate:up"/,
    );
  });
});

describe('parseNativeMigration: problems, each with file, line and what to write instead', () => {
  it('refuses a bad file name, naming the expected pattern', () => {
    const problem = firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n', '4_add.sql');
    expect(problem).toEqual({
      file: '4_add.sql',
      line: undefined,
      message: expect.stringContaining('NNNN_snake_name.sql'),
    });
  });

  it('refuses version 0, which means "before the first migration"', () => {
    expect(
      firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n', '0000_init.sql').message,
    ).toMatch(/reserved/);
  });

  it('refuses a missing up section', () => {
    expect(firstProblem('-- migrate:down\nDROP TABLE t;\n')).toMatchObject({
      file,
      line: 1,
      message: expect.stringContaining('"-- migrate:down" comes before "-- migrate:up"'),
    });
    expect(problemsOf('-- migrate:down\nDROP TABLE t;\n').map((p) => p.message)).toContainEqual(
      expect.stringContaining('no "-- migrate:up" section'),
    );
  });

  it('refuses a file with no sections at all', () => {
    expect(firstProblem('')).toMatchObject({ line: 1, message: expect.stringContaining('no sections') });
    expect(firstProblem('-- just a comment\n')).toMatchObject({
      line: 1,
      message: expect.stringContaining('no sections'),
    });
  });

  it('refuses an empty or comments-only up section, pointing at its marker', () => {
    expect(firstProblem('-- migrate:up\n\n-- migrate:down\nSELECT 1;\n')).toMatchObject({
      line: 1,
      message: expect.stringContaining('up section is empty'),
    });
    expect(firstProblem('\n-- migrate:up\n-- TODO\n/* later */\n-- migrate:down\nSELECT 1;\n')).toMatchObject(
      {
        line: 2,
        message: expect.stringContaining('up section is empty'),
      },
    );
  });

  it('refuses a missing down section and says how to mark an irreversible one', () => {
    expect(firstProblem('-- migrate:up\nSELECT 1;\n')).toMatchObject({
      line: 3,
      message: expect.stringContaining('-- migrate:down irreversible'),
    });
  });

  it('refuses a down section with nothing in it', () => {
    expect(firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down\n\n')).toMatchObject({
      line: 3,
      message: expect.stringContaining('down section is empty'),
    });
  });

  it('refuses SQL in a down section marked irreversible, at the line of the SQL', () => {
    expect(
      firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down irreversible\n-- no\nDROP TABLE t;\n'),
    ).toMatchObject({ line: 5, message: expect.stringContaining('marked irreversible but has SQL') });
  });

  it('refuses an unknown section marker', () => {
    expect(firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:rollback\nSELECT 2;\n')).toMatchObject({
      line: 3,
      message: expect.stringContaining('unknown section marker "-- migrate:rollback"'),
    });
  });

  it('refuses an unknown option on a marker, listing the allowed ones', () => {
    expect(
      firstProblem('-- migrate:up transaction:off\nSELECT 1;\n-- migrate:down\nSELECT 2;\n'),
    ).toMatchObject({
      line: 1,
      message: expect.stringContaining('unknown option "transaction:off"'),
    });
  });

  it('refuses an unknown lint directive', () => {
    expect(
      firstProblem('-- lint:ignore some-rule\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n'),
    ).toMatchObject({
      line: 1,
      message: expect.stringContaining('unknown directive "-- lint:ignore"'),
    });
  });

  it('refuses a lint allow without a reason', () => {
    expect(
      firstProblem(
        '-- migrate:up\n-- lint:allow ban-drop-table\nDROP TABLE t;\n-- migrate:down\nSELECT 2;\n',
      ),
    ).toMatchObject({
      line: 2,
      message: expect.stringContaining('needs a rule id and a reason'),
    });
  });

  it.each([
    ['-- migrate:up irreversible', /belongs on the down marker/],
    ['-- migrate:up lock_timeout_ms:0', /greater than 0/],
    ['-- migrate:up statement_timeout_ms:1s', /whole number of milliseconds/],
    ['-- migrate:up transaction:false transaction:false', /given twice/],
  ])('refuses the marker line %s', (marker, message) => {
    expect(firstProblem(`${marker}\nSELECT 1;\n-- migrate:down\nSELECT 2;\n`)).toMatchObject({
      line: 1,
      message,
    });
  });

  it('refuses a timeout on the down marker', () => {
    expect(
      firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down lock_timeout_ms:100\nSELECT 2;\n'),
    ).toMatchObject({
      line: 3,
      message: expect.stringContaining('belongs on the up marker'),
    });
  });

  it('refuses transaction:false on the verify marker', () => {
    const text =
      '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:verify transaction:false\nSELECT 3;\n';
    expect(firstProblem(text)).toMatchObject({
      line: 5,
      message: expect.stringContaining('verify always runs'),
    });
  });

  it('refuses SQL before the first marker but allows comments there', () => {
    const text =
      '/* header\n   comment */\n-- note\nSET search_path = app;\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n';
    expect(firstProblem(text)).toMatchObject({
      line: 4,
      message: expect.stringContaining('SQL before the first section'),
    });
  });

  it('refuses a second marker of the same kind', () => {
    expect(
      firstProblem('-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 3;\n'),
    ).toMatchObject({
      line: 5,
      message: expect.stringContaining('first is on line 1'),
    });
  });

  it('reports every problem of a file at once and throws them as one InputError', () => {
    const text = '-- lint:nope\n-- migrate:up bogus\n-- migrate:down\n';
    expect(problemsOf(text).map((problem) => problem.line)).toEqual([1, 2, 2, 3]);
    const error = (() => {
      try {
        parseNativeMigration(file, text);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected parseNativeMigration to throw');
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ name: 'InputError', file, line: 1 });
    expect((error as Error).message.split('\n')[0]).toBe(`4 problems in ${file}:`);
    expect((error as Error).message).toContain(`${file}:2: unknown option "bogus"`);
    expect((error as Error).message).toContain(`${file}:3: the down section is empty`);
  });
});
