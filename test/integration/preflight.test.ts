// Preflight on a real PostgreSQL: what Validate sees of other sessions, privileges and sizes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { preflight } from '../../lambdas/engine/preflight.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('preflight');
  await database.db.withConnection((conn) =>
    conn.query(`CREATE SCHEMA app;
      CREATE TABLE app.orders (id bigint PRIMARY KEY, total numeric);
      INSERT INTO app.orders SELECT g, g FROM generate_series(1, 1000) g;
      ANALYZE app.orders;`),
  );
});
afterAll(async () => {
  await database.drop();
});

const onOrders = { affectedTables: ['app.orders'], heavyTables: ['app.orders'], schemas: ['app'] };

async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('preflight', () => {
  it('reports a session holding a lock on an affected table with its pid and query', async () => {
    const holder = await session(database.url);
    try {
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM app.orders');
      const findings = await database.db.withConnection((conn) => preflight(conn, onOrders));
      const lock = findings.find((f) => f.rule === 'preflight-lock-holder');
      expect(lock?.message).toContain(`server process ${rows[0]!.pid} holds AccessShareLock on app.orders`);
      expect(lock?.message).toContain('SELECT count(*) FROM app.orders');
    } finally {
      await holder.end();
    }
  });

  it('refuses when an idle transaction has held a lock on an affected table too long', async () => {
    const holder = await session(database.url);
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE app.orders SET total = total WHERE id = 1');
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expect(
        database.db.withConnection((conn) => preflight(conn, { ...onOrders, idleHolderSeconds: 1 })),
      ).rejects.toMatchObject({
        name: 'PreflightError',
        message: expect.stringContaining(`server process ${rows[0]!.pid}, idle in a transaction`),
      });
    } finally {
      await holder.end();
    }
  });

  it('reports a transaction open longer than the threshold', async () => {
    const holder = await session(database.url);
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const findings = await database.db.withConnection((conn) =>
        preflight(conn, { ...onOrders, affectedTables: [], longTransactionSeconds: 1 }),
      );
      expect(findings.map((f) => f.rule)).toContain('preflight-long-transaction');
    } finally {
      await holder.end();
    }
  });

  it('reports the size of tables a statement rewrites or scans', async () => {
    const findings = await database.db.withConnection((conn) =>
      preflight(conn, { ...onOrders, largeTableRows: 500 }),
    );
    expect(findings.find((f) => f.rule === 'preflight-large-table')?.message).toContain(
      'app.orders: about 1,000 rows',
    );
  });

  it('refuses a role that does not own an affected table, naming the privilege and the object', async () => {
    const role = `preflight_${process.pid}`;
    await database.db.withConnection((conn) =>
      conn.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'; GRANT USAGE ON SCHEMA app TO ${role}`),
    );
    const url = new URL(database.url);
    url.username = role;
    url.password = 'pw';
    const limited = new PgDatabase(url.toString());
    try {
      await expect(limited.withConnection((conn) => preflight(conn, onOrders))).rejects.toMatchObject({
        name: 'PreflightError',
        message: expect.stringMatching(/ownership of table app\.orders.*CREATE on schema app/),
      });
    } finally {
      await limited.close();
      await database.db.withConnection((conn) => conn.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`));
    }
  });
});
