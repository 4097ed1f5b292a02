import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LocalBackupStore } from '../../../lambdas/adapters/local-backup-store.ts';
import { readAll } from '../../../lambdas/engine/backup/stream-utils.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';

let project: string;
let store: LocalBackupStore;

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-store-'));
  store = LocalBackupStore.forProject(project);
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('LocalBackupStore', () => {
  it('writes under .stepmigrate/backups, reads back, and replaces on a second put', async () => {
    const stored = await store.put('db/exec-1/app.t.copy.gz', body('first'));
    expect(stored).toMatchObject({
      bytes: 5,
      location: join(project, '.stepmigrate/backups/db/exec-1/app.t.copy.gz'),
    });
    await store.put('db/exec-1/app.t.copy.gz', body('second!'));
    expect((await readAll(await store.get('db/exec-1/app.t.copy.gz'))).toString()).toBe('second!');
    expect(await store.list('db/')).toEqual([
      expect.objectContaining({ key: 'db/exec-1/app.t.copy.gz', bytes: 7 }),
    ]);
  });

  it('defers the flush of objects to sync(), lists one execution without the others, and writes again after a delete', async () => {
    await store.put('db/exec-1/app.a.copy.gz', body('aaa'), { deferSync: true });
    await store.put('db/exec-1/app.b.copy.gz', body('bb'), { deferSync: true });
    await store.put('db/exec-2/app.a.copy.gz', body('c'));
    expect((await readAll(await store.get('db/exec-1/app.b.copy.gz'))).toString()).toBe('bb');
    await store.sync();
    await store.sync(); // nothing left to flush

    expect((await store.list('db/exec-1/')).map((o) => [o.key, o.bytes])).toEqual([
      ['db/exec-1/app.a.copy.gz', 3],
      ['db/exec-1/app.b.copy.gz', 2],
    ]);
    await store.delete(['db/exec-2/app.a.copy.gz']);
    await store.put('db/exec-2/app.a.copy.gz', body('again'), { deferSync: true });
    expect((await store.list('db/exec-2/')).map((o) => o.bytes)).toEqual([5]);
  });

  it('leaves nothing under the key when the body fails mid-stream', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source died'));
      },
    });
    await expect(store.put('db/e/app.t.copy.gz', failing)).rejects.toThrow('source died');
    expect(await store.list('')).toEqual([]);
    expect(await readdir(join(project, '.stepmigrate/backups/db/e'))).toEqual([]);
  });

  it('says which key is missing', async () => {
    await expect(store.get('db/nope/manifest.json')).rejects.toThrow(BackupError);
    await expect(store.get('db/nope/manifest.json')).rejects.toThrow(
      /db\/nope\/manifest.json does not exist/,
    );
  });

  it('refuses keys that point outside the backups directory', async () => {
    await expect(store.put('../../etc/x', body('x'))).rejects.toThrow(/points outside/);
  });

  it('deletes objects and prunes the ones older than the retention', async () => {
    await store.put('db/old/manifest.json', body('{}'));
    await store.put('db/new/manifest.json', body('{}'));
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    await utimes(join(store.root, 'db/old/manifest.json'), longAgo, longAgo);
    await writeFile(join(store.root, 'db/new/stray.partial'), 'x');
    expect(await store.prune()).toEqual(['db/old/manifest.json']);
    expect((await store.list('')).map((o) => o.key)).toEqual(['db/new/manifest.json']);
    await store.delete(['db/new/manifest.json']);
    expect(await store.list('')).toEqual([]);
  });
});
