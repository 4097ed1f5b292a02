// Backup and restore on the same PostgreSQL 15 server as `pg_dump -t … | gzip` and
// `psql \copy`, each beside its peer in the same run (Debian's client binaries refuse newer
// servers, so the comparison runs on a temporary PostgreSQL 15 cluster when
// /usr/lib/postgresql/15/bin exists):
//  - 20 small tables in one backup beside one `pg_dump -t … -t …` of them, with where the
//    time goes per phase (connect, catalog, copies, commit, sync, manifest);
//  - a 1,000,000-row table (105 MB) by one COPY stream and by several streams in page ranges,
//    with peak resident memory;
//  - the whole `stepmigrate run` process of one migration that backs that table up;
//  - the same table in key-range chunks read by separate connections and by separate
//    processes, as separate Lambda invocations would (no shared snapshot), beside the
//    chunks of one snapshot.
// Reported, never asserted. Run alone: `npm run bench backup`.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { backupTables, defaultBackupConcurrency } from '../../lambdas/engine/backup/backup-tables.ts';
import { keyRanges } from '../../lambdas/engine/backup/chunk-ranges.ts';
import { mapWithConcurrency } from '../../lambdas/engine/backup/concurrency.ts';
import { restoreTables } from '../../lambdas/engine/backup/restore-tables.ts';
import { MemoryBackupStore } from '../support/memory-backup-store.ts';
import { backupChunk, type ChunkInvocation, type ChunkResult } from './backup-chunk-invocation.ts';
import type { SummaryRow } from './summary-rows.ts';

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

interface OurBackup {
  seconds: number;
  mbPerSecond: number;
  compressedMb: number;
  coresUsed: number;
  peakRssMb: number;
  baseRssMb: number;
  timing: string;
  manifestKey: string;
  bytes: number;
}

