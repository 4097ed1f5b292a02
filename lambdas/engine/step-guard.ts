// Opening an Apply step: renew the run lease, take the advisory lock, read the history. These
// checks are what let any step run in another Lambda, so they stay; they cost one round trip.
// Where the lease lives in the target database (the local runner) all three go in one
// multi-statement query; where it does not (DynamoDB on AWS) the lease is renewed concurrently
// with the lock and the history read.
//
// The order inside that round trip is the order of the separate calls it replaces: the lock is
// only tried once the lease is ours, and the history is read by a later statement than the one
// that took the lock, so in a later snapshot. Read by the same statement, it could predate the
// commit of the runner that held the lock just before, and a migration would run twice. The
// statements share one transaction, so the query makes it READ COMMITTED first: under a
// database's default of REPEATABLE READ they would all read the first statement's snapshot.

import type { SqlConnection } from '../ports.ts';
import {
  advisoryLockKey,
  type HeldLock,
  heldLock,
  lockHeldError,
  releaseAdvisoryLock,
} from './advisory-lock.ts';
import type { EngineContext } from './context.ts';
import { LockedError } from './errors.ts';
import {
  HISTORY_COLUMNS,
  type HistoryEntry,
  type HistoryRecord,
  historyEntry,
  historyTable,
} from './history.ts';
import { quoteLiteralAnyMode } from './sql/identifiers.ts';

export interface StepLease {
  /** The lease key: the database's name. */
  key: string;
  /** The execution holding it. */
  owner: string;
  ttlMs: number;
}

interface GuardRow extends Partial<HistoryRecord> {
  lease_ours: boolean;
  locked: boolean;
}

/** Transaction-local settings carry each statement's answer to the next one of the same query. */
const LEASE_OURS = 'stepmigrate.step_lease_ours';
const LOCKED = 'stepmigrate.step_locked';

const READ_COMMITTED = 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED';

/** The guard's statements; `renewal` is the lease's own conditional write, when it has one. */
function stepGuardSql(historySchema: string, renewal: string | undefined): string {
  const leaseOurs = renewal
    ? `WITH renewed AS (${renewal}) SELECT set_config('${LEASE_OURS}', (SELECT count(*) FROM renewed)::text, true)`
    : `SELECT set_config('${LEASE_OURS}', '1', true)`;
  const lockKey = quoteLiteralAnyMode(advisoryLockKey(historySchema));
  const lock = `SELECT set_config('${LOCKED}', CASE WHEN current_setting('${LEASE_OURS}') = '0' THEN 'false'
     ELSE pg_try_advisory_lock(hashtext(${lockKey}))::text END, true)`;
  const columns = HISTORY_COLUMNS.split(', ')
    .map((column) => `h.${column}`)
    .join(', ');
  const read = `SELECT current_setting('${LEASE_OURS}') <> '0' AS lease_ours,
     current_setting('${LOCKED}')::boolean AS locked, ${columns}
     FROM (SELECT 1) AS one LEFT JOIN ${historyTable(historySchema)} AS h ON true`;
  // The statements share one transaction: only READ COMMITTED gives each its own snapshot,
  // whatever default_transaction_isolation the database or role sets.
  return [READ_COMMITTED, leaseOurs, lock, read].join(';\n');
}

/**
 * Runs `fn` with the lease renewed, the advisory lock held and our history rows as read under
 * it; the lock is given back afterwards, unless `fn` gave it back already with its last
 * statement (`lock.released`). A lease another run holds, or a lock another session holds, is
 * a LockedError before anything else happens.
 */
export async function withStepGuard<T>(
  ctx: EngineContext,
  conn: SqlConnection,
  lease: StepLease,
  fn: (history: HistoryEntry[], lock: HeldLock) => Promise<T>,
): Promise<T> {
  const history = await openStep(ctx, conn, lease, true);
  const lock = heldLock(ctx.historySchema);
  try {
    return await fn(history, lock);
  } finally {
    if (!lock.released) await releaseAdvisoryLock(conn, ctx.historySchema);
  }
}

async function openStep(
  ctx: EngineContext,
  conn: SqlConnection,
  lease: StepLease,
  firstTry: boolean,
): Promise<HistoryEntry[]> {
  const renewal = ctx.lease.renewalStatement?.(lease.key, lease.owner, lease.ttlMs);
  const [renewed, guard] = await Promise.allSettled([
    renewal === undefined ? ctx.lease.acquire(lease.key, lease.owner, lease.ttlMs) : Promise.resolve(),
    conn.query<GuardRow>(stepGuardSql(ctx.historySchema, renewal)),
  ]);
  const rows = guard.status === 'fulfilled' ? guard.value.rows : [];
  const locked = rows[0]?.locked === true;
  const leaseRefused = renewed.status === 'rejected' || rows[0]?.lease_ours === false;
  if (guard.status === 'rejected' || leaseRefused) {
    // A failed statement after the lock, or a lease lost meanwhile: the lock is not kept.
    if (locked || guard.status === 'rejected') await releaseAdvisoryLock(conn, ctx.historySchema);
    if (renewed.status === 'rejected') throw renewed.reason;
    if (guard.status === 'rejected') throw guard.reason;
    // Refused in the statement: acquire says who holds it. Free by now, the guard runs again.
    await ctx.lease.acquire(lease.key, lease.owner, lease.ttlMs);
    if (firstTry) return openStep(ctx, conn, lease, false);
    throw new LockedError(
      `the run lease of database ${lease.key} changed hands twice while this step started; wait for the other run to finish`,
    );
  }
  if (!locked) throw await lockHeldError(conn, ctx.historySchema);
  return rows
    .filter((row) => row.version !== null && row.version !== undefined)
    .map((row) => historyEntry(row as HistoryRecord));
}
