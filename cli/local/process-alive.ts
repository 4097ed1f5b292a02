// Whether a process still runs, for locks and servers whose owner may have died without
// cleaning up (the lock file, the embedded server, a test's temporary cluster).
import { readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited process not yet reaped by its parent still answers signal 0.
  return !/^\d+ \(.*\) Z/.test(readFileOrEmpty(`/proc/${pid}/stat`));
}

function readFileOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
