// Operator decisions after a person has looked at the database: a dirty migration was
// finished or undone by hand, a changed file is accepted, a crashed run's lease is freed.
// Each refuses unless the history is in exactly the state the decision is about.

import type { LeaseHolder } from '../ports.ts';
import { withAdvisoryLock } from './advisory-lock.ts';
import type { EngineContext } from './context.ts';
import { InputError } from './errors.ts';
import { ensureHistory, type HistoryEntry, readHistory, writeHistory } from './history.ts';
import { migrationLabel } from './model.ts';
import { describeHolder, heldLeaseError } from './run-lease.ts';

export type RepairDecision =
  | { kind: 'mark'; version: string; state: 'applied' | 'rolled_back' }
  | { kind: 'accept-checksum'; version: string }
  | { kind: 'release-lease'; database: string };

export interface RepairResult {
  decision: RepairDecision;
  /** The history row as it was before the decision, for the audit log. */
  before?: HistoryEntry;
  /** The lease as it was before it was released. */
  lease?: LeaseHolder;
  summary: string;
}

export async function repair(
  ctx: EngineContext,
  decision: RepairDecision,
  reason: string,
): Promise<RepairResult> {
  if (reason.trim() === '')
    throw new InputError('repair needs --reason: say what you checked, for the audit log');
  // Every decision is recorded in the history schema; a first repair creates it (docs/adopting.md).
  await ctx.db.withConnection((conn) => ensureHistory(conn, ctx.historySchema));
  if (decision.kind === 'release-lease') return releaseLease(ctx, decision);
  return ctx.db.withConnection(async (conn) => {
    return withAdvisoryLock(conn, ctx.historySchema, async () => {
      const before = (await readHistory(conn, ctx.historySchema)).find(
        (row) => row.version === decision.version,
      );
      const migration = ctx.migrations.migrations.find((m) => m.version === decision.version);
      if (!before || !migration) {
        throw new InputError(
          `migration ${decision.version} has no history row${migration ? '' : ' and no file'}: nothing to repair`,
        );
      }
      if (decision.kind === 'mark' && before.state !== 'dirty') {
        throw new InputError(
          `migration ${decision.version} is ${before.state}, not dirty: only a dirty row can be marked`,
        );
      }
      if (decision.kind === 'accept-checksum' && before.name !== migration.name) {
        throw new InputError(
          `migration ${decision.version} is ${before.name} in the history but ${migration.name} here: ` +
            'this is a different migration, not a changed file, and --accept-checksum never renames one — ' +
            'check that --migrations names this database’s migrations folder',
          { migration: decision.version },
        );
      }
      if (
        decision.kind === 'accept-checksum' &&
        (before.state !== 'applied' || before.checksum === migration.checksum)
      ) {
        throw new InputError(
          `migration ${decision.version}'s file has not changed since it was applied: nothing to accept`,
        );
      }
      const state = decision.kind === 'mark' ? decision.state : before.state;
      await writeHistory(conn, ctx.historySchema, {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        state,
        direction: before.direction,
        actor: ctx.actor,
        executionId: before.executionId,
        durationMs: before.durationMs ?? undefined,
        message: `repaired by ${ctx.actor}: ${reason}`,
      });
      const summary =
        decision.kind === 'mark'
          ? `${migrationLabel(migration)} marked ${state} (was dirty)`
          : `${migrationLabel(migration)}: checksum ${before.checksum.slice(0, 12)}… (applied ${before.appliedAt.slice(0, 10)} by ${before.executionId}) → ${migration.checksum.slice(0, 12)}… accepted; name unchanged`;
      return { decision, before, summary };
    });
  });
}

/**
 * Frees the lease of a run that is gone. A holder that still runs is refused (LockedError):
 * freeing its lease would let a second run start beside it.
 */
async function releaseLease(
  ctx: EngineContext,
  decision: Extract<RepairDecision, { kind: 'release-lease' }>,
): Promise<RepairResult> {
  const lease = await ctx.lease.holder(decision.database);
  if (lease === undefined) return { decision, summary: `no lease was held on ${decision.database}` };
  const running = ctx.holders ? await ctx.holders.isRunning(lease) : undefined;
  if (running === true) throw heldLeaseError(decision.database, lease, running);
  await ctx.lease.release(decision.database, lease.owner);
  return {
    decision,
    lease,
    summary: `lease on ${decision.database} released (it was held by ${describeHolder(lease)})`,
  };
}
