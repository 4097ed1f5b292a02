// Backup into S3 (s3rver) through the real S3 adapter, multipart and all, then list it and
// restore it with the CLI commands from its s3:// URI.
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { backupsCommand } from '../../../cli/commands/backups.ts';
import { restoreCommand } from '../../../cli/commands/restore.ts';
import { bufferSink } from '../../../cli/sink.ts';
import { S3BackupStore } from '../../../lambdas/adapters/s3-backup-store.ts';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import type { BackupSummary } from '../../../lambdas/engine/run-state.ts';
import { type Emulator, startS3 } from '../../support/aws-emulators.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { scalar, sql } from './table-rows.ts';

const bucket = 'stepmigrate-backups';
let s3: Emulator<S3Client>;
let target: TestDatabase;
let summary: BackupSummary;
let before: string;
const contentHash = "SELECT md5(string_agg(t::text, E'\\n' ORDER BY id)) FROM app.tokens t";

beforeAll(async () => {
  s3 = await startS3([bucket]);
  target = await createTestDatabase('backup_s3');
  // md5 text barely compresses: about 12 MB of gzip, so the upload takes several 5 MiB parts.
  await sql(
    target.db,
    `CREATE SCHEMA app; CREATE TABLE app.tokens (id int PRIMARY KEY, a text, b text, c text);
     INSERT INTO app.tokens SELECT i, md5(i::text), md5((i * 7)::text), md5((i * 13)::text) FROM generate_series(1, 200000) i;`,
  );
  before = await scalar<string>(target.db, contentHash);
  const store = new S3BackupStore({ client: s3.client, bucket, partSize: 5 * 1024 * 1024 });
  summary = await backupTables(
    { db: target.db, store },
    { executionId: 'exec-s3', database: 'tokens', tables: ['app.tokens'], fingerprintBefore: 'fp' },
  );
});
afterAll(async () => {
  await target?.drop();
  await s3?.stop();
});

describe('backups in S3', () => {
  it('writes the objects and manifest under s3://bucket/<database>/<execution>/', () => {
    expect(summary.location).toBe(`s3://${bucket}/tokens/exec-s3/manifest.json`);
    expect(summary.tables[0]).toMatchObject({ name: 'app.tokens', rows: 200000 });
  });

  it('are listed by `stepmigrate backups --from s3://…`', async () => {
    const sink = bufferSink();
    await backupsCommand({ from: `s3://${bucket}/`, json: true }, sink, { s3Client: s3.client });
    const [listing] = JSON.parse(sink.stdout.join('\n'));
    expect(listing).toMatchObject({
      executionId: 'exec-s3',
      database: 'tokens',
      rows: 200000,
      complete: true,
    });
    expect(listing.bytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('restore with `stepmigrate restore --from s3://…/manifest.json`', async () => {
    await sql(target.db, 'DROP TABLE app.tokens');
    const sink = bufferSink();
    await restoreCommand({ from: summary.location, databaseUrl: target.url, json: true }, sink, {
      s3Client: s3.client,
    });
    expect(JSON.parse(sink.stdout.join('\n'))).toMatchObject({
      tables: [{ name: 'app.tokens', recreated: true }],
    });
    expect(await scalar(target.db, 'SELECT count(*)::int FROM app.tokens')).toBe(200000);
    expect(await scalar(target.db, contentHash)).toBe(before);
  });
});

describe('a table backed up in chunks into S3', () => {
  it('restores from its chunk objects with `stepmigrate restore --from s3://…`', async () => {
    const store = new S3BackupStore({ client: s3.client, bucket, partSize: 5 * 1024 * 1024 });
    const chunked = await backupTables(
      { db: target.db, store },
      {
        executionId: 'exec-s3-chunks',
        database: 'tokens',
        tables: ['app.tokens'],
        fingerprintBefore: 'fp',
        chunkBytes: 4 * 1024 * 1024,
      },
    );
    const objects = await store.list('tokens/exec-s3-chunks/');
    expect(objects.map((o) => o.key.split('/').pop())).toEqual(
      expect.arrayContaining(['app.tokens.copy.0001.gz', 'app.tokens.copy.0002.gz', 'manifest.json']),
    );
    await sql(target.db, 'DELETE FROM app.tokens WHERE id % 3 = 0');

    const sink = bufferSink();
    await restoreCommand({ from: chunked.location, databaseUrl: target.url, json: true }, sink, {
      s3Client: s3.client,
    });

    expect(JSON.parse(sink.stdout.join('\n'))).toMatchObject({
      tables: [{ name: 'app.tokens', rows: 200000 }],
    });
    expect(await scalar(target.db, contentHash)).toBe(before);
  });
});
