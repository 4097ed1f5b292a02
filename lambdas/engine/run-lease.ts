// Taking the run lease, and deciding what a held lease means. A lease names its holder
// (DESIGN §1.2), so when its holder is gone — a local process that died, an AWS execution
// that ended — the lease is taken over at once instead of blocking every run until it
// expires; a holder that still runs is never taken over.

import type { LeaseHolder } from '../ports.ts';
import type { EngineContext } from './context.ts';
import { LockedError } from './errors.ts';

/** "pid 4242 on build-7, started 2026-12-01T22:10:03Z" or "execution arn:…": who holds it. */
export function describeHolder(holder: LeaseHolder): string {
  if (holder.pid === undefined) return holder.owner;
  return `${holder.owner} (pid ${holder.pid} on ${holder.host ?? 'an unknown host'})`;
}

/** The LockedError for a lease whose holder runs (`running` true) or may run (undefined). */
export function heldLeaseError(key: string, holder: LeaseHolder, running: boolean | undefined): LockedError {
  const who = `database ${key} is being migrated by ${describeHolder(holder)}; lease held until ${holder.expiresAt}`;
  if (running === true && holder.pid !== undefined) {
    return new LockedError(
      `${who}. That process is still running: wait for it to finish, or stop it (Ctrl-C in its terminal, or \`kill -TERM ${holder.pid}\`) — it then rolls back and frees the lease. \`stepmigrate repair --release-lease\` frees a lease only once its process is gone`,
    );
  }
  if (running === true) {
    return new LockedError(`${who}. That execution is still running: wait for it to finish, or stop it`);
  }
  if (holder.pid !== undefined) {
    return new LockedError(
      `${who}. It runs on another machine, so its state is unknown here: wait for it, or once you know it is gone, free the lease with \`stepmigrate repair --release-lease --reason "…"\``,
    );
  }
  return new LockedError(
    `${who}. Wait for it to finish; if it is gone, its lease expires on its own (or, for a local run, free it with \`stepmigrate repair --release-lease --reason "…"\`)`,
  );
}

/**
 * Takes (or renews) the run lease. A lease held by a holder that is gone is taken over and
 * the old holder returned, for the audit record; a live or unknown holder is a LockedError.
 */
export async function takeRunLease(
  ctx: EngineContext,
  key: string,
  owner: string,
  ttlMs: number,
): Promise<LeaseHolder | undefined> {
  try {
    await ctx.lease.acquire(key, owner, ttlMs);
    return undefined;
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    const holder = await ctx.lease.holder(key);
    if (holder === undefined) {
      // Released between the two calls: take it the ordinary way.
      await ctx.lease.acquire(key, owner, ttlMs);
      return undefined;
    }
    if (holder.owner === owner) throw error; // ours, and still refused: the adapter knows why
    const running = ctx.holders ? await ctx.holders.isRunning(holder).catch(() => undefined) : undefined;
    if (running === false && (await ctx.lease.takeOver(key, holder.owner, owner, ttlMs))) {
      ctx.log?.(`took over the lease of ${describeHolder(holder)}: that run is gone`);
      return holder;
    }
    throw heldLeaseError(key, holder, running);
  }
}
