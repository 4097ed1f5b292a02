// What a CI cancel, `docker stop`, Ctrl-C, a second terminal and a killed process do to a
// `stepmigrate run`, each with the real CLI in its own process and real signals:
//   - the first SIGTERM/SIGINT cancels the running statement; the run rolls back, frees the
//     lease and exits 1;
//   - a second signal cancels the rollback's statement too, says what it leaves, exits 3,
//     and no statement of the run is left running;
//   - while a run goes, a second terminal is told it runs (exit 4), `status` shows its
//     lease, and `repair --release-lease` refuses;
//   - a dead holder's lease is taken over by the next run at once, with an audit record.
// How slow a section is comes from database settings (app.slow_up / app.slow_down), so the
// migration files never change between runs.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CliResult, cliJson, finishCli, runCli, startCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migration } from '../support/engine.ts';
import { seedDefinitionCache } from '../support/seed-definition.ts';

let database: TestDatabase;
let project: string;
/** The runs start from here, not from the project: state must still land in the project. */
let elsewhere: string;

const sleepWhen = (setting: string) =>
  `SELECT pg_sleep(CASE WHEN current_setting('${setting}', true) = 'on' THEN 30 ELSE 0 END);`;

function cli(args: string[]): Promise<CliResult> {
  return runCli(elsewhere, [
    ...args,
    '--migrations',
    join(project, 'migrations'),
    '--database-url',
    database.url,
  ]);
}

function start(args: string[]) {
  const startedAt = Date.now();
  const child = startCli(elsewhere, [
    ...args,
    '--migrations',
    join(project, 'migrations'),
    '--database-url',
    database.url,
  ]);
  let seen = '';
  child.stdout?.on('data', (chunk) => (seen += chunk));
  child.stderr?.on('data', (chunk) => (seen += chunk));
  return { child, closed: finishCli(child, startedAt), seen: () => seen };
}

async function sql<T = Record<string, unknown>>(text: string): Promise<T[]> {
  const { rows } = await database.db.withConnection((conn) => conn.query<T>(text));
  return rows;
}

async function setSlow(which: 'up' | 'down', on: boolean): Promise<void> {
  await sql(`ALTER DATABASE ${database.name} SET app.slow_${which} = '${on ? 'on' : 'off'}'`);
}

async function sleepingSessions(): Promise<number> {
  const rows = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep(CASE%'`,
  );
  return rows[0]!.n;
}

async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  output: () => string = () => '',
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; the run said:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function applied(): Promise<string[]> {
  const rows = await sql<{ version: string }>(
    `SELECT version FROM stepmigrate.schema_history WHERE state = 'applied' ORDER BY version`,
  );
  return rows.map((row) => row.version);
}

beforeAll(async () => {
  database = await createTestDatabase('interruptions');
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-interrupt-'));
  elsewhere = await mkdtemp(join(tmpdir(), 'stepmigrate-elsewhere-'));
  await mkdir(join(project, 'migrations'));
  await seedDefinitionCache(project);
  await writeFile(
    join(project, 'migrations', '0001_create_orders.sql'),
    migration({
      up: 'CREATE TABLE public.orders (id bigint PRIMARY KEY);',
      down: `${sleepWhen('app.slow_down')}\nDROP TABLE public.orders;`,
    }),
  );
  await writeFile(
    join(project, 'migrations', '0002_create_notes.sql'),
    migration({
      // Nothing that locks a table others read: a second terminal must not queue behind it.
      up: `CREATE TABLE public.notes (id bigint PRIMARY KEY);\n${sleepWhen('app.slow_up')}`,
      down: 'DROP TABLE public.notes;',
    }),
  );
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
  await database.drop();
});

