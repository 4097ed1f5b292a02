// golang-migrate files that wrap themselves in BEGIN … COMMIT run in the engine's transaction.
import { describe, expect, it } from '@jest/globals';
import { checksumSql } from '../../../lambdas/engine/checksum.ts';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';

describe('golang-migrate files with their own BEGIN/COMMIT', () => {
  const wrapped = 'BEGIN;\nCREATE TABLE posts (id bigint);\nCOMMIT;\n';
  const twoBlocks = 'BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n';
  const concurrent = 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON posts (id);\nCOMMIT;\n';

  it('run their body in the engine transaction, keeping lines and the checksum of the file as written', async () => {
    const files = memoryMigrationFiles('db', {
      '1_posts.up.sql': wrapped,
      '1_posts.down.sql': 'BEGIN;\nDROP TABLE posts;\nCOMMIT;\n',
      '2_two.up.sql': twoBlocks,
      '3_index.up.sql': concurrent,
    });
    const set = await loadMigrations('db', { files });
    const [posts, two, index] = set.migrations;
    expect(posts!.up).toEqual({
      sql: '      \nCREATE TABLE posts (id bigint);\n       \n',
      startLine: 1,
      transaction: true,
    });
    expect(posts!.down).toMatchObject({ sql: '      \nDROP TABLE posts;\n       \n', transaction: true });
    expect(posts!.checksum).toBe(checksumSql(wrapped));
    expect(two!.up).toMatchObject({ sql: twoBlocks, transaction: false });
    expect(index!.up).toMatchObject({ transaction: false });
  });
});
