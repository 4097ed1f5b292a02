// The read-back check before a restore commits, with an in-memory connection: rows that come
// back in another order pass by row set; a changed or missing row never passes.
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import type { TableBackup } from '../../../lambdas/engine/backup/manifest.ts';
import { verifyRestoredTable } from '../../../lambdas/engine/backup/verify-restore.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import type { SqlConnection } from '../../../lambdas/ports.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';

const backedUp = '1\talice\n2\tbob\n3\tcarol\n2\tbob\n';

function tableReadingBack(text: string): SqlConnection {
  return {
    processId: 1,
    query: async () => ({ rows: [], rowCount: 0 }),
    copyTo: () => Readable.from([Buffer.from(text)]),
    copyFrom: () => {
      throw new Error('not used');
    },
  } as unknown as SqlConnection & { copyFrom(): Writable };
}

async function setUp() {
  const store = new MemoryBackupStore();
  await store.put('db/e/app.people.copy.gz', Readable.from([gzipSync(backedUp)]));
  const table = {
    name: 'app.people',
    schema: 'app',
    table: 'people',
    partitioned: false,
    rows: 4,
    bytes: Buffer.byteLength(backedUp),
    sha256: createHash('sha256').update(backedUp).digest('hex'),
    key: 'db/e/app.people.copy.gz',
    copyColumns: ['id', 'name'],
  } as TableBackup;
  return { store, table };
}

describe('verifyRestoredTable', () => {
  it('passes by checksum when the table reads back byte for byte', async () => {
    const { store, table } = await setUp();
    expect(await verifyRestoredTable(tableReadingBack(backedUp), store, table)).toBe('checksum');
  });

  it('passes by row set when the same rows read back in another order', async () => {
    const { store, table } = await setUp();
    const reordered = '2\tbob\n3\tcarol\n2\tbob\n1\talice\n';
    expect(await verifyRestoredTable(tableReadingBack(reordered), store, table)).toBe('row-set');
  });

  it('fails when a row changed, even with the same count', async () => {
    const { store, table } = await setUp();
    const changed = '2\tbob\n3\tcarol\n3\tcarol\n1\talice\n';
    await expect(verifyRestoredTable(tableReadingBack(changed), store, table)).rejects.toThrow(BackupError);
    await expect(verifyRestoredTable(tableReadingBack(changed), store, table)).rejects.toThrow(
      /restored app\.people does not read back as the backup \(expected 4 rows/,
    );
  });

  it('fails when a row is missing', async () => {
    const { store, table } = await setUp();
    await expect(
      verifyRestoredTable(tableReadingBack('1\talice\n2\tbob\n3\tcarol\n'), store, table),
    ).rejects.toThrow(/read 3 rows/);
  });
});
