import { describe, expect, it } from '@jest/globals';
import { detectLayout, detectLayoutFromNames } from '../../../lambdas/engine/loader/detect.ts';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';

describe('detectLayoutFromNames', () => {
  it.each([
    [['0001_a.sql', 'README.md'], 'native'],
    [['20260101120000_a.sql'], 'native'],
    [[], 'native'],
    [['1_a.up.sql', '1_a.down.sql'], 'golang-migrate'],
    [['V1__a.sql', 'R__b.sql'], 'flyway'],
    [['sqitch.plan', 'sqitch.conf'], 'sqitch'],
  ])('%j → %s', (names, layout) => {
    expect(detectLayoutFromNames(names, 'migrations')).toBe(layout);
  });

  it('refuses a directory that mixes layouts, asking for --layout', () => {
    expect(() => detectLayoutFromNames(['0001_a.sql', '2_b.up.sql'], 'migrations')).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(/1 native \(e\.g\. 0001_a\.sql\), 1 golang-migrate .*--layout/),
      }),
    );
  });
});

describe('detectLayout', () => {
  it('finds a Flyway project whose scripts are all in subdirectories', async () => {
    const files = memoryMigrationFiles('sql', { 'release1/V1__a.sql': 'SELECT 1;', 'README.md': 'docs' });
    expect(await detectLayout(files)).toBe('flyway');
  });

  it('calls a directory with no migrations native', async () => {
    expect(await detectLayout(memoryMigrationFiles('m', { 'notes/todo.txt': 'x' }))).toBe('native');
  });
});

describe('--layout overrides detection', () => {
  it('reads a directory as the layout asked for', async () => {
    const files = memoryMigrationFiles('m', {
      '0001_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n',
    });
    expect((await loadMigrations('m', { files, layout: 'dbmate' })).layout).toBe('dbmate');
    await expect(loadMigrations('m', { files, layout: 'golang-migrate' })).rejects.toThrow(
      /does not match \{version\}_\{title\}\.up\.sql/,
    );
  });
});
