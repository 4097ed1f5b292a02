// A backup that cannot be trusted is refused with a BackupError and the database is left
// exactly as it was; a retried Backup step overwrites its own objects; the parallel copies
// read one consistent snapshot; a store that fails once does not fail the backup.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PgDatabase } from '../../../lambdas/adapters/pg-database.ts';
import { backupTables } from '../../../lambdas/engine/backup/backup-tables.ts';
import { manifestBody, readManifest } from '../../../lambdas/engine/backup/manifest.ts';
import { restoreAfterDown, restoreTables } from '../../../lambdas/engine/backup/restore-tables.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';
import { scalar, sql, tableRows } from './table-rows.ts';

let target: TestDatabase;
let store: MemoryBackupStore;

beforeAll(async () => {
  target = await createTestDatabase('backup_refusals');
});
afterAll(async () => {
  await target.drop();
});
beforeEach(async () => {
  await sql(
    target.db,
    `DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app;
     CREATE TABLE app.accounts (id serial PRIMARY KEY, owner text, balance numeric);
     INSERT INTO app.accounts (owner, balance) SELECT 'owner ' || i, i * 10.5 FROM generate_series(1, 5000) i;
     CREATE TABLE app.notes (id int PRIMARY KEY, body text);
     INSERT INTO app.notes SELECT i, repeat('note ', i % 50) FROM generate_series(1, 300) i;`,
  );
  store = new MemoryBackupStore();
});

const request = (executionId: string, tables = ['app.accounts', 'app.notes']) => ({
  executionId,
  database: 'bank',
  tables,
  fingerprintBefore: 'fp',
});

/** Backs up, then changes the data, and returns what the database looks like after the change. */
async function backupThenChange() {
  const summary = await backupTables({ db: target.db, store }, request('exec-1'));
  await sql(
    target.db,
    'UPDATE app.accounts SET balance = 0 WHERE id <= 100; DELETE FROM app.notes WHERE id > 250',
  );
  return {
    summary,
    changed: [await tableRows(target.db, 'app.accounts'), await tableRows(target.db, 'app.notes')],
  };
}

async function expectRefusal(manifestKey: string, pattern: RegExp, changed: string[][][]) {
  const error = await restoreTables({ db: target.db, store }, { manifest: manifestKey }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupError);
  expect((error as Error).message).toMatch(pattern);
  expect([await tableRows(target.db, 'app.accounts'), await tableRows(target.db, 'app.notes')]).toEqual(
    changed,
  );
}

describe('restore refuses a backup it cannot trust and changes nothing', () => {
  it('a corrupted object (one byte flipped)', async () => {
    const { summary, changed } = await backupThenChange();
    const key = summary.tables.find((t) => t.name === 'app.accounts')!.key;
    const object = store.objects.get(key)!;
    object.body[Math.floor(object.body.length / 2)]! ^= 0xff;
    await expectRefusal(
      summary.manifestKey,
      /backup object bank\/exec-1\/app\.accounts\.copy\.gz of app\.accounts is corrupt/,
      changed,
    );
  });

  it('a missing object', async () => {
    const { summary, changed } = await backupThenChange();
    const key = summary.tables.find((t) => t.name === 'app.notes')!.key;
    await store.delete([key]);
    await expectRefusal(summary.manifestKey, new RegExp(`backup of app\\.notes is missing: ${key}`), changed);
  });

  it('an object that does not match the checksum in the manifest', async () => {
    const { summary, changed } = await backupThenChange();
    const manifest = await readManifest(store, summary.manifestKey);
    manifest.tables[1]!.sha256 = '0'.repeat(64);
    store.objects.set(summary.manifestKey, {
      body: manifestBody(manifest),
      modifiedAt: new Date().toISOString(),
    });
    await expectRefusal(
      summary.manifestKey,
      new RegExp(`${manifest.tables[1]!.name}.*does not match its manifest`),
      changed,
    );
  });

  it('an object replaced by other, valid gzip data', async () => {
    const { summary, changed } = await backupThenChange();
    const key = summary.tables.find((t) => t.name === 'app.notes')!.key;
    store.objects.set(key, { body: gzipSync('1\tforged\n'), modifiedAt: new Date().toISOString() });
    await expectRefusal(summary.manifestKey, /app\.notes.*does not match its manifest/, changed);
  });

  it('a table the backup does not hold', async () => {
    const { summary } = await backupThenChange();
    await expect(
      restoreTables({ db: target.db, store }, { manifest: summary.manifestKey, tables: ['app.ghost'] }),
    ).rejects.toThrow(
      /app\.ghost is not in the backup of execution exec-1 \(it holds: app\.(accounts|notes), app\.(accounts|notes)\)/,
    );
  });
});

