// An Apply step renews the lease, takes the advisory lock and reads the history in one round
// trip (the lease in the database), or with the lease renewed concurrently (a lease kept
// elsewhere, as DynamoDB on AWS). Each refusal still stops the step before anything runs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory, writeHistory } from '../../lambdas/engine/history.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { quoteLiteralAnyMode } from '../../lambdas/engine/sql/identifiers.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import type { Database, Lease } from '../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';
import { recordingConnection } from '../support/recording-connection.ts';

let database: TestDatabase;
let directory: MigrationDirectory;
let executions = 0;

beforeAll(async () => {
  database = await createTestDatabase('step_guard');
  directory = await migrationDirectory({
    '0001_create_notes.sql': migration({
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.notes (id int);',
      down: 'DROP SCHEMA app CASCADE;',
    }),
  });
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});
afterEach(async () => {
  await database.db.withConnection((conn) =>
    conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
  );
});

/** The statements sent on the step's connections, in order. */
function recording(db: Database, sent: string[], onQuery?: () => void): Database {
  return {
    name: db.name,
    close: () => db.close(),
    withConnection: (fn) => db.withConnection((conn) => fn(recordingConnection(conn, sent, onQuery))),
  };
}

async function validated(ctx: EngineContext): Promise<RunState> {
  return validateRun(ctx, {}, `exec-guard-${++executions}`);
}

async function applied(): Promise<string[]> {
  return database.db.withConnection(async (conn) =>
    (await readHistory(conn, 'stepmigrate')).map((row) => row.version),
  );
}

/** Whether another session can take the run lock now: a refused step must not keep it. */
async function lockIsFree(): Promise<boolean> {
  const other = new PgDatabase(database.url, {}, { keepIdle: 0 });
  try {
    return await other.withConnection(async (conn) => {
      const { rows } = await conn.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('stepmigrate:run:stepmigrate')) AS locked",
      );
      return rows[0]!.locked;
    });
  } finally {
    await other.close();
  }
}

describe('an Apply step with the lease in the database', () => {
  it('renews the lease, takes the lock and reads the history in its first round trip, then applies', async () => {
    const sent: string[] = [];
    const ctx = await engineContext(database.db, directory.path);
    const run = await validated(ctx);
    const step = { ...ctx, db: recording(database.db, sent) };
    await applyPlanStep(step, run, run.plan.steps[0]!);
    expect(sent[0]).toMatch(
      /INSERT INTO "stepmigrate"."lease"[\s\S]*pg_try_advisory_lock[\s\S]*schema_history/,
    );
    // Until the section's transaction, nothing else goes to the lease, the lock or our history
    // (a first run also looks for another tool's history: dbmate's, for this layout).
    const beforeSection = sent.slice(
      1,
      sent.findIndex((sql) => sql.startsWith('BEGIN')),
    );
    expect(beforeSection.filter((sql) => /lease|advisory|schema_history/.test(sql))).toEqual([]);
    expect(await applied()).toEqual(['0001']);
    expect(await lockIsFree()).toBe(true);
    await releaseRun(ctx, run);
  });

  it('stops with LockedError naming the holder when another run took the lease, and applies nothing', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validated(ctx);
    await database.db.withConnection((conn) =>
      conn.query("UPDATE stepmigrate.lease SET owner = 'exec-someone-else'"),
    );
    await expect(applyPlanStep(ctx, run, run.plan.steps[0]!)).rejects.toMatchObject({
      name: 'LockedError',
      message: expect.stringContaining('exec-someone-else'),
    });
    expect(await applied()).toEqual([]);
    expect(await lockIsFree()).toBe(true);
  });

  it('stops with LockedError naming the session when another holds the advisory lock', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validated(ctx);
    const holder = new PgDatabase(database.url, {}, { keepIdle: 0 });
    try {
      await holder.withConnection(async (conn) => {
        await conn.query("SELECT pg_advisory_lock(hashtext('stepmigrate:run:stepmigrate'))");
        await expect(applyPlanStep(ctx, run, run.plan.steps[0]!)).rejects.toMatchObject({
          name: 'LockedError',
          message: expect.stringContaining(`held by server process ${conn.processId}`),
        });
      });
    } finally {
      await holder.close();
    }
    expect(await applied()).toEqual([]);
    await releaseRun(ctx, run);
  });
});

