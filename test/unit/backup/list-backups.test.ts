import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { listBackups } from '../../../cli/commands/backups.ts';
import type { BackupManifest } from '../../../lambdas/engine/backup/manifest.ts';
import { manifestBody } from '../../../lambdas/engine/backup/manifest.ts';
import { formatBytes } from '../../../lambdas/engine/bytes.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';

function manifest(executionId: string, createdAt: string): BackupManifest {
  return {
    formatVersion: 1,
    executionId,
    database: 'shop',
    serverVersion: '17.2',
    fingerprintBefore: 'fp',
    createdAt,
    format: { copy: 'text', compression: 'gzip', settings: {} },
    tables: [
      { name: 'app.users', rows: 10 },
      { name: 'app.orders', rows: 5 },
    ].map((t) => ({
      ...t,
      schema: 'app',
      table: t.name.slice(4),
      partitioned: false,
      bytes: 100,
      compressedBytes: 40,
      sha256: 'x',
      key: `shop/${executionId}/${t.name}.copy.gz`,
      location: '',
      columns: [],
      copyColumns: [],
      ddl: { create: [], foreignKeys: [] },
      sequences: [],
    })),
    missingAtBackup: [],
  };
}

const put = (store: MemoryBackupStore, key: string, body: Buffer | string) =>
  store.put(key, Readable.from([Buffer.from(body)]));

describe('listBackups', () => {
  it('lists one entry per execution, newest first, with tables, rows, bytes and age', async () => {
    const store = new MemoryBackupStore();
    await put(store, 'shop/old/manifest.json', manifestBody(manifest('old', '2026-11-01T00:00:00Z')));
    await put(store, 'shop/old/app.users.copy.gz', 'x'.repeat(40));
    await put(store, 'shop/new/manifest.json', manifestBody(manifest('new', '2026-11-20T00:00:00Z')));
    await put(store, 'shop/broken/app.users.copy.gz', 'x'.repeat(7));
    const listings = await listBackups(store, '', new Date('2026-11-21T12:00:00Z'));
    expect(listings.map((l) => [l.executionId, l.complete, l.ageDays, l.rows])).toEqual([
      ['new', true, 1, 15],
      ['old', true, 20, 15],
      ['broken', false, null, 0],
    ]);
    expect(listings[1]!.tables).toEqual(['app.users', 'app.orders']);
    expect(listings[1]!.bytes).toBeGreaterThan(40);
  });

  it('prints sizes for people', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1024 ** 3)]).toEqual([
      '512 B',
      '2.0 KiB',
      '5.0 GiB',
    ]);
  });
});
