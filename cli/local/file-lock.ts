// A cross-process mutex on a lock file, so two stepmigrate commands started at the same
// moment serialise the start-up of the embedded server instead of racing for it. The file
// holds the owner's pid: a lock left by a crashed process is taken over, not waited on.
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { PreflightError } from '../../lambdas/engine/errors.ts';
import { isAlive } from './process-alive.ts';

const pollMs = 50;
let sequence = 0;

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o644);
    await handle.writeFile(token);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new PreflightError(`cannot create the lock file ${lockPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function removeIfAbandoned(lockPath: string): Promise<void> {
  const content = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number(content.split(' ')[0]);
  // An empty file is a lock being written right now; leave it to its owner.
  if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) return;
  // Move it aside rather than unlink: of two waiters breaking the same lock only one rename
  // succeeds, and a waiter that moved a fresh lock by mistake can put it back.
  const aside = `${lockPath}.stale-${process.pid}-${++sequence}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  if ((await readFile(aside, 'utf8').catch(() => '')) !== content)
    await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** Runs `fn` while holding `lockPath`; waits up to `timeoutMs` for another holder. */
export async function withFileLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  // pid plus a per-call number: two callers in one process must exclude each other too.
  const token = `${process.pid} ${++sequence}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await tryCreate(lockPath, token))) {
    if (Date.now() > deadline) {
      throw new PreflightError(
        `waited ${timeoutMs / 1000} s for the lock ${lockPath} held by another stepmigrate process — wait for it to finish, or delete the file if no stepmigrate is running`,
      );
    }
    await removeIfAbandoned(lockPath);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await fn();
  } finally {
    const content = await readFile(lockPath, 'utf8').catch(() => '');
    if (content === token) await unlink(lockPath).catch(() => {});
  }
}
