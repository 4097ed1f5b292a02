// Backup and restore throughput on a 1,000,000-row table, in bounded memory, and the same
// data through `pg_dump -t … | gzip` and `psql \copy` for comparison; and the fixed cost per
// table: 20 small tables in one backup beside one `pg_dump -t … -t … | gzip` of the same 20. Debian's PostgreSQL 15
// client binaries refuse newer servers, so the comparison runs on a temporary PostgreSQL 15
// cluster (when /usr/lib/postgresql/15/bin exists) and our backup runs against that same
// server too. Reported, never asserted. Run alone: `npm run bench backup`.
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { backupTables } from '../../lambdas/engine/backup/backup-tables.ts';
import { restoreTables } from '../../lambdas/engine/backup/restore-tables.ts';
import { MemoryBackupStore } from '../support/memory-backup-store.ts';

const rows = Number(process.env.BENCH_BACKUP_ROWS ?? 1_000_000);
const pg15Bin = '/usr/lib/postgresql/15/bin';
const table = 'public.bench_rows';
const mb = (bytes: number) => bytes / 1024 / 1024;
const round = (n: number) => Math.round(n * 10) / 10;

const createSql = `
DROP TABLE IF EXISTS ${table};
CREATE TABLE ${table} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id integer NOT NULL, email text NOT NULL,
  amount numeric(12,2), status text, created_at timestamptz NOT NULL, tags text[], payload jsonb);
INSERT INTO ${table} (account_id, email, amount, status, created_at, tags, payload)
SELECT i % 5000, 'customer' || i || '@example.com', (i % 100000) / 100.0,
       (ARRAY['open','paid','void'])[1 + i % 3], timestamptz '2025-01-01' + i * interval '17 seconds',
       ARRAY['t' || (i % 7), 't' || (i % 11)], jsonb_build_object('n', i, 'even', i % 2 = 0)
  FROM generate_series(1, ${rows}) i;
ANALYZE ${table};`;

/** Samples resident memory while `fn` runs. */
async function withPeakRss<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; peakRssMb: number; baseRssMb: number }> {
  const baseRssMb = mb(process.memoryUsage().rss);
  let peak = baseRssMb;
  const timer = setInterval(() => {
    peak = Math.max(peak, mb(process.memoryUsage().rss));
  }, 20);
  try {
    const result = await fn();
    return { result, peakRssMb: round(peak), baseRssMb: round(baseRssMb) };
  } finally {
    clearInterval(timer);
  }
}

