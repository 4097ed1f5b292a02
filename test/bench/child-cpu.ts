// CPU time (user + system) of the child processes this process has waited for, from
// /proc/self/stat (Linux; clock ticks of 10 ms). On a shared machine a process's wall time
// grows with everybody else's load, its CPU time much less: the benchmarks report both.
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

/** Children's CPU so far in ms, or undefined where /proc is not there. */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; cutime is 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return undefined;
  }
}
