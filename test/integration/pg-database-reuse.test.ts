// A connection kept between calls (a warm Lambda, the local runner's steps) must behave like a
// new one: no session state from the last call, a dead one replaced before the call's first
// statement, a failed one never handed out again, and its statements still cancellable.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { CancellableDatabase } from '../../lambdas/engine/cancellable-database.ts';
import type { SqlConnection } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let test: TestDatabase;
const ROLE = `reuse_role_${process.pid}`;

beforeAll(async () => {
  test = await createTestDatabase('pg_reuse');
  await test.db.withConnection((conn) =>
    conn.query(
      `CREATE ROLE ${ROLE} NOLOGIN; CREATE SCHEMA elsewhere; GRANT USAGE ON SCHEMA elsewhere TO ${ROLE}`,
    ),
  );
});

afterAll(async () => {
  await test.drop();
  const admin = new PgDatabase(test.url);
  await admin.withConnection((conn) => conn.query(`DROP ROLE IF EXISTS ${ROLE}`)).catch(() => undefined);
  await admin.close();
});

const pidOf = (conn: SqlConnection) => conn.processId;

async function alive(pid: number): Promise<boolean> {
  const probe = new PgDatabase(test.url, {}, { keepIdle: 0 });
  try {
    const { rowCount } = await probe.withConnection((conn) =>
      conn.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]),
    );
    return rowCount > 0;
  } finally {
    await probe.close();
  }
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && (await alive(pid)); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('PgDatabase keeps a connection between calls', () => {
  it('hands the next call the same backend', async () => {
    const db = new PgDatabase(test.url);
    try {
      const first = await db.withConnection(async (conn) => pidOf(conn));
      const second = await db.withConnection(async (conn) => pidOf(conn));
      expect(second).toBe(first);
    } finally {
      await db.close();
    }
  });

  it('leaves none of the last call’s session state: role, search_path, timeouts, locks, temp tables, prepared statements', async () => {
    const db = new PgDatabase(test.url);
    try {
      const first = await db.withConnection(async (conn) => {
        await conn.query(`SET ROLE ${ROLE}`);
        await conn.query('SET search_path = elsewhere');
        await conn.query("SELECT pg_advisory_lock(hashtext('reuse-test'))");
        await conn.query('CREATE TEMP TABLE scratch (id int)');
        await conn.query('PREPARE leftover AS SELECT 1');
        await conn.query("SET lock_timeout = '1ms'; SET statement_timeout = '900ms'");
        return pidOf(conn);
      });
      const seen = await db.withConnection(async (conn) => {
        const { rows } = await conn.query<Record<string, string>>(
          `SELECT current_user AS role, current_setting('search_path') AS search_path,
                  current_setting('lock_timeout') AS lock_timeout,
                  current_setting('statement_timeout') AS statement_timeout,
                  current_setting('application_name') AS application_name,
                  (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::text AS advisory_locks,
                  (to_regclass('pg_temp.scratch') IS NULL)::text AS temp_gone,
                  (SELECT count(*) FROM pg_prepared_statements)::text AS prepared`,
        );
        return { pid: pidOf(conn), ...rows[0] };
      });
      expect(seen.pid).toBe(first);
      expect(seen).toMatchObject({
        role: new URL(test.url).username,
        search_path: '"$user", public',
        lock_timeout: '0',
        statement_timeout: '0',
        application_name: 'stepmigrate',
        advisory_locks: '0',
        temp_gone: 'true',
        prepared: '0',
      });
    } finally {
      await db.close();
    }
  });

  it('gives the next call a session with the database defaults a call changed (ALTER DATABASE … SET)', async () => {
    const db = new PgDatabase(test.url);
    try {
      await db.withConnection((conn) =>
        conn.query(`ALTER DATABASE ${test.name} SET search_path = elsewhere, public`),
      );
      const seen = await db.withConnection(async (conn) => {
        const { rows } = await conn.query<{ path: string }>("SELECT current_setting('search_path') AS path");
        return rows[0]!.path;
      });
      expect(seen).toBe('elsewhere, public');
    } finally {
      await db.withConnection((conn) => conn.query(`ALTER DATABASE ${test.name} RESET search_path`));
      await db.close();
    }
  });

  it('closes a connection whose call failed, or that was left inside a transaction', async () => {
    const db = new PgDatabase(test.url);
    try {
      let failed = 0;
      await expect(
        db.withConnection(async (conn) => {
          failed = pidOf(conn);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const inTransaction = await db.withConnection(async (conn) => {
        await conn.query('BEGIN');
        await conn.query("SELECT pg_advisory_xact_lock(hashtext('reuse-tx'))");
        return pidOf(conn);
      });
      const next = await db.withConnection(async (conn) => pidOf(conn));
      expect([failed, inTransaction]).not.toContain(next);
      await gone(inTransaction);
      expect(await alive(failed)).toBe(false);
      expect(await alive(inTransaction)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it.each([
    ['noticed while idle', {}],
    ['found by the check before reuse', { checkAfterIdleMs: 0 }],
  ])(
    'replaces a connection that died while kept (%s) before the call runs, and runs the call once',
    async (_how, options) => {
      const db = new PgDatabase(test.url, {}, options);
      try {
        const first = await db.withConnection(async (conn) => pidOf(conn));
        const admin = new PgDatabase(test.url, {}, { keepIdle: 0 });
        await admin.withConnection((conn) => conn.query('SELECT pg_terminate_backend($1)', [first]));
        await admin.close();
        await gone(first);
        let calls = 0;
        const second = await db.withConnection(async (conn) => {
          calls++;
          await conn.query('SELECT 1');
          return pidOf(conn);
        });
        expect(calls).toBe(1);
        expect(second).not.toBe(first);
      } finally {
        await db.close();
      }
    },
  );

  it('still cancels a statement running on a kept connection, and does not keep that connection', async () => {
    const db = new CancellableDatabase(new PgDatabase(test.url));
    try {
      const warm = await db.withConnection(async (conn) => pidOf(conn));
      let running = 0;
      const sleeping = db.withConnection(async (conn) => {
        running = pidOf(conn);
        await conn.query('SELECT pg_sleep(30)');
      });
      for (let i = 0; i < 100 && running === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      expect(await db.cancelRunning()).toEqual([warm]);
      await expect(sleeping).rejects.toThrow(/canceling statement/);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(running).toBe(warm);
      expect(await db.withConnection(async (conn) => pidOf(conn))).not.toBe(warm);
    } finally {
      await db.close();
    }
  });

  it('closes a connection kept past its idle timeout whose timer did not run (a frozen Lambda)', async () => {
    const db = new PgDatabase(test.url, {}, { idleTimeoutMs: 60_000 });
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      const first = await db.withConnection(async (conn) => pidOf(conn));
      clock.mockReturnValue(now + 61_000);
      const second = await db.withConnection(async (conn) => pidOf(conn));
      expect(second).not.toBe(first);
      await gone(first);
      expect(await alive(first)).toBe(false);
    } finally {
      clock.mockRestore();
      await db.close();
    }
  });

  it('opens a new backend for every call with keepIdle 0', async () => {
    const db = new PgDatabase(test.url, {}, { keepIdle: 0 });
    try {
      const first = await db.withConnection(async (conn) => pidOf(conn));
      const second = await db.withConnection(async (conn) => pidOf(conn));
      expect(second).not.toBe(first);
    } finally {
      await db.close();
    }
  });
});

describe('a kept connection and the process', () => {
  const adapter = fileURLToPath(new URL('../../lambdas/adapters/pg-database.ts', import.meta.url));
  /** Runs `body` in a fresh Node process with `db` open on the test database; its stdout and exit code. */
  function inProcess(body: string) {
    const script = `import { PgDatabase } from ${JSON.stringify(adapter)};
      const db = new PgDatabase(process.env.URL);
      ${body}
      console.log('done');`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, URL: test.url, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  it('waits for close() and every call before it, and an idle one does not keep it alive', () => {
    const twoCallsAndClose = inProcess(`
      await db.withConnection((conn) => conn.query('SELECT 1'));
      await db.withConnection((conn) => conn.query('SELECT 2'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await db.close();`);
    expect(twoCallsAndClose).toMatchObject({ code: 0, stdout: 'done' });
    const neverClosed = inProcess(`await db.withConnection((conn) => conn.query('SELECT 1'));`);
    expect(neverClosed).toMatchObject({ code: 0, stdout: 'done' });
  });
});
