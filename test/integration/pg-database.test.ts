import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PgDatabase, redactUrl } from '../../lambdas/adapters/pg-database.ts';
import { createTestDatabase, type TestDatabase, urlForDatabase } from '../support/database.ts';

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase('pg_database');
});

afterAll(async () => {
  await test.drop();
});

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('PgDatabase', () => {
  it('names the database, never the password', () => {
    expect(test.db.name).toBe(test.name);
    expect(test.db.name).not.toContain(new URL(test.url).password);
  });

  it('runs parameterised queries and multi-statement scripts', async () => {
    const result = await test.db.withConnection(async (conn) => {
      await conn.query('CREATE TABLE t (id int, note text); INSERT INTO t VALUES (1, $$a$$), (2, $$b$$)');
      return conn.query<{ note: string }>('SELECT note FROM t WHERE id = $1', [2]);
    });
    expect(result).toEqual({ rows: [{ note: 'b' }], rowCount: 1 });
  });

  it('runs statements in one round trip with a result for each, in order', async () => {
    const [one, none, two] = await test.db.withConnection((conn) =>
      conn.queryEach([
        "SELECT 1 AS n, 'a;b' AS text",
        'SELECT 1 WHERE false',
        'SELECT g AS n FROM generate_series(1, 2) g',
      ]),
    );
    expect(one?.rows).toEqual([{ n: 1, text: 'a;b' }]);
    expect(none?.rows).toEqual([]);
    expect(two?.rows).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await test.db.withConnection((conn) => conn.queryEach(['SELECT 3 AS n']))).toEqual([
      { rows: [{ n: 3 }], rowCount: 1 },
    ]);
    // A statement that ends in a line comment, or with its own ';', is still one statement.
    expect(
      await test.db.withConnection((conn) => conn.queryEach(['SELECT 5 AS n -- five', 'SELECT 6 AS n;'])),
    ).toEqual([
      { rows: [{ n: 5 }], rowCount: 1 },
      { rows: [{ n: 6 }], rowCount: 1 },
    ]);
  });

  it('rejects a batch with the error of the statement that failed, and a statement that hid a second one', async () => {
    await test.db.withConnection(async (conn) => {
      await expect(conn.queryEach(['SELECT 1', 'SELECT 1 / 0', 'SELECT 2'])).rejects.toMatchObject({
        code: '22012',
      });
      // The batch's implicit transaction ended with it: the connection works on.
      expect((await conn.query('SELECT 4 AS n')).rows).toEqual([{ n: 4 }]);
      await expect(conn.queryEach(['SELECT 1; SELECT 2'])).rejects.toThrow('expected 1 results, got 2');
    });
  });

  it('gives each call its own backend, reported as processId', async () => {
    const [a, b] = await Promise.all([
      test.db.withConnection(async (conn) => {
        const { rows } = await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return [conn.processId, rows[0]!.pid];
      }),
      test.db.withConnection(async (conn) => conn.processId),
    ]);
    expect(a[0]).toBe(a[1]);
    expect(a[0]).not.toBe(b);
  });

  it('names its sessions, so they can be told from the application', async () => {
    const name = await test.db.withConnection(async (conn) => {
      const { rows } = await conn.query<{ name: string }>(
        "SELECT current_setting('application_name') AS name",
      );
      return rows[0]!.name;
    });
    expect(name).toBe('stepmigrate');
  });

  it('releases the connection when the callback throws', async () => {
    let pid = 0;
    await expect(
      test.db.withConnection(async (conn) => {
        pid = conn.processId;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const stillThere = await test.db.withConnection((conn) =>
      conn.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]),
    );
    expect(stillThere.rowCount).toBe(0);
  });

  it('streams COPY out and back in', async () => {
    await test.db.withConnection(async (conn) => {
      await conn.query(
        'CREATE TABLE copy_src (id int, body text); CREATE TABLE copy_dst (id int, body text)',
      );
      await conn.query("INSERT INTO copy_src SELECT g, repeat('x', g % 7) FROM generate_series(1, 1000) g");
      const dumped = await readAll(conn.copyTo('COPY copy_src TO STDOUT'));
      await pipeline(Readable.from([dumped]), conn.copyFrom('COPY copy_dst FROM STDIN'));
      const { rows } = await conn.query<{ n: string }>(
        'SELECT count(*) AS n FROM (SELECT * FROM copy_src EXCEPT SELECT * FROM copy_dst) d',
      );
      expect(rows[0]!.n).toBe('0');
      expect((await conn.query('SELECT * FROM copy_dst')).rowCount).toBe(1000);
    });
  });

  it('survives a backend terminated mid-connection: the call fails, the process does not', async () => {
    const failure = test.db.withConnection(async (conn) => {
      await conn.query('SELECT 1');
      await test.db.withConnection((other) =>
        other.query('SELECT pg_terminate_backend($1)', [conn.processId]),
      );
      await conn.query('SELECT pg_sleep(0.1)');
    });
    await expect(failure).rejects.toThrow(/terminat|Connection/i);
    await expect(test.db.withConnection((conn) => conn.query('SELECT 1'))).resolves.toMatchObject({
      rowCount: 1,
    });
  });
});

