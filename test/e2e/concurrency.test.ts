// DESIGN §1.2: concurrent runners are excluded. Ten `stepmigrate run` processes started at
// once against one database: exactly one applies, the other nine stop at Validate with
// LockedError (exit 4), and schema_history records the migration once. A lease left by a
// crashed run blocks the next one until it expires or `stepmigrate repair --release-lease`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import { type CliResult, cliJson, runCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migration } from '../support/engine.ts';

const RUNS = 10;

let database: TestDatabase;
let project: string;

function stepmigrate(args: string[]): Promise<CliResult> {
  return runCli(project, args);
}

async function historyRows(): Promise<{ version: string; state: string; execution_id: string }[]> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ version: string; state: string; execution_id: string }>(
      'SELECT version, state, execution_id FROM stepmigrate.schema_history ORDER BY version',
    ),
  );
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase('concurrency');
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-concurrency-'));
  await mkdir(join(project, 'migrations'));
  await writeFile(
    join(project, 'migrations', '0001_create_jobs.sql'),
    migration({
      // The winner waits in Apply for a lock the test holds until every other run has
      // ended, so all of them meet a run in progress however slowly the machine starts them.
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.jobs (id bigint PRIMARY KEY, name text);\nSELECT pg_advisory_xact_lock(4242);',
      down: 'DROP TABLE app.jobs;\nDROP SCHEMA app;',
    }),
  );
  // One dry run first fills the project's definition cache, as any earlier run would have.
  const warm = await stepmigrate(['run', '--database-url', database.url, '--dry-run', '--json']);
  expect(cliJson(warm).status).toBe('dry_run');
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await database.drop();
});

describe('ten runs at once', () => {
  it('lets exactly one apply; the others exit 4 with LockedError; history has no duplicate', async () => {
    const started = Date.now();
    const gate = new pg.Client({ connectionString: database.url });
    await gate.connect();
    await gate.query('SELECT pg_advisory_lock(4242)');
    let ended = 0;
    const runs = Array.from({ length: RUNS }, (_, i) =>
      stepmigrate([
        'run',
        '--database-url',
        database.url,
        '--json',
        '--requested-by',
        `concurrent-${i}`,
        '--lock-timeout-ms',
        '600000',
      ]).finally(() => {
        ended++;
      }),
    );
    const deadline = Date.now() + 150_000;
    while (ended < RUNS - 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    await gate.query('SELECT pg_advisory_unlock(4242)');
    await gate.end();
    const results = await Promise.all(runs);
    const wallMs = Date.now() - started;
    const codes = results.map((r) => r.code).sort();
    const lockedMs = results.filter((r) => r.code === 4).map((r) => r.ms);
    process.stdout.write(
      `concurrency: ${RUNS} processes in ${wallMs} ms; exit codes ${codes.join(',')}; ` +
        `losers exited after ${Math.min(...lockedMs)}–${Math.max(...lockedMs)} ms\n`,
    );
    expect(codes).toEqual([0, ...Array<number>(RUNS - 1).fill(4)]);
    const winner = results.find((r) => r.code === 0)!;
    expect(cliJson(winner).status).toBe('succeeded');
    for (const loser of results.filter((r) => r.code === 4)) {
      expect(cliJson(loser).error?.name).toBe('LockedError');
      expect(cliJson(loser).error?.message).toMatch(/being migrated by|another stepmigrate run/);
    }
    const rows = await historyRows();
    expect(rows.map((r) => `${r.version}:${r.state}`)).toEqual(['0001:applied']);
  }, 240_000);
});

/** A target that makes the next run change something, wherever the database is now. */
async function changingTarget(): Promise<string[]> {
  const applied = (await historyRows()).some((r) => r.state === 'applied');
  return ['--target', applied ? '0' : 'latest'];
}

describe('a lease left by a crashed run', () => {
  it('blocks the next run with exit 4 until it expires, then is reclaimed', async () => {
    const lease = new PostgresLease(database.db, 'stepmigrate');
    const ttlMs = 8000;
    const expires = Date.now() + ttlMs;
    await lease.acquire(database.name, 'crashed-execution', ttlMs);
    const target = await changingTarget();
    const blocked = await stepmigrate(['run', '--database-url', database.url, '--json', ...target]);
    expect(blocked.code).toBe(4);
    expect(cliJson(blocked).error?.message).toContain('crashed-execution');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now()) + 200));
    const reclaimed = await stepmigrate(['run', '--database-url', database.url, '--json', ...target]);
    expect({ code: reclaimed.code, status: cliJson(reclaimed).status }).toEqual({
      code: 0,
      status: 'succeeded',
    });
  });

  it('is freed by `stepmigrate repair --release-lease`, after which a run proceeds', async () => {
    const lease = new PostgresLease(database.db, 'stepmigrate');
    await lease.acquire(database.name, 'crashed-execution', 3_600_000);
    const target = await changingTarget();
    const blocked = await stepmigrate(['run', '--database-url', database.url, '--json', ...target]);
    expect(blocked.code).toBe(4);
    const repaired = await stepmigrate([
      'repair',
      '--database-url',
      database.url,
      '--release-lease',
      '--reason',
      'the run crashed with its machine',
      '--json',
    ]);
    expect({ code: repaired.code, stderr: repaired.stderr }).toMatchObject({ code: 0 });
    const run = await stepmigrate(['run', '--database-url', database.url, '--json', ...target]);
    expect({ code: run.code, status: cliJson(run).status }).toEqual({ code: 0, status: 'succeeded' });
  });
});
