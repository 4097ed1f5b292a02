// The reads and writes that go to the database together, in one round trip, instead of one
// after another: an Apply's BEGIN with its timeouts, its history row with COMMIT and the
// release of its advisory lock after it, and the schema fingerprint's catalog reads. What that
// must not change: the timeouts hold inside the migration's transaction, a history row that
// cannot be written takes the migration with it, the lock is free when the step ends, no
// transaction is left open after a failure, and the fingerprint reads what it always read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { findToolTable } from '../../lambdas/engine/adopt/tool-history.ts';
import { readSchema } from '../../lambdas/engine/fingerprint.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import { withTransaction } from '../../lambdas/engine/transaction.ts';
import type { Database } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';
import { recordingConnection } from '../support/recording-connection.ts';

let database: TestDatabase;
let directory: MigrationDirectory;

beforeAll(async () => {
  database = await createTestDatabase('round_trips');
  await database.db.withConnection((conn) => conn.query('CREATE SCHEMA app'));
  directory = await migrationDirectory({
    // The migration checks, from inside its own transaction, the timeouts the run asked for.
    '0001_create_orders.sql': migration({
      up: `DO $$ BEGIN
  IF current_setting('lock_timeout') <> '1234ms' OR current_setting('statement_timeout') <> '56789ms' THEN
    RAISE EXCEPTION 'timeouts not set: lock_timeout %, statement_timeout %',
      current_setting('lock_timeout'), current_setting('statement_timeout');
  END IF;
END $$;
CREATE TABLE app.orders (id bigint PRIMARY KEY);`,
      down: 'DROP TABLE app.orders;',
    }),
  });
});
afterEach(async () => {
  await database.db.withConnection((conn) =>
    conn.query(`DROP SCHEMA IF EXISTS app, stepmigrate, ops, old, "ops$$x$&" CASCADE;
      DROP TABLE IF EXISTS public.schema_migrations; CREATE SCHEMA app`),
  );
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});

const tableExists = (name: string) =>
  database.db.withConnection(async (conn) => {
    const { rows } = await conn.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
      name,
    ]);
    return rows[0]!.found;
  });

describe('an Apply step', () => {
  it("runs its migration under the run's lock_timeout and statement_timeout, and records it", async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, { lockTimeoutMs: 1234, statementTimeoutMs: 56789 }, 'exec-timeouts');
    await applyPlanStep(ctx, run, run.plan.steps[0]!);
    await releaseRun(ctx, run);
    expect(await tableExists('app.orders')).toBe(true);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((row) => [row.version, row.state, row.executionId])).toEqual([
      ['0001', 'applied', 'exec-timeouts'],
    ]);
  });

  it('gives its advisory lock back in the round trip of its COMMIT, before the step ends', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, { lockTimeoutMs: 1234, statementTimeoutMs: 56789 }, 'exec-unlock');
    const sent: string[] = [];
    let locksHeldAtEnd: number | undefined;
    const observed: Database = {
      name: database.db.name,
      close: () => database.db.close(),
      withConnection: (fn) =>
        database.db.withConnection(async (conn) => {
          const result = await fn(recordingConnection(conn, sent));
          // Before the connection goes back to the adapter (whose reset would free any lock).
          const { rows } = await conn.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
          );
          locksHeldAtEnd = rows[0]!.n;
          return result;
        }),
    };
    await applyPlanStep({ ...ctx, db: observed }, run, run.plan.steps[0]!);
    await releaseRun(ctx, run);
    expect(locksHeldAtEnd).toBe(0);
    expect(sent.at(-1)).toMatch(
      /INSERT INTO "stepmigrate"."schema_history"[\s\S]*;\nCOMMIT;\nSELECT pg_advisory_unlock\(/,
    );
    expect(sent.filter((sql) => sql.includes('pg_advisory_unlock'))).toHaveLength(1);
  });

  it('leaves nothing behind when its history row cannot be written', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, { lockTimeoutMs: 1234, statementTimeoutMs: 56789 }, 'exec-no-history');
    await database.db.withConnection((conn) =>
      conn.query(`CREATE FUNCTION app.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'history is read-only today'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT ON stepmigrate.schema_history FOR EACH ROW EXECUTE FUNCTION app.refuse()`),
    );
    await expect(applyPlanStep(ctx, run, run.plan.steps[0]!)).rejects.toThrow('history is read-only today');
    await releaseRun(ctx, run);
    expect(await tableExists('app.orders')).toBe(false);
    expect(await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'))).toEqual([]);
  });
});

