// The dbmate layout: dbmate's file names and its blank down sections are read as they are.
import { describe, expect, it } from '@jest/globals';
import { buildDbmateSet, withIrreversibleDown } from '../../../lambdas/engine/loader/dbmate.ts';
import { thrownInputError } from '../../support/thrown.ts';

describe('dbmate layout', () => {
  it('takes any name after the version digits, in numeric order', () => {
    const set = buildDbmateSet('db/migrations', [
      {
        name: '20240301080000_AddSessions.sql',
        text: '-- migrate:up\nSELECT 2;\n-- migrate:down\nSELECT 3;\n',
      },
      { name: '1_init.sql', text: '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 0;\n' },
    ]);
    expect(set.layout).toBe('dbmate');
    expect(set.migrations.map((m) => [m.version, m.name, m.file])).toEqual([
      ['1', 'init', '1_init.sql'],
      ['20240301080000', 'AddSessions', '20240301080000_AddSessions.sql'],
    ]);
  });

  it("reads dbmate's blank or missing down section as irreversible, and keeps a commented one", () => {
    const set = buildDbmateSet('db/migrations', [
      { name: '20240101000001_a.sql', text: '-- migrate:up\nSELECT 1;\n\n-- migrate:down\n\n' },
      { name: '20240101000002_b.sql', text: '-- migrate:up transaction:false\nSELECT 2;\n' },
      {
        name: '20240101000003_c.sql',
        text: '-- migrate:up\nSELECT 3;\n-- migrate:down transaction:false\n\n-- migrate:verify\nSELECT 3;\n',
      },
      {
        name: '20240101000004_d.sql',
        text: '-- migrate:up\nSELECT 4;\n-- migrate:down\n-- nothing to undo: 4 only reads\n',
      },
    ]);
    expect(set.migrations.map((m) => [m.version, m.irreversible, m.verify !== null])).toEqual([
      ['20240101000001', true, false],
      ['20240101000002', true, false],
      ['20240101000003', true, true],
      ['20240101000004', false, false],
    ]);
  });

  it('keeps every line where it was, so problems point at the right line of the real file', () => {
    const text = '-- migrate:up\nSELECT 1;\n-- migrate:down\n\n-- migrate:bogus\n';
    expect(withIrreversibleDown(text).split('\n')).toHaveLength(text.split('\n').length);
    const error = thrownInputError(() => buildDbmateSet('db', [{ name: '20240101000001_a.sql', text }]));
    expect(error).toMatchObject({ file: '20240101000001_a.sql', line: 5 });
  });

  it('refuses files without a version and two files with the same version', () => {
    const up = '-- migrate:up\nSELECT 1;\n';
    const error = thrownInputError(() =>
      buildDbmateSet('db', [
        { name: 'create_users.sql', text: up },
        { name: '0001_a.sql', text: up },
        { name: '1_b.sql', text: up },
      ]),
    );
    expect(error.message).toContain('create_users.sql: file name "create_users.sql" does not match dbmate');
    expect(error.message).toContain('version 1 is also used by 0001_a.sql');
  });
});
