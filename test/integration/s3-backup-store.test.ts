import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3BackupReader } from '../../lambdas/adapters/s3-backup-reader.ts';
import { S3BackupStore } from '../../lambdas/adapters/s3-backup-store.ts';
import { BackupError } from '../../lambdas/engine/errors.ts';
import { type Emulator, startS3 } from '../support/aws-emulators.ts';

const bucket = 'stepmigrate-backups';
let s3: Emulator<S3Client>;
let store: S3BackupStore;

beforeAll(async () => {
  s3 = await startS3([bucket]);
  store = new S3BackupStore({ client: s3.client, bucket, prefix: 'backups/', partSize: 5 * 1024 * 1024 });
});

afterAll(async () => {
  await s3?.stop();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Emits `data` in uneven chunks, as a COPY → gzip pipeline does. */
function streamOf(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += 65_537)
    chunks.push(data.subarray(offset, offset + 65_537));
  return Readable.from(chunks);
}

describe('S3BackupStore', () => {
  it('streams a multipart object under the prefix and reads back the same bytes', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 123); // three parts of 5 MiB

    const stored = await store.put('exec-1/app.users.copy.gz', streamOf(data));
    const readBack = await buffer(await store.get('exec-1/app.users.copy.gz'));

    expect(stored).toMatchObject({
      key: 'exec-1/app.users.copy.gz',
      bytes: data.length,
      location: `s3://${bucket}/backups/exec-1/app.users.copy.gz`,
    });
    expect(readBack.length).toBe(data.length);
    expect(sha256(readBack)).toBe(sha256(data));
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'backups/exec-1/app.users.copy.gz' }),
    );
    expect(head.ContentLength).toBe(data.length);
  });

  it('stores a small object in one request', async () => {
    const stored = await store.put('exec-1/manifest.json', Readable.from([Buffer.from('{"tables":[]}')]));

    expect(stored.bytes).toBe(13);
    expect((await buffer(await store.get('exec-1/manifest.json'))).toString()).toBe('{"tables":[]}');
  });

  it('replaces an object when a retried step writes the same key', async () => {
    await store.put('exec-2/manifest.json', Readable.from([Buffer.from('first')]));
    await store.put('exec-2/manifest.json', Readable.from([Buffer.from('second')]));

    expect((await buffer(await store.get('exec-2/manifest.json'))).toString()).toBe('second');
  });

  it('names the s3:// location when a backup object does not exist', async () => {
    const reading = store.get('exec-404/manifest.json');

    await expect(reading).rejects.toThrow(BackupError);
    await expect(reading).rejects.toThrow(`s3://${bucket}/backups/exec-404/manifest.json does not exist`);
  });

  it('lists objects under a prefix with their sizes, keys relative to the store prefix', async () => {
    await store.put('exec-3/a.copy.gz', Readable.from([Buffer.from('aaaa')]));
    await store.put('exec-3/b.copy.gz', Readable.from([Buffer.from('bb')]));
    await store.put('exec-30/c.copy.gz', Readable.from([Buffer.from('c')]));

    const listed = await store.list('exec-3/');

    expect(listed.map(({ key, bytes }) => ({ key, bytes }))).toEqual([
      { key: 'exec-3/a.copy.gz', bytes: 4 },
      { key: 'exec-3/b.copy.gz', bytes: 2 },
    ]);
    expect(listed[0]?.location).toBe(`s3://${bucket}/backups/exec-3/a.copy.gz`);
    expect(listed[0]?.modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('deletes objects so they are gone from the listing', async () => {
    await store.put('exec-4/a.copy.gz', Readable.from([Buffer.from('a')]));
    await store.put('exec-4/b.copy.gz', Readable.from([Buffer.from('b')]));

    await store.delete(['exec-4/a.copy.gz', 'exec-4/b.copy.gz']);

    expect(await store.list('exec-4/')).toEqual([]);
    await expect(store.get('exec-4/a.copy.gz')).rejects.toThrow(BackupError);
  });

  it('fails with BackupError naming the object when the source stream breaks, and leaves no object', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('COPY connection terminated'));
      },
    });

    await expect(store.put('exec-5/broken.copy.gz', broken)).rejects.toThrow(
      `could not write backup object s3://${bucket}/backups/exec-5/broken.copy.gz`,
    );
    expect(await store.list('exec-5/')).toEqual([]);
  });
});

describe('S3BackupReader', () => {
  it("reads and lists what the store wrote, with the store's keys and locations", async () => {
    await store.put('exec-6/manifest.json', Readable.from([Buffer.from('{"tables":[]}')]));
    const reader = new S3BackupReader({ client: s3.client, bucket, prefix: 'backups/' });

    expect((await buffer(await reader.get('exec-6/manifest.json'))).toString()).toBe('{"tables":[]}');
    expect(await reader.list('exec-6/')).toEqual(await store.list('exec-6/'));
    await expect(reader.get('exec-404/manifest.json')).rejects.toThrow(
      `s3://${bucket}/backups/exec-404/manifest.json does not exist`,
    );
  });

  it('refuses to write or delete, naming the object, and leaves the bucket as it was', async () => {
    await store.put('exec-7/a.copy.gz', Readable.from([Buffer.from('a')]));
    const reader = new S3BackupReader({ client: s3.client, bucket, prefix: 'backups/' });

    const writing = reader.put('exec-7/a.copy.gz', Readable.from([Buffer.from('overwritten')]));
    await expect(writing).rejects.toThrow(BackupError);
    await expect(writing).rejects.toThrow(
      `cannot write backup object s3://${bucket}/backups/exec-7/a.copy.gz: this step reads backups only`,
    );
    const deleting = reader.delete(['exec-7/a.copy.gz']);
    await expect(deleting).rejects.toThrow(BackupError);
    await expect(deleting).rejects.toThrow(
      `cannot delete 1 backup object(s) under s3://${bucket}/backups/: this step reads backups only`,
    );

    expect((await buffer(await store.get('exec-7/a.copy.gz'))).toString()).toBe('a');
  });
});
