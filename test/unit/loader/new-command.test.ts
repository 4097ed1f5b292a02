// Runs `stepmigrate new` against a temporary directory.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createMigration, newCommand } from '../../../cli/commands/new.ts';
import { bufferSink } from '../../../cli/sink.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';

describe('stepmigrate new', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stepmigrate-new-'));
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('creates the directory and writes 0001 from the template', async () => {
    const directory = join(root, 'migrations');
    const created = await createMigration(directory, 'create_users');
    expect(created).toEqual({
      version: '0001',
      name: 'create_users',
      file: '0001_create_users.sql',
      path: join(directory, '0001_create_users.sql'),
    });
    const text = await readFile(created.path, 'utf8');
    expect(text).toContain('-- migrate:up\n');
    expect(text).toContain('-- migrate:down\n');
    expect(text).toContain('-- migrate:verify\n');
  });

  it('writes the version after the highest existing one, and the loader orders it last', async () => {
    const body = '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n';
    await writeFile(join(root, '0002_a.sql'), body);
    await writeFile(join(root, '0010_b.sql'), body);
    const created = await createMigration(root, 'add_email');
    expect(created.file).toBe('0011_add_email.sql');
    await writeFile(created.path, body);
    const set = await loadMigrations(root);
    expect(set.migrations.at(-1)?.file).toBe('0011_add_email.sql');
  });

  it('refuses a bad name and writes nothing', async () => {
    await expect(createMigration(root, 'Add Email')).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('e.g. "add_email"'),
    });
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a directory of another layout', async () => {
    await writeFile(join(root, '1_init.up.sql'), 'SELECT 1;');
    await expect(createMigration(root, 'add_email')).rejects.toThrow(/holds golang-migrate migrations/);
    expect(await readdir(root)).toEqual(['1_init.up.sql']);
  });

  it('prints the created file, as JSON with --json', async () => {
    const sink = bufferSink();
    expect(await newCommand('add_index', { migrations: root, json: true }, sink)).toBe(0);
    expect(JSON.parse(sink.stdout.join('\n'))).toMatchObject({ version: '0001', file: '0001_add_index.sql' });
    const text = bufferSink();
    await newCommand('add_more', { migrations: root }, text);
    expect(text.stdout).toEqual([
      `created ${join(root, '0002_add_more.sql')}: write its up and down sections`,
    ]);
  });
});
