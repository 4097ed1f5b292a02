// The local runner as a lease holder: this process's host, pid and start time go into the
// lease it takes, and a lease found held is judged by the same three. The start time tells a
// dead holder from an unrelated process that was given its pid later.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { HolderProcess } from '../../lambdas/adapters/postgres-lease.ts';
import type { HolderLiveness, LeaseHolder } from '../../lambdas/ports.ts';
import { isAlive } from './process-alive.ts';

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; undefined without /proc. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** "pid:[4026531836]": which PID namespace this process lives in; undefined without /proc. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

export function thisProcess(): HolderProcess {
  const processStart = processStartTicks(process.pid);
  const namespace = pidNamespace();
  return {
    host: hostname(),
    pid: process.pid,
    ...(processStart ? { processStart } : {}),
    ...(namespace ? { pidNamespace: namespace } : {}),
  };
}

/**
 * Running: the same host and PID namespace, a live pid and (where /proc tells) the same
 * start time. A holder in another namespace (a container with the same host name) or on
 * another host cannot be checked from here: undefined, so its lease is never taken over.
 */
export function localProcessRunning(holder: LeaseHolder): boolean | undefined {
  if (holder.pid === undefined || holder.host !== hostname()) return undefined;
  if (holder.pidNamespace !== pidNamespace()) return undefined;
  if (!isAlive(holder.pid)) return false;
  if (holder.processStart === undefined) return true;
  const now = processStartTicks(holder.pid);
  return now === undefined ? true : now === holder.processStart;
}

export const localProcessLiveness: HolderLiveness = {
  isRunning: async (holder) => localProcessRunning(holder),
};