describe('reruns, snapshots and retries', () => {
  it('re-running Backup for the same execution overwrites its objects and drops ones no longer wanted', async () => {
    await backupTables({ db: target.db, store }, request('exec-7'));
    const first = [...store.objects.keys()].sort();
    await backupTables({ db: target.db, store }, request('exec-7'));
    expect([...store.objects.keys()].sort()).toEqual(first);
    expect(first).toEqual([
      'bank/exec-7/app.accounts.copy.gz',
      'bank/exec-7/app.notes.copy.gz',
      'bank/exec-7/manifest.json',
    ]);
    await backupTables({ db: target.db, store }, request('exec-7', ['app.notes']));
    expect([...store.objects.keys()].sort()).toEqual([
      'bank/exec-7/app.notes.copy.gz',
      'bank/exec-7/manifest.json',
    ]);
  });

  it('copies every table from the same snapshot, even when rows change while it runs', async () => {
    let changedDuringBackup = false;
    store.beforePut = async () => {
      if (changedDuringBackup) return;
      changedDuringBackup = true;
      await sql(
        target.db,
        "INSERT INTO app.notes VALUES (9999, 'late'); INSERT INTO app.accounts (owner) VALUES ('late')",
      );
    };
    const summary = await backupTables({ db: target.db, store }, { ...request('exec-s'), concurrency: 1 });
    expect(changedDuringBackup).toBe(true);
    expect(Object.fromEntries(summary.tables.map((t) => [t.name, t.rows]))).toEqual({
      'app.accounts': 5000,
      'app.notes': 300,
    });
  });

  it('retries a store write that fails, and the retried object restores', async () => {
    let failures = 0;
    store.beforePut = (key) => {
      if (key.endsWith('app.accounts.copy.gz') && failures === 0) {
        failures++;
        throw new Error('503 SlowDown');
      }
    };
    const summary = await backupTables({ db: target.db, store }, request('exec-r'));
    expect(failures).toBe(1);
    const before = await tableRows(target.db, 'app.accounts');
    await sql(target.db, 'TRUNCATE app.accounts');
    await restoreAfterDown({ db: target.db, store }, summary.manifestKey, ['app.accounts']);
    expect(await tableRows(target.db, 'app.accounts')).toEqual(before);
  });

  it('gives up with a BackupError naming the key when the store keeps failing', async () => {
    store.beforePut = () => {
      throw new Error('connection reset');
    };
    await expect(backupTables({ db: target.db, store }, request('exec-f', ['app.notes']))).rejects.toThrow(
      /cannot write the backup of app\.notes to bank\/exec-f\/app\.notes\.copy\.gz: connection reset/,
    );
    expect(
      await scalar(
        target.db,
        "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'idle in transaction'",
      ),
    ).toBe(0);
  });

  it('records tables that did not exist, and Rollback skips them', async () => {
    const summary = await backupTables(
      { db: target.db, store },
      request('exec-m', ['app.notes', 'app.created_by_run']),
    );
    expect((await readManifest(store, summary.manifestKey)).missingAtBackup).toEqual(['app.created_by_run']);
    const result = await restoreAfterDown({ db: target.db, store }, summary.manifestKey, [
      'app.created_by_run',
    ]);
    expect(result.tables).toEqual([]);
  });
});

describe('a Database opened without COPY support (no pgCopyStreams)', () => {
  const noCopy =
    /this Database was opened without COPY support: only the steps that back up or restore are given pgCopyStreams/;

  it('fails a backup with a BackupError that says so, and writes no manifest', async () => {
    const db = new PgDatabase(target.url);
    try {
      const error = await backupTables({ db, store }, request('exec-nc')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackupError);
      expect((error as Error).message).toMatch(noCopy);
      expect(await store.list('bank/exec-nc/')).toEqual([]);
      // The refusal comes before any COPY starts: the connection is still good for queries.
      expect(await scalar(db, 'SELECT 1')).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('fails a restore with a BackupError that says so, and changes nothing', async () => {
    const { summary, changed } = await backupThenChange();
    const db = new PgDatabase(target.url);
    try {
      const error = await restoreTables({ db, store }, { manifest: summary.manifestKey }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackupError);
      expect((error as Error).message).toMatch(noCopy);
      expect([await tableRows(target.db, 'app.accounts'), await tableRows(target.db, 'app.notes')]).toEqual(
        changed,
      );
    } finally {
      await db.close();
    }
  });
});