function shell(command: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command}: exit ${code}: ${stderr}`)),
    );
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function ourBackup(db: PgDatabase, dir: string, gzipLevel: number) {
  const store = new LocalBackupStore(dir);
  const cpu = process.cpuUsage();
  const { result, peakRssMb, baseRssMb } = await withPeakRss(() =>
    timed(() =>
      backupTables(
        { db, store },
        {
          executionId: `bench-l${gzipLevel}`,
          database: 'bench',
          tables: [table],
          fingerprintBefore: 'x',
          gzipLevel,
        },
      ),
    ),
  );
  const used = process.cpuUsage(cpu);
  const summary = result.result;
  const object = (await store.list(`bench/bench-l${gzipLevel}/`)).find((o) => o.key.endsWith('.copy.gz'))!;
  return {
    seconds: round(result.seconds),
    tableDataMb: round(mb(summary.tables[0]!.bytes)),
    mbPerSecond: round(mb(summary.tables[0]!.bytes) / result.seconds),
    compressedMb: round(mb(object.bytes)),
    // CPU seconds of this process (main thread + zlib's thread pool) per wall second: above
    // 1.0 means the copy uses more than one core (gzip runs off the main thread).
    coresUsed: round((used.user + used.system) / 1e6 / result.seconds),
    peakRssMb,
    baseRssMb,
    manifestKey: summary.manifestKey,
    objectPath: object.location,
    store,
    bytes: summary.tables[0]!.bytes,
  };
}

async function ourRestore(db: PgDatabase, store: LocalBackupStore, manifestKey: string, bytes: number) {
  await db.withConnection((c) => c.query(`TRUNCATE ${table}`));
  let loadMs = 0;
  const log = (line: string) => {
    const match = /^loaded .* in (\d+) ms$/.exec(line);
    if (match) loadMs = Number(match[1]);
  };
  const { result, peakRssMb } = await withPeakRss(() =>
    timed(() => restoreTables({ db, store, log }, { manifest: manifestKey })),
  );
  return {
    secondsWithVerify: round(result.seconds),
    mbPerSecondWithVerify: round(mb(bytes) / result.seconds),
    loadSeconds: round(loadMs / 1000),
    loadMbPerSecond: round(mb(bytes) / (loadMs / 1000)),
    peakRssMb,
  };
}

async function pgDumpGzip(url: string, dir: string, level: number, bytes: number) {
  const file = join(dir, `pg_dump-l${level}.sql.gz`);
  const { seconds } = await timed(() =>
    shell(`${pg15Bin}/pg_dump --data-only -t ${table} -d "$URL" | gzip -${level} > ${file}`, { URL: url }),
  );
  return {
    seconds: round(seconds),
    mbPerSecond: round(mb(bytes) / seconds),
    compressedMb: round(mb((await stat(file)).size)),
  };
}

async function psqlCopyRestore(db: PgDatabase, url: string, objectPath: string, bytes: number) {
  await db.withConnection((c) => c.query(`TRUNCATE ${table}`));
  const { seconds } = await timed(() =>
    shell(
      `gunzip -c ${objectPath} | ${pg15Bin}/psql -q -d "$URL" -c "\\copy ${table} (id, account_id, email, amount, status, created_at, tags, payload) from stdin"`,
      {
        URL: url,
      },
    ),
  );
  return { seconds: round(seconds), mbPerSecond: round(mb(bytes) / seconds) };
}

const smallTables = Array.from({ length: 20 }, (_, i) => `small.t${String(i + 1).padStart(2, '0')}`);

const smallSql = `
DROP SCHEMA IF EXISTS small CASCADE;
CREATE SCHEMA small;
${smallTables
  .map(
    (name, i) => `CREATE TABLE ${name} (id serial PRIMARY KEY, code text NOT NULL UNIQUE, label text,
  amount numeric(10,2), tags text[], updated timestamptz NOT NULL DEFAULT '2026-01-01');
CREATE INDEX ON ${name} (label);
COMMENT ON TABLE ${name} IS 'small table ${i}';
INSERT INTO ${name} (code, label, amount, tags)
  SELECT 'c' || g, 'label ' || (g % 17), g * 1.25, ARRAY['a' || g % 3] FROM generate_series(1, ${50 + i * 40}) g;`,
  )
  .join('\n')}
