// DESIGN §3 "Fail fast on locks": how long does application traffic stall when a migration
// that needs ACCESS EXCLUSIVE (ALTER TABLE … ADD COLUMN) meets a long transaction holding a
// lock on the table? One session keeps a transaction open that read the table; an
// "application" sends a short query every 5 ms; the migration runs
//   (a) through stepmigrate's apply, lock_timeout 200 ms, retried with backoff and jitter
//       the way the state machine's Retry does, and
//   (b) as `psql -f` of the same SQL (no lock_timeout), with Debian's psql when present,
//       else the same file sent over a plain pg connection (what psql -f does).
// A query that arrives while the ALTER waits for its lock queues behind it, so the worst
// application latency is the stall. Target: worst stall ≤ lock_timeout + 100 ms. Reported,
// never asserted. Run alone: `npm run bench lock-stall`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { PostgresLease } from '../../lambdas/adapters/postgres-lease.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { LockTimeoutError } from '../../lambdas/engine/errors.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';

const LOCK_TIMEOUT_MS = 200;
const HOLD_MS = Number(process.env.BENCH_LOCK_HOLD_MS ?? 3000);
const APP_INTERVAL_MS = 5;
const MIGRATION_SQL = 'ALTER TABLE app.orders ADD COLUMN note text;';
// The state machine's Retry on LockTimeoutError, with shorter intervals so the bench is quick.
const RETRY = { maxAttempts: 8, intervalMs: 300, backoffRate: 2 };
const PSQL = '/usr/lib/postgresql/15/bin/psql';

interface Stall {
  queries: number;
  failedQueries: number;
  worstStallMs: number;
  p99Ms: number;
  p50Ms: number;
  migrationMs: number;
  attempts?: number;
  targetMet: boolean;
}

async function freshDatabase(cluster: TemporaryCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(
    'CREATE SCHEMA app; CREATE TABLE app.orders (id bigint PRIMARY KEY, total numeric);' +
      'INSERT INTO app.orders SELECT g, g FROM generate_series(1, 10000) g;',
  );
  await client.end();
  return url.toString();
}

/** Short queries every APP_INTERVAL_MS until stopped; latency counts from when each was due. */
function applicationTraffic(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 50 });
  pool.on('error', () => {});
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let stopped = false;
  const started = performance.now();
  let sent = 0;
  let errors = 0;
  const tick = () => {
    if (stopped) return;
    const due = started + sent * APP_INTERVAL_MS;
    sent++;
    pending.push(
      pool.query('SELECT total FROM app.orders WHERE id = $1', [1 + (sent % 10000)]).then(
        () => {
          latencies.push(performance.now() - due);
        },
        () => {
          errors++;
        },
      ),
    );
    setTimeout(tick, Math.max(0, started + sent * APP_INTERVAL_MS - performance.now()));
  };
  tick();
  return {
    async stop(): Promise<{ latencies: number[]; errors: number }> {
      stopped = true;
      await Promise.all(pending);
      await pool.end();
      return { latencies, errors };
    },
  };
}

/** A session that read the table in a transaction it keeps open for HOLD_MS. */
async function longTransaction(url: string): Promise<{ done: Promise<void> }> {
  const holder = new pg.Client({ connectionString: url });
  holder.on('error', () => {});
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT count(*) FROM app.orders');
  const done = new Promise<void>((resolve) => setTimeout(resolve, HOLD_MS)).then(async () => {
    await holder.query('COMMIT');
    await holder.end();
  });
  return { done };
}