describe('an Apply step whose statement fails', () => {
  async function failure(up: string): Promise<unknown> {
    const broken = await migrationDirectory({
      '0001_broken.sql': migration({ up, down: 'SELECT 1;' }),
    });
    try {
      const ctx = await engineContext(database.db, broken.path);
      const run = await validateRun(ctx, {}, `exec-broken-${Math.random()}`);
      const error = await applyPlanStep(ctx, run, run.plan.steps[0]!).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      await releaseRun(ctx, run);
      return error;
    } finally {
      await broken.remove();
    }
  }

  it('names the line and column of the first statement, sent with BEGIN, as of any other', async () => {
    // Line 2 is the first statement, line 3 the second: both point into the file the same way.
    expect(await failure('SELECT id FROM app.missing;\nSELECT 1;')).toMatchObject({
      name: 'MigrationError',
      message: expect.stringContaining('0001_broken.sql:2:16: relation "app.missing" does not exist'),
    });
    expect(await failure('SELECT 1;\n  SELECT id FROM app.missing;')).toMatchObject({
      message: expect.stringContaining('0001_broken.sql:3:18: relation "app.missing" does not exist'),
    });
    // Without a position from the server, the statement's own line.
    expect(await failure('SELECT 1 / 0;')).toMatchObject({
      message: expect.stringContaining('0001_broken.sql:2:1: division by zero'),
    });
    expect(await failure('-- the first statement is on the next line\n  SELECT 1 / 0;')).toMatchObject({
      message: expect.stringContaining('0001_broken.sql:3:3: division by zero'),
    });
    expect(await tableExists('app.missing')).toBe(false);
  });
});

describe('withTransaction', () => {
  it('rolls back a failure in the statements sent with BEGIN or with COMMIT, leaving no transaction open', async () => {
    await database.db.withConnection(async (conn) => {
      let ran = false;
      const body = async () => {
        ran = true;
        await conn.query('CREATE TABLE app.half_done (id int)');
        return 1;
      };
      await expect(withTransaction(conn, 'BEGIN;\nSELECT 1 / 0', body)).rejects.toMatchObject({
        code: '22012',
      });
      expect(ran).toBe(false);
      // In a transaction left open and aborted this would fail with 25P02.
      expect((await conn.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      await expect(withTransaction(conn, 'BEGIN', body, () => 'SELECT 1 / 0;\nCOMMIT')).rejects.toMatchObject(
        {
          code: '22012',
        },
      );
      expect(ran).toBe(true);
      expect((await conn.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      // The last statements cannot be computed: rolled back all the same.
      const unwritable = () => {
        throw new Error('no history row');
      };
      await expect(withTransaction(conn, 'BEGIN', body, unwritable)).rejects.toThrow('no history row');
      expect(
        (await conn.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open')).rows,
      ).toEqual([{ open: false }]);
    });
    expect(await tableExists('app.half_done')).toBe(false);
  });
});

describe('the schema fingerprint', () => {
  it('reads every catalog in one round trip', async () => {
    await database.db.withConnection((conn) => conn.query('CREATE TABLE app.items (id int PRIMARY KEY)'));
    const calls: string[] = [];
    const schema = await database.db.withConnection((conn) =>
      readSchema(
        recordingConnection(conn, [], (method) => calls.push(method)),
        { excludeSchemas: ['stepmigrate'], sequenceValues: true },
      ),
    );
    expect(calls).toEqual(['queryEach']);
    expect(schema.objects.map((object) => `${object.kind} ${object.name}`)).toEqual(
      expect.arrayContaining([
        'schema app',
        'table app.items',
        'column app.items.id',
        'index app.items_pkey',
      ]),
    );
    // A schema left out whose name holds what a replacement string would expand ($$, $&).
    await database.db.withConnection((conn) => conn.query('CREATE SCHEMA "ops$$x$&"'));
    const without = await database.db.withConnection((conn) =>
      readSchema(conn, { excludeSchemas: ['stepmigrate', 'ops$$x$&'] }),
    );
    expect(without.objects.filter((object) => object.name.startsWith('"ops'))).toEqual([]);
    expect(without.objects.map((object) => object.name)).toContain('app.items');
  });
});

describe("looking for another tool's history table", () => {
  it('finds it in the connection’s schema, else in the one schema that has it, in one round trip', async () => {
    const calls: string[] = [];
    const find = () =>
      database.db.withConnection((conn) =>
        findToolTable(
          recordingConnection(conn, [], (method) => calls.push(method)),
          undefined,
          'schema_migrations',
        ),
      );
    expect(await find()).toBeNull();
    await database.db.withConnection((conn) =>
      conn.query('CREATE SCHEMA ops; CREATE TABLE ops.schema_migrations (version varchar(128) PRIMARY KEY)'),
    );
    expect(await find()).toEqual({
      source: '"ops"."schema_migrations"',
      columns: new Map([['version', 'character varying(128)']]),
    });
    await database.db.withConnection((conn) =>
      conn.query('CREATE TABLE public.schema_migrations (version text)'),
    );
    expect(await find()).toEqual({
      source: '"public"."schema_migrations"',
      columns: new Map([['version', 'text']]),
    });
    // Found in the connection's schema, the lookup is one round trip; elsewhere, its columns are a second.
    expect(calls).toEqual(['query', 'query', 'query', 'query']);
  });

  it('refuses to guess between two schemas that both have it', async () => {
    await database.db.withConnection((conn) =>
      conn.query(`CREATE SCHEMA ops; CREATE SCHEMA old;
        CREATE TABLE ops.schema_migrations (version text); CREATE TABLE old.schema_migrations (version text)`),
    );
    await expect(
      database.db.withConnection((conn) => findToolTable(conn, undefined, 'schema_migrations')),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'there are tables named schema_migrations in schemas old, ops, none in public',
      ),
    });
  });
});
