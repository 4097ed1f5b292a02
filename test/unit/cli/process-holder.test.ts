// A local lease holder is this host, a pid and that pid's start time: a pid given to another
// process later is not the holder.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { localProcessRunning, processStartTicks, thisProcess } from '../../../cli/local/process-holder.ts';

const expiresAt = '2030-01-01T00:00:00.000Z';

describe('local lease holders', () => {
  it('this process runs; on another host it cannot be told', () => {
    const me = { owner: 'local-x', expiresAt, ...thisProcess() };
    expect(me.processStart).toBe(processStartTicks(process.pid));
    expect(localProcessRunning(me)).toBe(true);
    expect(localProcessRunning({ ...me, host: `${hostname()}-elsewhere` })).toBeUndefined();
    // A container on this host may have the same host name and reuse the pid.
    expect(localProcessRunning({ ...me, pidNamespace: 'pid:[1]' })).toBeUndefined();
  });

  it('a process that exited is gone, and so is a live pid with another start time', () => {
    const exited = spawnSync(process.execPath, ['-e', '0']);
    expect(localProcessRunning({ ...thisProcess(), owner: 'local-x', expiresAt, pid: exited.pid! })).toBe(
      false,
    );
    const reused = { owner: 'local-x', expiresAt, ...thisProcess(), processStart: '1' };
    expect(localProcessRunning(reused)).toBe(processStartTicks(process.pid) === undefined);
  });
});
