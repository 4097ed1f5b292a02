// A table backed up by several COPY streams in page ranges, each chunk its own object: the
// chunks, concatenated in order, are byte for byte the one-stream backup; a restore reads them
// in order and proves the table identical; a missing or altered chunk refuses the restore and
// changes nothing; and the manifest is written only after the store made every object durable.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import { type BackupManifest, readManifest } from '../../../lambdas/engine/backup/manifest.ts';
import { restoreTables } from '../../../lambdas/engine/backup/restore-tables.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import type { PutOptions } from '../../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';
import { sql, tableRows } from './table-rows.ts';

let target: TestDatabase;
let store: MemoryBackupStore;

beforeAll(async () => {
  target = await createTestDatabase('backup_chunked');
  // Dozens of pages each, a gap of deleted rows in the middle, and a table without a primary
  // key: page ranges do not need one. The tests that change rows run last.
  await sql(
    target.db,
    `DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app;
     CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text,
       payload jsonb, at timestamptz, total numeric GENERATED ALWAYS AS (id * 2) STORED);
     INSERT INTO app.events (kind, payload, at)
       SELECT (ARRAY['a','b','c'])[1 + i % 3], jsonb_build_object('n', i, 's', repeat('x', i % 40)),
              timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(1, 3000) i;
     DELETE FROM app.events WHERE id BETWEEN 1200 AND 1600;
     CREATE TABLE app.log (line text);
     INSERT INTO app.log SELECT 'line ' || i FROM generate_series(1, 5000) i;`,
  );
});
afterAll(async () => {
  await target.drop();
});
beforeEach(() => {
  store = new MemoryBackupStore();
});

const request = (executionId: string, chunkBytes: number) => ({
  executionId,
  database: 'shop',
  tables: ['app.events', 'app.log'],
  fingerprintBefore: 'fp',
  chunkBytes,
});

const text = (key: string) => gunzipSync(store.objects.get(key)!.body);

async function chunkedBackup(): Promise<BackupManifest> {
  const summary = await backupTables({ db: target.db, store }, request('chunked', 32 * 1024));
  return readManifest(store, summary.manifestKey);
}

describe('a table read by several streams in page ranges', () => {
  it('is, chunk after chunk, byte for byte the one-stream backup, with a digest per chunk', async () => {
    const single = await readManifest(
      store,
      (await backupTables({ db: target.db, store }, request('single', 0))).manifestKey,
    );
    const chunked = await chunkedBackup();

    expect(single.formatVersion).toBe(2);
    expect(chunked.formatVersion).toBe(3);
    for (const [index, table] of chunked.tables.entries()) {
      const chunks = table.chunks!;
      expect(chunks.length).toBeGreaterThanOrEqual(4);
      expect(chunks.length % 2).toBe(0); // a multiple of the two streams
      expect(chunks[0]!.range).toEqual({ by: 'pages', to: expect.any(Number) });
      expect(chunks.at(-1)!.range).toEqual({ by: 'pages', from: expect.any(Number) });
      const whole = Buffer.concat(chunks.map((chunk) => text(chunk.key)));
      expect(whole.equals(text(single.tables[index]!.key))).toBe(true);
      for (const chunk of chunks) {
        expect(createHash('sha256').update(text(chunk.key)).digest('hex')).toBe(chunk.sha256);
      }
      expect(table.rows).toBe(single.tables[index]!.rows);
      expect(table.bytes).toBe(whole.length);
    }
  });

  it('restores from its chunks in order and proves the table identical by checksum', async () => {
    const before = await tableRows(target.db, 'app.events');
    const manifest = await chunkedBackup();
    await sql(
      target.db,
      "UPDATE app.events SET kind = 'z' WHERE id % 7 = 0; DELETE FROM app.events WHERE id > 2800",
    );

    const result = await restoreTables({ db: target.db, store }, { manifest, tables: ['app.events'] });

    expect(result.tables.map((t) => [t.name, t.verifiedBy])).toEqual([['app.events', 'checksum']]);
    expect(await tableRows(target.db, 'app.events')).toEqual(before);
  });

  it('refuses, changing nothing, when a chunk is missing or altered', async () => {
    const manifest = await chunkedBackup();
    await sql(target.db, 'DELETE FROM app.events WHERE id > 2800');
    const changed = await tableRows(target.db, 'app.events');
    const chunks = manifest.tables[0]!.chunks!;

    const altered = text(chunks[1]!.key).toString('utf8').replace('\tb\t', '\tc\t');
    store.objects.set(chunks[1]!.key, { body: gzipSync(altered), modifiedAt: '' });
    const tampered = await restoreTables(
      { db: target.db, store },
      { manifest, tables: ['app.events'] },
    ).catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(BackupError);
    expect((tampered as Error).message).toMatch(/does not match its manifest/);

    store.objects.delete(chunks[2]!.key);
    const missing = await restoreTables({ db: target.db, store }, { manifest, tables: ['app.events'] }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(BackupError);
    expect((missing as Error).message).toContain(chunks[2]!.key);
    expect(await tableRows(target.db, 'app.events')).toEqual(changed);
  });
});

describe('durability', () => {
  it('writes the manifest only after the store made every object durable', async () => {
    const calls: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, body, options?: PutOptions) => {
      calls.push(`${options?.deferSync ? 'deferred' : 'durable'} ${key.split('/').pop()}`);
      return put(key, body);
    };
    const remove = store.delete.bind(store);
    store.delete = (keys) => {
      calls.push(...keys.map((key) => `delete ${key.split('/').pop()}`));
      return remove(keys);
    };
    Object.assign(store, { sync: async () => void calls.push('sync') });

    await chunkedBackup();

    // A retried step's earlier manifest goes first: it must never name a rewritten object.
    expect(calls[0]).toBe('delete manifest.json');
    expect(calls.at(-2)).toBe('sync');
    expect(calls.at(-1)).toBe('durable manifest.json');
    expect(calls.slice(1, -2).every((call) => call.startsWith('deferred '))).toBe(true);
  });

  it('writes no manifest when the objects cannot be made durable', async () => {
    Object.assign(store, {
      sync: async () => {
        throw new Error('EIO: i/o error, fsync');
      },
    });

    const error = await chunkedBackup().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(/cannot flush .* no manifest was written/);
    expect([...store.objects.keys()].some((key) => key.endsWith('manifest.json'))).toBe(false);
  });
});
