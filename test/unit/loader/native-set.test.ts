import { describe, expect, it } from '@jest/globals';
import { buildNativeSet } from '../../../lambdas/engine/loader/native-set.ts';
import { thrownInputError } from '../../support/thrown.ts';

const body = (table: string) =>
  `-- migrate:up\nCREATE TABLE ${table} ();\n-- migrate:down\nDROP TABLE ${table};\n`;

describe('buildNativeSet', () => {
  it('orders migrations by numeric version, gaps allowed, whatever the digit width', () => {
    const set = buildNativeSet('migrations', [
      { name: '0010_c.sql', text: body('c') },
      { name: '00002_b.sql', text: body('b') },
      { name: '0001_a.sql', text: body('a') },
      { name: '20260101000000_d.sql', text: body('d') },
    ]);
    expect(set.layout).toBe('native');
    expect(set.directory).toBe('migrations');
    expect(set.migrations.map((migration) => migration.file)).toEqual([
      '0001_a.sql',
      '00002_b.sql',
      '0010_c.sql',
      '20260101000000_d.sql',
    ]);
  });

  it('gives an empty set for a directory without migrations', () => {
    expect(buildNativeSet('migrations', []).migrations).toEqual([]);
  });

  it('refuses two files with the same version, naming both', () => {
    const error = thrownInputError(() =>
      buildNativeSet('migrations', [
        { name: '0001_a.sql', text: body('a') },
        { name: '00001_b.sql', text: body('b') },
      ]),
    );
    expect(error.message).toContain('00001_b.sql');
    expect(error.message).toContain('0001_a.sql');
    expect(error.message).toMatch(/version .* is also used by/);
  });

  it('reports a duplicate version even when one of the two files has other problems', () => {
    const error = thrownInputError(() =>
      buildNativeSet('migrations', [
        { name: '0001_a.sql', text: body('a') },
        { name: '0001_b.sql', text: '-- migrate:up\nSELECT 1;\n' },
      ]),
    );
    expect(error.message).toContain('0001_b.sql:3: no "-- migrate:down" section');
    expect(error.message).toContain('0001_b.sql: version 0001 is also used by 0001_a.sql');
  });

  it('refuses a .sql file with a bad name, saying the expected pattern', () => {
    const error = thrownInputError(() =>
      buildNativeSet('migrations', [{ name: '1_init.sql', text: body('a') }]),
    );
    expect(error).toMatchObject({ name: 'InputError', file: '1_init.sql' });
    expect(error.message).toContain('NNNN_snake_name.sql');
  });

  it('reports the problems of every file together, locating the error at the first', () => {
    const error = thrownInputError(() =>
      buildNativeSet('migrations', [
        { name: '0002_b.sql', text: '-- migrate:up\n\n-- migrate:down\nSELECT 1;\n' },
        { name: '0001_a.sql', text: '-- migrate:sideways\n' },
        { name: '0003_c.sql', text: body('c') },
        { name: 'Bad Name.sql', text: '' },
      ]),
    );
    expect(error).toMatchObject({ file: '0001_a.sql', line: 1 });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('5 problems in migrations directory migrations:');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}0001_a\.sql:1: unknown section marker/),
      expect.stringMatching(/^ {2}0001_a\.sql:1: no sections/),
      expect.stringMatching(/^ {2}0002_b\.sql:1: the up section is empty/),
      expect.stringMatching(
        /^ {2}Bad Name\.sql: file name "Bad Name\.sql" does not match NNNN_snake_name\.sql/,
      ),
      expect.stringMatching(/^ {2}Bad Name\.sql:1: no sections/),
    ]);
  });
});