describe('the history the guard reads', () => {
  it('is read after the lock is taken, even where transactions default to repeatable read', async () => {
    const ctx = await engineContext(database.db, directory.path);
    const run = await validated(ctx);
    const step = run.plan.steps[0]!;
    const migration = ctx.migrations.migrations.find((m) => m.version === step.version)!;
    // The renewal, the guard's first statement, takes half a second after its snapshot; a
    // runner that held the lock records the migration meanwhile.
    await database.db.withConnection((conn) =>
      conn.query(`ALTER DATABASE "${database.db.name}" SET default_transaction_isolation = 'repeatable read';
        CREATE FUNCTION stepmigrate.slow_renewal() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$;
        CREATE TRIGGER slow_renewal BEFORE UPDATE ON stepmigrate.lease
          FOR EACH ROW EXECUTE FUNCTION stepmigrate.slow_renewal()`),
    );
    try {
      const applying = applyPlanStep(ctx, run, step).then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await database.db.withConnection((conn) =>
        writeHistory(conn, 'stepmigrate', {
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          state: 'applied',
          direction: 'up',
          actor: 'test',
          executionId: 'exec-other-runner',
        }),
      );
      expect(await applying).toMatchObject({
        message: expect.stringContaining('was applied by exec-other-runner while this run was in progress'),
      });
    } finally {
      await database.db.withConnection((conn) =>
        conn.query(`ALTER DATABASE "${database.db.name}" RESET default_transaction_isolation`),
      );
      await releaseRun(ctx, run);
    }
  });
});

describe('an Apply step with the lease kept elsewhere', () => {
  /** The same lease without its statement, answering after `delayMs`, as a remote store would. */
  function remote(
    lease: Lease,
    delayMs: number,
    refuse = false,
  ): Lease & { calls: number; answered: boolean } {
    const wrapped = {
      calls: 0,
      answered: false,
      acquire: async (key: string, owner: string, ttlMs: number) => {
        wrapped.calls++;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        wrapped.answered = true;
        if (refuse) await lease.acquire(key, 'exec-not-this-one', ttlMs);
        else await lease.acquire(key, owner, ttlMs);
      },
      release: (key: string, owner: string) => lease.release(key, owner),
      holder: (key: string) => lease.holder(key),
      takeOver: (key: string, from: string, owner: string, ttlMs: number) =>
        lease.takeOver(key, from, owner, ttlMs),
    };
    return wrapped;
  }

  it('renews the lease while its lock and history read run, and applies', async () => {
    const sent: string[] = [];
    const base = await engineContext(database.db, directory.path);
    const run = await validated(base);
    const lease = remote(base.lease, 300);
    let answeredWhenSent: boolean | undefined;
    const db = recording(database.db, sent, () => {
      answeredWhenSent ??= lease.answered;
    });
    await applyPlanStep({ ...base, lease, db }, run, run.plan.steps[0]!);
    expect(lease.calls).toBe(1);
    expect(answeredWhenSent).toBe(false);
    expect(sent[0]).not.toContain('INSERT INTO');
    expect(sent[0]).toMatch(/pg_try_advisory_lock[\s\S]*schema_history/);
    expect(await applied()).toEqual(['0001']);
    await releaseRun(base, run);
  });

  it('gives the lock back and applies nothing when the renewal is refused', async () => {
    const base = await engineContext(database.db, directory.path);
    const run = await validated(base);
    await expect(
      applyPlanStep({ ...base, lease: remote(base.lease, 100, true) }, run, run.plan.steps[0]!),
    ).rejects.toMatchObject({ name: 'LockedError' });
    expect(await applied()).toEqual([]);
    expect(await lockIsFree()).toBe(true);
    await releaseRun(base, run);
  });
});

describe('values written into the guard as literals', () => {
  it.each(['on', 'off'])('read back as they were with standard_conforming_strings %s', async (mode) => {
    const values = ["it's", 'back\\slash', "\\'; DROP TABLE x; --", 'ünïcode \\n', ''];
    const same = await database.db.withConnection(async (conn) => {
      await conn.query(`SET standard_conforming_strings = ${mode}`);
      const { rows } = await conn.query<{ value: string }>(
        values.map((value) => `SELECT ${quoteLiteralAnyMode(value)} AS value`).join(' UNION ALL '),
      );
      return rows.map((row) => row.value);
    });
    expect(same).toEqual(values);
  });
});
