// `stepmigrate backups` and `stepmigrate restore` as a user runs them: a backup written to
// a project's .stepmigrate/backups is listed, and restored by its manifest path.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { backupsCommand } from '../../cli/commands/backups.ts';
import { restoreCommand } from '../../cli/commands/restore.ts';
import { main } from '../../cli/main.ts';
import { bufferSink } from '../../cli/sink.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { backupTables } from '../../lambdas/engine/backup/backup-tables.ts';
import { scalar, sql } from '../integration/backup/table-rows.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let target: TestDatabase;
let project: string;
let manifestPath: string;

beforeAll(async () => {
  target = await createTestDatabase('backup_cli');
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-cli-'));
  await sql(
    target.db,
    `CREATE SCHEMA app; CREATE TABLE app.users (id int PRIMARY KEY, email text);
     INSERT INTO app.users SELECT i, 'u' || i FROM generate_series(1, 100) i;`,
  );
  const summary = await backupTables(
    { db: target.db, store: LocalBackupStore.forProject(project) },
    { executionId: 'exec-cli', database: 'shop', tables: ['app.users'], fingerprintBefore: 'fp' },
  );
  manifestPath = summary.location;
});
afterAll(async () => {
  await target.drop();
  await rm(project, { recursive: true, force: true });
});

describe('stepmigrate backups', () => {
  it('lists the backup with its tables and the restore command', async () => {
    const sink = bufferSink();
    const cwd = process.cwd();
    process.chdir(project);
    try {
      await backupsCommand({}, sink);
    } finally {
      process.chdir(cwd);
    }
    expect(sink.text()).toMatch(/exec-cli {2}shop {2}1 table\(s\), 100 rows .* today/);
    expect(sink.text()).toContain(`stepmigrate restore --from ${manifestPath}`);
  });

  it('prints JSON for machines', async () => {
    const sink = bufferSink();
    await backupsCommand({ from: join(project, '.stepmigrate/backups'), json: true }, sink);
    expect(JSON.parse(sink.stdout.join('\n'))).toEqual([
      expect.objectContaining({
        executionId: 'exec-cli',
        database: 'shop',
        tables: ['app.users'],
        rows: 100,
        complete: true,
      }),
    ]);
  });

  it('prints one JSON document with the error when --prune is refused', async () => {
    const sink = bufferSink();
    const code = await backupsCommand(
      { from: join(project, '.stepmigrate/backups'), prune: true, retentionDays: 'soon', json: true },
      sink,
    );
    expect(code).not.toBe(0);
    expect(JSON.parse(sink.stdout.join('\n'))).toEqual({
      error: expect.objectContaining({ name: 'InputError', message: expect.stringContaining('"soon"') }),
    });
    expect(sink.stderr).toEqual([expect.stringMatching(/^stepmigrate: InputError: --retention-days/)]);
  });
});

describe('stepmigrate restore', () => {
  it('restores from the manifest path and reports each verified table', async () => {
    await sql(target.db, 'DELETE FROM app.users WHERE id > 10');
    const sink = bufferSink();
    await restoreCommand({ from: manifestPath, databaseUrl: target.url, json: true }, sink);
    expect(JSON.parse(sink.stdout.join('\n'))).toMatchObject({
      committed: true,
      tables: [{ name: 'app.users', rows: 100, verifiedBy: 'checksum' }],
    });
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.users')).toBe(100);
  });

  it('restores a backup directory that was copied elsewhere', async () => {
    const copy = join(project, 'copied-backup');
    await cp(join(project, '.stepmigrate/backups/shop/exec-cli'), copy, { recursive: true });
    await sql(target.db, 'TRUNCATE app.users');
    const sink = bufferSink();
    await restoreCommand({ from: copy, databaseUrl: target.url, table: ['app.users'] }, sink);
    expect(sink.stdout.join('\n')).toMatch(
      /restored 1 table\(s\).*\n {2}✓ app\.users: 100 rows, verified by checksum/,
    );
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.users')).toBe(100);
  });

  it('exits 1 with a BackupError naming the table when the backup does not hold it', async () => {
    const code = await main([
      'restore',
      '--from',
      manifestPath,
      '--table',
      'app.orders',
      '--database-url',
      target.url,
    ]);
    expect(code).toBe(1);
  });

  it('prints one JSON document with the error when it refuses, and changes nothing', async () => {
    await sql(target.db, 'DELETE FROM app.users WHERE id > 50');
    const sink = bufferSink();
    const code = await restoreCommand(
      { from: manifestPath, databaseUrl: target.url, table: ['app.orders'], json: true },
      sink,
    );
    expect(code).toBe(1);
    expect(JSON.parse(sink.stdout.join('\n'))).toEqual({
      from: manifestPath,
      committed: false,
      error: { name: 'BackupError', message: expect.stringMatching(/app\.orders is not in the backup/) },
    });
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.users')).toBe(50);
  });

  it('prints the error as JSON when the backup cannot be read at all', async () => {
    const sink = bufferSink();
    const code = await restoreCommand(
      { from: join(project, 'no-such-backup'), databaseUrl: target.url, json: true },
      sink,
    );
    expect(code).not.toBe(0);
    expect(JSON.parse(sink.stdout.join('\n')).error).toMatchObject({ name: expect.stringMatching(/Error$/) });
  });
});