/** One backup of the big table into the local store: `streams` 1 is one COPY stream. */
async function ourBackup(db: PgDatabase, store: LocalBackupStore, executionId: string, streams: number) {
  const cpu = process.cpuUsage();
  let timing = '';
  const log = (line: string) => {
    if (line.startsWith('backup timing: ')) timing = line.slice('backup timing: '.length);
  };
  const { result, peakRssMb, baseRssMb } = await withPeakRss(() =>
    timed(() =>
      backupTables(
        { db, store, log },
        { executionId, database: 'bench', tables: [table], fingerprintBefore: 'x', concurrency: streams },
      ),
    ),
  );
  const used = process.cpuUsage(cpu);
  const summary = result.result;
  const objects = (await store.list(`bench/${executionId}/`)).filter((o) => !o.key.endsWith('.json'));
  const bytes = summary.tables[0]!.bytes;
  return {
    seconds: round2(result.seconds),
    mbPerSecond: round(mb(bytes) / result.seconds),
    compressedMb: round(mb(objects.reduce((sum, o) => sum + o.bytes, 0))),
    // CPU seconds of this process (main thread + zlib's thread pool) per wall second.
    coresUsed: round((used.user + used.system) / 1e6 / result.seconds),
    peakRssMb,
    baseRssMb,
    timing,
    manifestKey: summary.manifestKey,
    bytes,
  } satisfies OurBackup;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const best = (values: number[]) => Math.min(...values);

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

/** `pg_dump -t <table> | gzip -<level>`, as a user would run it (schema and data). */
async function pgDumpGzip(url: string, dir: string, level: number) {
  const file = join(dir, `pg_dump-l${level}.sql.gz`);
  const { seconds } = await timed(() =>
    shell(`${pg15Bin}/pg_dump -t ${table} -d "$URL" | gzip -${level} > ${file}`, { URL: url }),
  );
  return { seconds, compressedMb: round(mb((await stat(file)).size)) };
}

async function psqlCopyRestore(db: PgDatabase, url: string, objectPaths: string[], bytes: number) {
  await db.withConnection((c) => c.query(`TRUNCATE ${table}`));
  const { seconds } = await timed(() =>
    shell(
      `cat ${objectPaths.join(' ')} | gunzip -c | ${pg15Bin}/psql -q -d "$URL" -c "\\copy ${table} (id, account_id, email, amount, status, created_at, tags, payload) from stdin"`,
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

/** 20 small tables: our whole Backup step beside pg_dump of the same tables, best of five. */
async function smallTablesBackup(db: PgDatabase, url: string | undefined, dir: string) {
  await db.withConnection((c) => c.query(smallSql));
  const store = new LocalBackupStore(join(dir, 'small'));
  const ours: { seconds: number; timing: string }[] = [];
  const toMemory: { seconds: number; timing: string }[] = [];
  const dumps: number[] = [];
  let peakRssMb = 0;
  let baseRssMb = 0;
  let bytes = 0;
  const once = async (executionId: string, target: LocalBackupStore | MemoryBackupStore) => {
    let timing = '';
    const log = (line: string) => {
      if (line.startsWith('backup timing: ')) timing = line.slice('backup timing: '.length);
    };
    const {
      result,
      peakRssMb: peak,
      baseRssMb: base,
    } = await withPeakRss(() =>
      timed(() =>
        backupTables(
          { db, store: target, log },
          { executionId, database: 'bench', tables: smallTables, fingerprintBefore: 'x' },
        ),
      ),
    );
    peakRssMb = Math.max(peakRssMb, peak);
    baseRssMb = base;
    bytes = result.result.tables.reduce((sum, t) => sum + t.bytes, 0);
    return { seconds: result.seconds, timing };
  };
  for (let attempt = 1; attempt <= 5; attempt++) {
    ours.push(await once(`small-${attempt}`, store));
    // The same backup into memory: what the local store's files cost.
    toMemory.push(await once(`small-m${attempt}`, new MemoryBackupStore()));
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
  const fastest = (runs: { seconds: number; timing: string }[]) =>
    runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const result: Record<string, unknown> = {
    tables: smallTables.length,
    tableDataKb: Math.round(bytes / 1024),
    ourBackupSeconds: round3(fastest(ours).seconds),
    ourMsPerTable: Math.round((fastest(ours).seconds * 1000) / smallTables.length),
    whereTheTimeGoes: fastest(ours).timing,
    ourBackupToMemorySeconds: round3(fastest(toMemory).seconds),
    whereTheTimeGoesToMemory: fastest(toMemory).timing,
    peakRssMb: round(peakRssMb),
    baseRssMb,
  };
  if (url) {
    result.pgDumpGzipSeconds = round3(best(dumps));
    result.ratioToPgDumpGzip = round2(fastest(ours).seconds / best(dumps));
  }
  return result;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The big table by one stream and by several, beside pg_dump -t | gzip, best of three, interleaved. */
async function bigTableBackup(db: PgDatabase, url: string | undefined, dir: string) {
  const store = new LocalBackupStore(join(dir, 'big'));
  const one: OurBackup[] = [];
  const many: OurBackup[] = [];
  const dumps: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    one.push(await ourBackup(db, store, `one-${attempt}`, 1));
    many.push(await ourBackup(db, store, `many-${attempt}`, defaultBackupConcurrency));
    if (url) dumps.push((await pgDumpGzip(url, dir, 6)).seconds);
  }
  const fastest = (runs: OurBackup[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const strip = ({ manifestKey: _k, bytes: _b, ...rest }: OurBackup) => rest;
  const result: Record<string, unknown> = {
    tableDataMb: round(mb(one[0]!.bytes)),
    oneStream: strip(fastest(one)),
    severalStreams: { streams: defaultBackupConcurrency, ...strip(fastest(many)) },
    // Peak RSS of every attempt: a 105 MB table must not move it.
    peakRssMbEveryAttempt: [...one, ...many].map((r) => r.peakRssMb),
  };
  if (url) {
    result.pgDumpGzip6Seconds = round2(best(dumps));
    result.pgDumpGzip1Seconds = round2((await pgDumpGzip(url, dir, 1)).seconds);
  }
  return {
    result,
    store,
    many: fastest(many),
    one: fastest(one),
    dumpSeconds: url ? best(dumps) : undefined,
  };
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The whole `stepmigrate run` process of one migration that backs up the big table, beside pg_dump. */
async function wholeRun(db: PgDatabase, url: string, dir: string) {
  const project = join(dir, 'project');
  await mkdir(join(project, 'migrations'), { recursive: true });
  await writeFile(
    join(project, 'migrations', '0001_prune_rows.sql'),
    `-- migrate:up\nDELETE FROM ${table} WHERE id < 0;\n\n-- migrate:down\nSELECT 1;\n`,
  );
  const runOnce = async () => {
    await db.withConnection((c) => c.query('DROP SCHEMA IF EXISTS stepmigrate CASCADE'));
    const { result, seconds } = await timed(() =>
      capture(process.execPath, [
        join(repoRoot, 'bin', 'stepmigrate.js'),
        'run',
        '--json',
        '--migrations',
        join(project, 'migrations'),
        '--database-url',
        url,
      ]),
    );
    const output = JSON.parse(result) as { status: string; steps: { name: string; durationMs: number }[] };
    if (output.status !== 'succeeded') throw new Error(`stepmigrate run ended ${output.status}`);
    return { seconds, backupMs: output.steps.find((s) => s.name === 'Backup')?.durationMs ?? 0 };
  };
  await runOnce(); // synthesizes and caches the definition, as a user's first run does
  const runs: { seconds: number; backupMs: number }[] = [];
  const dumps: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    runs.push(await runOnce());
    dumps.push((await pgDumpGzip(url, dir, 6)).seconds);
  }
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return {
    runSeconds: round2(fastest.seconds),
    backupStepSeconds: round2(fastest.backupMs / 1000),
    everyRunSeconds: runs.map((r) => round2(r.seconds)),
    pgDumpGzipSeconds: round2(best(dumps)),
    ratio: round2(fastest.seconds / best(dumps)),
  };
}

function capture(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args[0]}: exit ${code}: ${stderr}`)),
    );
  });
}

/**
 * The same table in key-range chunks, each read as a separate invocation would: its own
 * connection and transaction, no shared snapshot; once in this process (separate
 * connections), once as separate processes; two at a time, like the one-snapshot backup.
 */
async function chunksAcrossInvocations(db: PgDatabase, url: string, dir: string, chunks: number) {
  const oid = await db.withConnection(
    async (c) =>
      (await c.query<{ oid: number }>(`SELECT '${table}'::regclass::oid::int AS oid`)).rows[0]!.oid,
  );
  const ranges = await db.withConnection((c) => keyRanges(c, oid, chunks));
  const invocation = (index: number, executionId: string): ChunkInvocation => ({
    table,
    range: ranges[index]!,
    index,
    executionId,
    storeRoot: join(dir, 'chunks'),
  });
  const connections = await timed(() =>
    mapWithConcurrency(ranges, 2, (_range, index) => backupChunk(db, invocation(index, 'connections'))),
  );
  const processes = await timed(() =>
    mapWithConcurrency(ranges, 2, async (_range, index) => {
      const started = performance.now();
      const output = await capture(process.execPath, [
        '--import',
        'tsx',
        join(repoRoot, 'test', 'bench', 'backup-chunk-invocation.ts'),
        JSON.stringify({ url, ...invocation(index, 'processes') }),
      ]);
      return { ...(JSON.parse(output) as ChunkResult), processMs: performance.now() - started };
    }),
  );
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    chunks: ranges.length,
    rowsInChunks: connections.result.reduce((sum, r) => sum + r.rows, 0),
    separateConnectionsSeconds: round2(connections.seconds),
    // What a chunk costs beyond its COPY: connection, transaction, catalog, lock, store sync.
    perChunkOverheadMsConnections: Math.round(mean(connections.result.map((r) => r.totalMs - r.copyMs))),
    separateProcessesSeconds: round2(processes.seconds),
    // Beyond its COPY, with a process start (Node, tsx, modules): the floor of a cold invocation.
    perChunkOverheadMsProcesses: Math.round(mean(processes.result.map((r) => r.processMs - r.copyMs))),
  };
}

/** What `measure` found, loosely typed: each part is a benchmark's JSON record. */
// biome-ignore lint/suspicious/noExplicitAny: the report is plain JSON that the summary reads back
type Report = Record<string, any>;

function summaryRows(report: Report): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const small = report.smallTables;
  const big = report.bigTable;
  const ratioMet = (ours: number, theirs: number) => ours <= theirs;
  if (small?.pgDumpGzipSeconds !== undefined) {
    rows.push({
      what: '20 small tables (434 KB), Backup into the local store',
      value: Math.round(small.ourBackupSeconds * 1000),
      unit: 'ms',
      beside: {
        what: 'pg_dump --data-only -t ×20 | gzip',
        value: Math.round(small.pgDumpGzipSeconds * 1000),
      },
      target: '≤ 1.0× pg_dump | gzip',
      met: ratioMet(small.ourBackupSeconds, small.pgDumpGzipSeconds),
    });
  }
  if (big?.pgDump6Seconds !== undefined) {
    for (const [what, run] of [
      ['1M rows (105 MB), 1 COPY stream', big.oneStream],
      [`1M rows (105 MB), ${big.severalStreams.streams} streams in page ranges`, big.severalStreams],
    ] as const) {
      rows.push({
        what,
        value: run.seconds,
        unit: 's',
        beside: { what: 'pg_dump -t | gzip', value: big.pgDump6Seconds },
        target: '≤ 1.0× pg_dump -t | gzip',
        met: ratioMet(run.seconds, big.pgDump6Seconds),
      });
    }
  }
  if (big) {
    rows.push({
      what: `backup peak RSS, 1M rows, ${big.severalStreams.streams} streams`,
      value: big.severalStreams.peakRssMb,
      unit: 'MB',
      beside: { what: 'peak RSS backing up the 20 small tables', value: small.peakRssMb },
      target: '< 256 MB, independent of table size',
      met: big.severalStreams.peakRssMb < 256,
    });
  }
  const whole = report.wholeRun;
  if (whole?.runSeconds !== undefined) {
    rows.push({
      what: 'whole `stepmigrate run` process, one migration backing up 1M rows',
      value: whole.runSeconds,
      unit: 's',
      beside: { what: 'pg_dump -t | gzip', value: whole.pgDumpGzipSeconds },
      target: '≤ 1.0× pg_dump -t | gzip',
      met: ratioMet(whole.runSeconds, whole.pgDumpGzipSeconds),
    });
  }
  const across = report.chunksAcrossInvocations;
  if (across?.separateConnectionsSeconds !== undefined) {
    rows.push(
      {
        what: `1M rows in ${across.chunks} key-range chunks, separate connections (no shared snapshot)`,
        value: across.separateConnectionsSeconds,
        unit: 's',
        beside: { what: 'the same chunks in one snapshot', value: big.severalStreams.seconds },
      },
      {
        what: `1M rows in ${across.chunks} key-range chunks, separate processes (no shared snapshot)`,
        value: across.separateProcessesSeconds,
        unit: 's',
        beside: { what: 'the same chunks in one snapshot', value: big.severalStreams.seconds },
      },
    );
  }
  return rows;
}

async function measure(cluster: TemporaryCluster, compare: boolean) {
  const db = new PgDatabase(cluster.url, {}, { copy: pgCopyStreams });
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-bench-backup-'));
  const url = compare ? cluster.url : undefined;
  try {
    const { seconds: setupSeconds } = await timed(() => db.withConnection((c) => c.query(createSql)));
    const serverVersion = await db.withConnection(
      async (c) => (await c.query<{ v: string }>('SHOW server_version')).rows[0]!.v,
    );
    const report: Report = { serverVersion, rows, setupSeconds: round(setupSeconds) };
    report.smallTables = await smallTablesBackup(db, url, dir);
    const big = await bigTableBackup(db, url, dir);
    report.bigTable = { ...big.result, pgDump6Seconds: big.dumpSeconds && round2(big.dumpSeconds) };
    if (url) {
      report.chunksAcrossInvocations = await chunksAcrossInvocations(
        db,
        url,
        dir,
        Number(/(\d+) piece/.exec(big.many.timing)?.[1] ?? 2),
      );
      report.wholeRun = await wholeRun(db, url, dir);
    }
    const objects = (await big.store.list(big.many.manifestKey.replace(/manifest\.json$/, ''))).filter(
      (o) => !o.key.endsWith('.json'),
    );
    report.ourRestoreFromChunks = await ourRestore(db, big.store, big.many.manifestKey, big.many.bytes);
    if (url) {
      const psql = await psqlCopyRestore(
        db,
        url,
        objects.map((o) => o.location),
        big.many.bytes,
      );
      report.psqlCopyRestore = psql;
      report.restoreLoadVsPsqlCopy = round(report.ourRestoreFromChunks.loadMbPerSecond / psql.mbPerSecond);
    }
    report.summary = summaryRows(report);
    return report;
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
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
  const pg15 = await pg15Available();
  if (!pg15) {
    // No peer to compare with: our own numbers on the embedded server, with a note.
    const embedded = await startTemporaryCluster();
    try {
      return {
        skipped: `${pg15Bin} not present: no pg_dump to compare with`,
        embedded: await measure(embedded, false),
      };
    } finally {
      await embedded.stop();
    }
  }
  const cluster = await startTemporaryCluster({ binDir: pg15Bin });
  try {
    const { summary, ...postgres15 } = await measure(cluster, true);
    return { summary, postgres15 };
  } finally {
    await cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