async function measure(url: string, migrate: () => Promise<number | undefined>): Promise<Stall> {
  const traffic = applicationTraffic(url);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const holder = await longTransaction(url);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const attempts = await migrate();
  const migrationMs = performance.now() - started;
  await holder.done;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { latencies, errors } = await traffic.stop();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const worst = latencies.at(-1) ?? 0;
  return {
    queries: latencies.length,
    failedQueries: errors,
    worstStallMs: Math.round(worst),
    p99Ms: Math.round(at(0.99) * 10) / 10,
    p50Ms: Math.round(at(0.5) * 10) / 10,
    migrationMs: Math.round(migrationMs),
    ...(attempts === undefined ? {} : { attempts }),
    targetMet: worst <= LOCK_TIMEOUT_MS + 100,
  };
}

/** (a) validate, then apply with lock_timeout, retrying LockTimeoutError with backoff and full jitter. */
async function throughStepmigrate(url: string, migrationsDir: string): Promise<number> {
  const db = new PgDatabase(url, {}, { copy: pgCopyStreams });
  const ctx: EngineContext = {
    db,
    migrations: await loadMigrations(migrationsDir),
    historySchema: 'stepmigrate',
    defaults: { lockTimeoutMs: LOCK_TIMEOUT_MS, statementTimeoutMs: 60_000 },
    actor: 'bench',
    lease: new PostgresLease(db, 'stepmigrate'),
  };
  try {
    const run = await validateRun(ctx, { lockTimeoutMs: LOCK_TIMEOUT_MS }, 'bench-lock-stall');
    for (let attempt = 1; ; attempt++) {
      try {
        await applyPlanStep(ctx, run, run.plan.steps[0]!);
        await releaseRun(ctx, run);
        return attempt;
      } catch (error) {
        if (!(error instanceof LockTimeoutError) || attempt > RETRY.maxAttempts) throw error;
        const interval = RETRY.intervalMs * RETRY.backoffRate ** (attempt - 1);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * interval));
      }
    }
  } finally {
    await db.close();
  }
}

/** (b) what `psql -f` does: the file's SQL, no lock_timeout, waiting as long as it takes. */
async function asPsqlFile(url: string, file: string): Promise<{ tool: string }> {
  if (existsSync(PSQL)) {
    try {
      await promisify(execFile)(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file]);
      return { tool: 'psql 15 (Debian) -f' };
    } catch (error) {
      // psql refused the server or failed: fall through to the emulation, and say so.
      process.stderr.write(`psql failed (${String(error).slice(0, 200)}); emulating psql -f\n`);
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(MIGRATION_SQL);
  await client.end();
  return { tool: 'psql -f emulated: the file sent over one pg connection, no lock_timeout' };
}

export async function run(): Promise<Record<string, unknown>> {
  const cluster = await startTemporaryCluster();
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-lock-stall-'));
  try {
    await mkdir(join(dir, 'migrations'));
    await writeFile(
      join(dir, 'migrations', '0001_add_note.sql'),
      `-- migrate:up\n${MIGRATION_SQL}\n\n-- migrate:down\nALTER TABLE app.orders DROP COLUMN note;\n`,
    );
    const sqlFile = join(dir, 'add_note.sql');
    await writeFile(sqlFile, `${MIGRATION_SQL}\n`);

    const ours = await measure(await freshDatabase(cluster, 'stall_stepmigrate'), () =>
      throughStepmigrate(urlOf(cluster, 'stall_stepmigrate'), join(dir, 'migrations')),
    );
    let tool = '';
    const plain = await measure(await freshDatabase(cluster, 'stall_psql'), async () => {
      ({ tool } = await asPsqlFile(urlOf(cluster, 'stall_psql'), sqlFile));
      return undefined;
    });
    return {
      setup: `a transaction holding ACCESS SHARE on app.orders for ${HOLD_MS} ms; a query every ${APP_INTERVAL_MS} ms; ${MIGRATION_SQL}`,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
      targetWorstStallMs: LOCK_TIMEOUT_MS + 100,
      stepmigrate: ours,
      psqlFile: { tool, ...plain },
    };
  } catch (error) {
    process.stderr.write(`lock-stall failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}

function urlOf(cluster: TemporaryCluster, name: string): string {
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return url.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
