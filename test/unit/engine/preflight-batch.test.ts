// Preflight reads everything in one batch; when that batch fails, a server too old for one of
// its statements is still named as such, and any other failure is the batch's own.
import { describe, expect, it } from '@jest/globals';
import { preflight } from '../../../lambdas/engine/preflight.ts';
import type { SqlConnection } from '../../../lambdas/ports.ts';

const options = { affectedTables: ['app.orders'], heavyTables: [], schemas: ['app'] };

/** A connection whose batch fails with `batchError`; the version read alone answers `server`. */
function failingBatch(batchError: Error, server: { num: string; version: string } | Error): SqlConnection {
  return {
    queryEach: async () => {
      throw batchError;
    },
    query: async () => {
      if (server instanceof Error) throw server;
      return { rows: [{ ...server, role: 'migrator' }], rowCount: 1 };
    },
  } as unknown as SqlConnection;
}

describe('preflight when its batch fails', () => {
  it('names a server too old for it', async () => {
    const conn = failingBatch(new Error('function pg_stat_x does not exist'), {
      num: '120009',
      version: '12.9',
    });
    await expect(preflight(conn, options)).rejects.toMatchObject({
      name: 'PreflightError',
      message: expect.stringContaining('PostgreSQL 12.9 is too old'),
    });
  });

  it("gives the batch's error on a recent server, or when the version cannot be read either", async () => {
    const batch = new Error('permission denied for view pg_stat_activity');
    await expect(preflight(failingBatch(batch, { num: '160002', version: '16.2' }), options)).rejects.toBe(
      batch,
    );
    await expect(preflight(failingBatch(batch, new Error('Connection terminated')), options)).rejects.toBe(
      batch,
    );
  });
});
