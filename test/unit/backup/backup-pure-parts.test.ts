import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { mapWithConcurrency } from '../../../lambdas/engine/backup/concurrency.ts';
import { copyInSql, copyOutSql } from '../../../lambdas/engine/backup/copy-format.ts';
import { DigestStream, RowSetDigestStream } from '../../../lambdas/engine/backup/digest-stream.ts';
import { manifestKey, readManifest, tableKey } from '../../../lambdas/engine/backup/manifest.ts';
import { withRetries } from '../../../lambdas/engine/backup/retry.ts';
import { BackupError } from '../../../lambdas/engine/errors.ts';
import { MemoryBackupStore } from '../../support/memory-backup-store.ts';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

async function digestOf(chunks: string[]) {
  const digest = new DigestStream();
  const rows = new RowSetDigestStream();
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), digest, rows, sink());
  return { ...digest.digest(), rowSet: rows.digest() };
}

describe('COPY statements', () => {
  const target = {
    schema: 'app',
    table: 'Odd "name"',
    partitioned: false,
    copyColumns: ['id', 'Mixed Case'],
  };

  it('names columns explicitly and quotes every identifier', () => {
    expect(copyOutSql(target)).toBe('COPY "app"."Odd ""name""" ("id", "Mixed Case") TO STDOUT');
    expect(copyInSql(target)).toBe('COPY "app"."Odd ""name""" ("id", "Mixed Case") FROM STDIN');
  });

  it('reads only the parent itself when its rows are backed up in its partitions (format 2)', () => {
    expect(copyOutSql({ ...target, partitioned: true, rowsInPartitions: true })).toBe(
      'COPY (SELECT "id", "Mixed Case" FROM ONLY "app"."Odd ""name""") TO STDOUT',
    );
  });

  it('reads a partitioned table through a SELECT, since COPY cannot read one directly', () => {
    expect(copyOutSql({ ...target, partitioned: true })).toBe(
      'COPY (SELECT "id", "Mixed Case" FROM "app"."Odd ""name""") TO STDOUT',
    );
  });
});

describe('keys', () => {
  it('puts every object of an execution under <database>/<executionId>/', () => {
    expect(tableKey('prod', 'exec-1', 'app.users')).toBe('prod/exec-1/app.users.copy.gz');
    expect(manifestKey('prod', 'exec-1')).toBe('prod/exec-1/manifest.json');
  });

  it('keeps names that are not file-name safe from escaping their prefix', () => {
    expect(tableKey('prod', 'arn:aws:states:x/../y', 'app.ü/..')).toBe(
      'prod/arn%3Aaws%3Astates%3Ax%2F..%2Fy/app.%C3%BC%2F...copy.gz',
    );
  });
});

describe('digest streams', () => {
  it('counts rows as lines, bytes, and hashes exactly the bytes that passed', async () => {
    const result = await digestOf(['1\ta\n2\t', 'b\n3\t\\N\n']);
    expect(result).toMatchObject({ rows: 3, bytes: 13 });
    expect(result.sha256).toBe(createHash('sha256').update('1\ta\n2\tb\n3\t\\N\n').digest('hex'));
  });

  it('row-set digest ignores order but not duplicates or content', async () => {
    const a = await digestOf(['x\n', 'y\nx\n']);
    const reordered = await digestOf(['x\nx', '\ny\n']);
    const lostDuplicate = await digestOf(['x\ny\n']);
    const changed = await digestOf(['x\nz\nx\n']);
    expect(reordered.rowSet).toBe(a.rowSet);
    expect(reordered.sha256).not.toBe(a.sha256);
    expect(lostDuplicate.rowSet).not.toBe(a.rowSet);
    expect(changed.rowSet).not.toBe(a.rowSet);
  });
});

describe('bounded concurrency', () => {
  it('never runs more than the limit at once and keeps result order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 3, 2, 4], 2, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });

  it('starts nothing new after a failure and reports it', async () => {
    const started: number[] = [];
    const work = mapWithConcurrency([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      return n;
    });
    await expect(work).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});

describe('retries', () => {
  it('retries what is retryable, up to the attempt limit', async () => {
    let calls = 0;
    const flaky = () => {
      calls++;
      return calls < 3 ? Promise.reject(new Error('transient')) : Promise.resolve('ok');
    };
    await expect(withRetries(flaky, { attempts: 3, baseDelayMs: 1, retryable: () => true })).resolves.toBe(
      'ok',
    );
    calls = 0;
    await expect(withRetries(flaky, { attempts: 3, baseDelayMs: 1, retryable: () => false })).rejects.toThrow(
      'transient',
    );
    expect(calls).toBe(1);
  });
});

describe('reading a manifest', () => {
  it('refuses something that is not a manifest, naming the key', async () => {
    const store = new MemoryBackupStore();
    await store.put('x/manifest.json', Readable.from([Buffer.from('{"hello": 1}')]));
    await store.put('y/manifest.json', Readable.from([Buffer.from('not json')]));
    await expect(readManifest(store, 'x/manifest.json')).rejects.toThrow(
      /x\/manifest.json has no "tables" list/,
    );
    await expect(readManifest(store, 'y/manifest.json')).rejects.toThrow(BackupError);
    await expect(readManifest(store, 'z/manifest.json')).rejects.toThrow(/z\/manifest.json does not exist/);
  });
});
