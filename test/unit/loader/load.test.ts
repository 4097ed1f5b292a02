// Reads real directories: a temporary one, and the sample migrations `npm start` runs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';

const body = '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n';

describe('loadMigrations from the file system', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'stepmigrate-load-'));
    await writeFile(join(directory, '0002_second.sql'), body);
    await writeFile(join(directory, '0001_first.sql'), body);
    await writeFile(join(directory, 'README.md'), '# not a migration');
    await writeFile(join(directory, '.0003_hidden.sql'), 'editor swap file');
    await mkdir(join(directory, 'archive'));
    await writeFile(join(directory, 'archive', '0009_old.sql'), 'ignored');
  });

  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('reads the .sql files in version order and ignores everything else', async () => {
    const set = await loadMigrations(directory);
    expect(set).toMatchObject({ directory, layout: 'native' });
    expect(set.migrations.map((migration) => migration.file)).toEqual(['0001_first.sql', '0002_second.sql']);
  });

  it('refuses a missing directory, naming the path', async () => {
    const missing = join(directory, 'nope');
    await expect(loadMigrations(missing)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`migrations directory ${missing} does not exist`),
    });
  });

  it('refuses a path that is a file', async () => {
    await expect(loadMigrations(join(directory, 'README.md'))).rejects.toMatchObject({ name: 'InputError' });
  });

  it('reads through injected files', async () => {
    const files = memoryMigrationFiles('mem', {
      '0007_x.sql': body,
      'notes.txt': 'hi',
      'sub/0001_y.sql': body,
    });
    const set = await loadMigrations('mem', { files });
    expect(set.migrations.map((migration) => migration.version)).toEqual(['0007']);
  });
});

describe('the sample migrations', () => {
  it('load without problems', async () => {
    const set = await loadMigrations(join(import.meta.dirname, '../../../migrations'));
    expect(set.migrations.length).toBeGreaterThanOrEqual(5);
    for (const migration of set.migrations) {
      expect(migration.down ?? migration.irreversible).toBeTruthy();
      expect(migration.verify).not.toBeNull();
    }
  });
});