describe('connection failures', () => {
  const password = new URL(test?.url ?? 'postgres://u:p@h/d').password;

  async function failureOf(url: string): Promise<Error> {
    const db = new PgDatabase(url, { connectionTimeoutMillis: 5000 });
    try {
      await db.withConnection((conn) => conn.query('SELECT 1'));
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the connection to fail');
  }

  it('a missing database names host:port/database and how to create it', async () => {
    const error = await failureOf(urlForDatabase('no_such_db'));
    const { hostname, port } = new URL(test.url);
    expect(error.name).toBe('PreflightError');
    expect(error.message).toBe(
      `cannot connect to PostgreSQL at ${hostname}:${port}/no_such_db: database "no_such_db" does not exist — create it (CREATE DATABASE no_such_db) or fix the database name in --database-url / DATABASE_URL`,
    );
  });

  it('a wrong password says so without printing any password', async () => {
    const url = new URL(test.url);
    url.password = 'definitely-wrong';
    const error = await failureOf(url.toString());
    expect(error.name).toBe('PreflightError');
    expect(error.message).toMatch(/password authentication failed for user "[^"]+" — check the password/);
    expect(error.message).not.toContain('definitely-wrong');
    expect(error.message).not.toContain(new URL(test.url).password);
    expect(password).toBeDefined();
  });

  it('a closed port says connection refused and names host:port', async () => {
    const error = await failureOf('postgres://me:secret@127.0.0.1:1/app');
    expect(error.message).toBe(
      'cannot connect to PostgreSQL at 127.0.0.1:1/app: connection refused — is PostgreSQL running and listening on 127.0.0.1:1? Check --database-url / DATABASE_URL',
    );
  });

  it('names where the settings came from, when told', async () => {
    const db = new PgDatabase('postgres://me:secret@127.0.0.1:1/app', {}, { source: 'the secret prod/db' });
    await expect(db.withConnection((conn) => conn.query('SELECT 1'))).rejects.toThrow(
      /Check the secret prod\/db$/,
    );
  });

  it('an unknown host says so', async () => {
    const error = await failureOf('postgres://me:secret@no-such-host.invalid:5432/app');
    expect(error.name).toBe('PreflightError');
    expect(error.message).toMatch(
      /^cannot connect to PostgreSQL at no-such-host\.invalid:5432\/app: host "no-such-host\.invalid"/,
    );
    expect(error.message).not.toContain('secret');
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps everything else', () => {
    expect(redactUrl('postgres://app:s3cr%40t@db.example.com:6543/prod?sslmode=require')).toBe(
      'postgres://app:***@db.example.com:6543/prod?sslmode=require',
    );
    expect(redactUrl('postgres://app@db/prod')).toBe('postgres://app@db/prod');
  });

  it('hides a password given as a query parameter or in an unparseable string', () => {
    expect(redactUrl('postgres://db/prod?user=app&password=hunter2')).not.toContain('hunter2');
    expect(redactUrl('host=db password=hunter2 dbname=prod')).not.toContain('hunter2');
  });
});
