import { describe, expect, it } from '@jest/globals';
import { parseNativeMigration, readNativeMigration } from '../../../lambdas/engine/loader/native.ts';
import { checkMigrationName, nextNativeVersion } from '../../../lambdas/engine/loader/new-migration.ts';
import { nativeMigrationTemplate } from '../../../lambdas/engine/loader/template.ts';

describe('nextNativeVersion', () => {
  it('starts at 0001 in an empty directory', () => {
    expect(nextNativeVersion([])).toBe('0001');
    expect(nextNativeVersion(['README.md', 'notes.sql'])).toBe('0001');
  });

  it('is one more than the highest version, numerically, gaps or not', () => {
    expect(nextNativeVersion(['0001_a.sql', '0009_b.sql', '0003_c.sql'])).toBe('0010');
    expect(nextNativeVersion(['0100_a.sql', '0099_b.sql'])).toBe('0101');
  });

  it('keeps the width of the highest version', () => {
    expect(nextNativeVersion(['000041_a.sql'])).toBe('000042');
    expect(nextNativeVersion(['20260101120000_a.sql'])).toBe('20260101120001');
  });

  it('grows past the width when it must', () => {
    expect(nextNativeVersion(['9999_a.sql'])).toBe('10000');
  });
});

describe('checkMigrationName', () => {
  it('accepts lowercase snake case', () => {
    expect(() => checkMigrationName('add_user_email')).not.toThrow();
    expect(() => checkMigrationName('v2')).not.toThrow();
  });

  it.each([
    ['Add User Email', 'add_user_email'],
    ['addUserEmail', 'add_user_email'],
    ['add-user-email', 'add_user_email'],
    ['0005_add_email.sql', 'add_email'],
    ['add__email', 'add_email'],
  ])('refuses "%s" and suggests "%s"', (name, suggestion) => {
    expect(() => checkMigrationName(name)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining(`e.g. "${suggestion}"`),
      }),
    );
  });

  it('refuses an empty name', () => {
    expect(() => checkMigrationName('')).toThrow(/not lowercase snake case/);
  });
});

describe('nativeMigrationTemplate', () => {
  it('is refused until its up and down sections are written', () => {
    const messages = readNativeMigration(
      '0001_add_email.sql',
      nativeMigrationTemplate('add_email'),
    ).problems.map((problem) => problem.message);
    expect(messages).toEqual([
      expect.stringContaining('up section is empty'),
      expect.stringContaining('down section is empty'),
    ]);
  });

  it('loads once filled in, with no verify section until one is written', () => {
    const filled = nativeMigrationTemplate('add_email')
      .replace('-- migrate:up\n', '-- migrate:up\nALTER TABLE app.users ADD COLUMN email text;\n')
      .replace('-- migrate:down\n', '-- migrate:down\nALTER TABLE app.users DROP COLUMN email;\n');
    const migration = parseNativeMigration('0001_add_email.sql', filled);
    expect(migration.up.sql.trim()).toBe('ALTER TABLE app.users ADD COLUMN email text;');
    expect(migration.verify).toBeNull();
    expect(migration.lintAllows).toEqual([]);
  });
});
