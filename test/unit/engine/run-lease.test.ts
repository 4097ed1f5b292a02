// Taking the run lease when it is held: a holder that is gone is taken over (and named for
// the audit record), a running one never is, and one that cannot be checked waits.
import { describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../../lambdas/engine/context.ts';
import { LockedError } from '../../../lambdas/engine/errors.ts';
import { takeRunLease } from '../../../lambdas/engine/run-lease.ts';
import type { HolderLiveness, Lease, LeaseHolder } from '../../../lambdas/ports.ts';

/** One lease in memory, never expiring: only a takeover can change its holder. */
function memoryLease(holder: LeaseHolder | undefined): Lease & { current(): LeaseHolder | undefined } {
  let held = holder;
  return {
    current: () => held,
    acquire: async (_key, owner) => {
      if (held && held.owner !== owner) throw new LockedError(`held by ${held.owner}`);
      held = { owner, expiresAt: '2030-01-01T00:00:00.000Z' };
    },
    release: async (_key, owner) => {
      if (held?.owner === owner) held = undefined;
    },
    holder: async () => held,
    takeOver: async (_key, from, owner) => {
      if (held?.owner !== from) return false;
      held = { owner, expiresAt: '2030-01-01T00:00:00.000Z' };
      return true;
    },
  };
}

const crashed: LeaseHolder = {
  owner: 'local-old',
  expiresAt: '2030-01-01T00:00:00.000Z',
  host: 'ci-7',
  pid: 4242,
};

function context(lease: Lease, running: boolean | undefined): EngineContext {
  const holders: HolderLiveness = { isRunning: async () => running };
  return { lease, holders } as unknown as EngineContext;
}

describe('takeRunLease', () => {
  it('takes over the lease of a holder that is gone, and returns it', async () => {
    const lease = memoryLease(crashed);
    await expect(takeRunLease(context(lease, false), 'orders', 'local-new', 1000)).resolves.toEqual(crashed);
    expect(lease.current()?.owner).toBe('local-new');
  });

  it('refuses a holder that runs, saying how to stop it', async () => {
    const lease = memoryLease(crashed);
    const refused = takeRunLease(context(lease, true), 'orders', 'local-new', 1000);
    await expect(refused).rejects.toThrow(LockedError);
    await expect(refused).rejects.toThrow('kill -TERM 4242');
    expect(lease.current()?.owner).toBe('local-old');
  });

  it('waits for a holder it cannot check, and says how to free it once it is gone', async () => {
    const lease = memoryLease(crashed);
    await expect(takeRunLease(context(lease, undefined), 'orders', 'local-new', 1000)).rejects.toThrow(
      'stepmigrate repair --release-lease',
    );
    expect(lease.current()?.owner).toBe('local-old');
  });

  it('takes a free lease without asking about any holder', async () => {
    const lease = memoryLease(undefined);
    await expect(takeRunLease(context(lease, true), 'orders', 'local-new', 1000)).resolves.toBeUndefined();
    expect(lease.current()?.owner).toBe('local-new');
  });
});