ANALYZE;`;

/** 20 small tables: our whole Backup step beside pg_dump of the same tables, best of three. */
async function smallTablesBackup(db: PgDatabase, url: string | undefined, dir: string) {
  await db.withConnection((c) => c.query(smallSql));
  const store = new LocalBackupStore(join(dir, 'small'));
  const ours: number[] = [];
  const toMemory: number[] = [];
  const dumps: number[] = [];
  let peakRssMb = 0;
  let bytes = 0;
  let timing = '';
  const log = (line: string) => {
    if (line.startsWith('backup timing: ')) timing = line.slice('backup timing: '.length);
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { result, peakRssMb: peak } = await withPeakRss(() =>
      timed(() =>
        backupTables(
          { db, store, log },
          { executionId: `small-${attempt}`, database: 'bench', tables: smallTables, fingerprintBefore: 'x' },
        ),
      ),
    );
    ours.push(result.seconds);
    // The same backup into memory: what the local store's flushed, renamed files cost.
    toMemory.push(
      (
        await timed(() =>
          backupTables(
            { db, store: new MemoryBackupStore() },
            {
              executionId: `small-m${attempt}`,
              database: 'bench',
              tables: smallTables,
              fingerprintBefore: 'x',
            },
          ),
        )
      ).seconds,
    );
    peakRssMb = Math.max(peakRssMb, peak);
    bytes = result.result.tables.reduce((sum, t) => sum + t.bytes, 0);
    if (url) {
      const file = join(dir, `small-${attempt}.sql.gz`);
      const tables = smallTables.map((t) => `-t ${t}`).join(' ');
      dumps.push(
        (
          await timed(() =>
            shell(`${pg15Bin}/pg_dump --data-only ${tables} -d "$URL" | gzip > ${file}`, { URL: url }),
          )
        ).seconds,
      );
    }
  }
  const best = (values: number[]) => Math.min(...values);
  const result: Record<string, unknown> = {
    tables: smallTables.length,
    tableDataKb: Math.round(bytes / 1024),
    ourBackupSeconds: Math.round(best(ours) * 1000) / 1000,
    ourMsPerTable: Math.round((best(ours) * 1000) / smallTables.length),
    whereTheTimeGoes: timing,
    ourBackupToMemorySeconds: Math.round(best(toMemory) * 1000) / 1000,
    peakRssMb,
  };
  if (url) {
    result.pgDumpGzipSeconds = Math.round(best(dumps) * 1000) / 1000;
    result.ratioToPgDumpGzip = Math.round((best(ours) / best(dumps)) * 100) / 100;
  }
  return result;
}

async function measure(cluster: TemporaryCluster, compare: boolean) {
  const db = new PgDatabase(cluster.url);
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-bench-backup-'));
  try {
    const { seconds: setupSeconds } = await timed(() => db.withConnection((c) => c.query(createSql)));
    const serverVersion = await db.withConnection(
      async (c) => (await c.query<{ v: string }>('SHOW server_version')).rows[0]!.v,
    );
    const small = await smallTablesBackup(db, compare ? cluster.url : undefined, dir);
    const level1 = await ourBackup(db, dir, 1);
    const level6 = await ourBackup(db, dir, 6);
    const restore = await ourRestore(db, level1.store, level1.manifestKey, level1.bytes);
    const result: Record<string, unknown> = {
      serverVersion,
      rows,
      setupSeconds: round(setupSeconds),
      smallTables: small,
      ourBackupGzip1: strip(level1),
      ourBackupGzip6: strip(level6),
      ourRestore: restore,
    };
    if (compare) {
      const dump6 = await pgDumpGzip(cluster.url, dir, 6, level1.bytes);
      const dump1 = await pgDumpGzip(cluster.url, dir, 1, level1.bytes);
      const psql = await psqlCopyRestore(db, cluster.url, level1.objectPath, level1.bytes);
      Object.assign(result, {
        pgDumpGzip6: dump6,
        pgDumpGzip1: dump1,
        psqlCopyRestore: psql,
        ratios: {
          // Time ratios (ours ÷ theirs, target ≤ 1.0) for the two rows the issue tracks.
          smallTablesTime: small.ratioToPgDumpGzip,
          bigTableTimeVsPgDumpGzip: Math.round((level1.seconds / dump6.seconds) * 100) / 100,
          ourDefaultVsPgDumpGzipDefault: round(level1.mbPerSecond / dump6.mbPerSecond),
          sameGzipLevel6: round(level6.mbPerSecond / dump6.mbPerSecond),
          sameGzipLevel1: round(level1.mbPerSecond / dump1.mbPerSecond),
          restoreLoadVsPsqlCopy: round(restore.loadMbPerSecond / psql.mbPerSecond),
          restoreWithVerifyVsPsqlCopy: round(restore.mbPerSecondWithVerify / psql.mbPerSecond),
        },
      });
    }
    return result;
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function strip(result: Awaited<ReturnType<typeof ourBackup>>) {
  const { store: _store, manifestKey: _key, objectPath: _path, bytes: _bytes, ...rest } = result;
  return rest;
}

async function pg15Available(): Promise<boolean> {
  try {
    await access(`${pg15Bin}/pg_dump`);
    await access(`${pg15Bin}/initdb`);
    return true;
  } catch {
    return false;
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  const pg15 = await pg15Available();
  if (!pg15 || process.env.BENCH_BACKUP_EMBEDDED) {
    const embedded = await startTemporaryCluster();
    try {
      report.embedded = await measure(embedded, false);
    } finally {
      await embedded.stop();
    }
  }
  if (pg15) {
    const cluster = await startTemporaryCluster({ binDir: pg15Bin });
    try {
      report.postgres15 = await measure(cluster, true);
    } finally {
      await cluster.stop();
    }
  } else {
    report.postgres15 = 'skipped: /usr/lib/postgresql/15/bin not present';
  }
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