describe('a run interrupted by signals', () => {
  it('is still running for a second terminal; SIGTERM then cancels its statement and rolls it back', async () => {
    await setSlow('up', true);
    const run = start(['run', '--json']);
    await waitUntil('the slow statement runs', async () => (await sleepingSessions()) > 0, run.seen);

    const [second, status, release] = await Promise.all([
      cli(['run', '--json']),
      cli(['status', '--json']),
      cli(['repair', '--release-lease', '--reason', 'I think it crashed', '--json']),
    ]);
    expect({ code: second.code, error: cliJson(second).error?.name }).toEqual({
      code: 4,
      error: 'LockedError',
    });
    expect(cliJson(second).error?.message).toContain(`kill -TERM ${run.child.pid}`);
    const lease = (JSON.parse(status.stdout) as { lease: { pid: number; running: boolean } }).lease;
    expect(lease).toMatchObject({ pid: run.child.pid, running: true });
    expect({ code: release.code, error: cliJson(release).error?.name }).toEqual({
      code: 4,
      error: 'LockedError',
    });

    run.child.kill('SIGTERM');
    const result = await run.closed;
    expect({ code: result.code, status: cliJson(result).status, stderr: result.stderr }).toMatchObject({
      code: 1,
      status: 'rolled_back',
    });
    expect(result.ms).toBeLessThan(25_000); // not the 30 s of the statement
    expect(result.stderr).toContain('SIGTERM: cancelling the running statement');
    expect(await sleepingSessions()).toBe(0);
    expect(await applied()).toEqual([]);
    const after = JSON.parse((await cli(['status', '--json'])).stdout) as { lease: unknown };
    expect(after.lease).toBeNull();
    // The run's state is in the project, not where it was started.
    const audit = await readFile(join(project, '.stepmigrate', 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"step":"Rollback"');
    await expect(readFile(join(elsewhere, '.stepmigrate', 'audit.jsonl'))).rejects.toThrow();
  });

  it('a second SIGINT cancels the rollback too, says what it leaves and exits 3; the next run takes the dead lease over', async () => {
    await setSlow('down', true);
    const run = start(['run']);
    await waitUntil('Apply 0002 sleeps', async () => (await sleepingSessions()) > 0, run.seen);
    run.child.kill('SIGINT');
    await waitUntil('the rollback of 0001 sleeps', async () => {
      const rows = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE state = 'active' AND query LIKE '%slow_down%' AND pid <> pg_backend_pid()`,
      );
      return rows[0]!.n > 0;
    });
    run.child.kill('SIGINT');
    const result = await run.closed;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /stopped during Rollback.*this run had applied 0001.*No statement of this run is still running/s,
    );
    expect(await sleepingSessions()).toBe(0);
    expect(await applied()).toEqual(['0001']); // the cancelled down section rolled back with its transaction

    await setSlow('down', false);
    await setSlow('up', false);
    const next = await cli(['rollback', '--to', '0', '--json']);
    expect({ code: next.code, status: cliJson(next).status }).toEqual({ code: 0, status: 'succeeded' });
    expect(await applied()).toEqual([]);
    const records = await runCli(elsewhere, ['audit', '--json', '--migrations', join(project, 'migrations')]);
    const audit = JSON.parse(records.stdout) as Array<{
      step: string;
      event: string;
      detail?: { leaseTakenOverFrom?: { pid?: number } };
    }>;
    const takeover = audit.find((r) => r.step === 'Validate' && r.detail?.leaseTakenOverFrom);
    expect(takeover?.detail?.leaseTakenOverFrom?.pid).toBe(run.child.pid);
  });

  it('a killed run (SIGKILL) blocks nobody: its lease is taken over at once', async () => {
    await setSlow('up', true);
    const run = start(['run', '--json']);
    await waitUntil('the slow statement runs', async () => (await sleepingSessions()) > 0, run.seen);
    run.child.kill('SIGKILL');
    await run.closed;
    await waitUntil('the orphaned statement is cancelled', async () => {
      await sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(CASE%' AND pid <> pg_backend_pid()",
      );
      return (await sleepingSessions()) === 0;
    });
    const status = await cli(['status']);
    expect(status.stdout).toContain('that process is gone; the next run takes the lease over');
    await setSlow('up', false);
    const next = await cli(['run', '--json']);
    expect({ code: next.code, status: cliJson(next).status }).toEqual({ code: 0, status: 'succeeded' });
  });
});

describe('where a project keeps its state', () => {
  it('a read-only command started elsewhere never creates a server, and says there is none', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'stepmigrate-fresh-'));
    try {
      await mkdir(join(fresh, 'migrations'));
      await writeFile(
        join(fresh, 'migrations', '0001_t.sql'),
        migration({ up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;' }),
      );
      const env = { ...process.env };
      delete process.env.DATABASE_URL;
      const status = await runCli(elsewhere, [
        'status',
        '--migrations',
        join(fresh, 'migrations'),
        '--json',
      ]).finally(() => Object.assign(process.env, env));
      expect({ code: status.code, error: cliJson(status).error?.name }).toEqual({
        code: 2,
        error: 'PreflightError',
      });
      expect(cliJson(status).error?.message).toContain(
        `there is no embedded PostgreSQL in ${join(fresh, '.stepmigrate')}`,
      );
      await expect(readFile(join(fresh, '.stepmigrate', 'pgdata', 'PG_VERSION'))).rejects.toThrow();
      await expect(readFile(join(elsewhere, '.stepmigrate', 'pgdata', 'PG_VERSION'))).rejects.toThrow();
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
