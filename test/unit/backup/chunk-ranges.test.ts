// Where a big table is cut, and the digest that lets a restore verify the concatenation of
// its chunks the way it verifies a single object.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type ChunkRange, pageRanges, rangeCondition } from '../../../lambdas/engine/backup/chunk-ranges.ts';
import { chunkedDigest, DigestStream } from '../../../lambdas/engine/backup/digest-stream.ts';

const mib = 1024 * 1024;

describe('pageRanges', () => {
  it('covers every page exactly once, open below and above, in a multiple of the streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 64 }),
        (pages, streams, chunkMib) => {
          const ranges = pageRanges({ pages, blockSize: 8192, chunkBytes: chunkMib * mib, streams });
          if (pages * 8192 < 2 * chunkMib * mib) return ranges.length === 0;
          const bounded = ranges as Extract<ChunkRange, { by: 'pages' }>[];
          expect(bounded[0]!.from).toBeUndefined();
          expect(bounded.at(-1)!.to).toBeUndefined();
          for (let i = 1; i < bounded.length; i++) {
            if (bounded[i]!.from !== bounded[i - 1]!.to) return false;
          }
          // Every cut inside the table and after the one before: no chunk is empty or reversed.
          const cuts = bounded.slice(1).map((range) => range.from!);
          cuts.forEach((cut, i) => {
            expect(cut).toBeGreaterThan(i === 0 ? 0 : cuts[i - 1]!);
            expect(cut).toBeLessThan(pages);
          });
          if (ranges.length < pages) expect(ranges.length % streams).toBe(0);
          return ranges.length >= 2;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves a table alone that is smaller than two chunks, or when there is one stream', () => {
    expect(pageRanges({ pages: 100, blockSize: 8192, chunkBytes: mib, streams: 2 })).toEqual([]);
    expect(pageRanges({ pages: 100_000, blockSize: 8192, chunkBytes: mib, streams: 1 })).toEqual([]);
    expect(pageRanges({ pages: 100_000, blockSize: 8192, chunkBytes: 0, streams: 2 })).toEqual([]);
  });

  it('selects a page range by ctid, and a key range by the key', () => {
    expect(rangeCondition({ by: 'pages', from: 10, to: 20 })).toBe(
      "ctid >= '(10,0)'::pg_catalog.tid AND ctid < '(20,0)'::pg_catalog.tid",
    );
    expect(rangeCondition({ by: 'key', column: 'Id', type: 'bigint', to: "5'" })).toBe(
      `"Id" < '5'''::bigint`,
    );
  });
});

async function digestOf(parts: Buffer[], chunkRows: number[]) {
  const digest = new DigestStream(chunkRows);
  await pipeline(
    Readable.from(parts),
    digest,
    new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    }),
  );
  return digest.digest();
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the digest of a chunked table', () => {
  it('equals the digest of the chunk digests, however the concatenated text arrives', async () => {
    const rowText = fc.array(
      fc.stringMatching(/^[a-z\t]{0,12}$/).map((row) => `${row}\n`),
      { maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowText, { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 1, max: 9 }),
        async (chunks, cut) => {
          const whole = Buffer.from(chunks.map((rows) => rows.join('')).join(''));
          const parts: Buffer[] = [];
          for (let at = 0; at < whole.length; at += cut) parts.push(whole.subarray(at, at + cut));

          const digest = await digestOf(
            parts,
            chunks.map((rows) => rows.length),
          );

          expect(digest.sha256).toBe(chunkedDigest(chunks.map((rows) => sha(rows.join('')))));
          expect(digest.rows).toBe(chunks.flat().length);
          expect(digest.bytes).toBe(whole.length);
        },
      ),
    );
  });

  it('differs when a row moved from one chunk to the next', async () => {
    const right = await digestOf([Buffer.from('a\nb\nc\n')], [2, 1]);
    const moved = await digestOf([Buffer.from('a\nb\nc\n')], [1, 2]);
    expect(right.sha256).toBe(chunkedDigest([sha('a\nb\n'), sha('c\n')]));
    expect(moved.sha256).not.toBe(right.sha256);
  });

  it('closes chunks of no rows even when the whole text is empty', async () => {
    expect((await digestOf([], [0, 0])).sha256).toBe(chunkedDigest([sha(''), sha('')]));
    expect((await digestOf([Buffer.from('a\n')], [0, 1, 0])).sha256).toBe(
      chunkedDigest([sha(''), sha('a\n'), sha('')]),
    );
  });

  it('is the plain SHA-256 for a table of one object', async () => {
    expect((await digestOf([Buffer.from('a\nb\n')], [])).sha256).toBe(sha('a\nb\n'));
  });
});
