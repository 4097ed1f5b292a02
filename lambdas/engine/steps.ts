// The engine side of each workflow step. Handlers (Lambda or local) call these and nothing
// else touches the database. Every step that changes the database holds the advisory
// lock while it does, and Apply renews the run lease first, so a run that lost its lease
// stops (step-guard.ts does both, with the history read, in one round trip).

import { runHistoryOf } from './adopt/import-history.ts';
import { sectionHooksForRun } from './adopt/run-hooks.ts';
import { withDownRunData } from './backup/merge-down-run-data.ts';
import type { EngineContext } from './context.ts';
import {
  DirtyStateError,
  MigrationError,
  messageOf,
  PreflightError,
  StepMigrateError,
  VerificationFailedError,
} from './errors.ts';
import { ensureHistory, type HistoryEntry, readHistory, writeHistory } from './history.ts';
import { parseExecutionInput } from './input.ts';
import { leaseTtl, validateLeaseTtl } from './lease-timing.ts';
import { type Migration, migrationLabel, type PlanStep } from './model.ts';
import { buildPlan } from './planning.ts';
import { takeRunLease } from './run-lease.ts';
import type { AppliedStep, RunState } from './run-state.ts';
import { refuseOversizedTaskEvent } from './runner-choice.ts';
import { assertStateFits } from './state-budget.ts';
import { withStepGuard } from './step-guard.ts';
import { dirtyRow, migrationOf, runMigrationSection, timeoutsFor } from './step-support.ts';
import { findInvalidIndexes, runVerifySection } from './verify.ts';

/**
 * Validate: check the input, the files and the history, build the plan, and — when the run
 * will change something — take the lease. Changes nothing else.
 */
export async function validateRun(
  ctx: EngineContext,
  rawInput: unknown,
  executionId: string,
): Promise<RunState> {
  // One workflow per database: the input may name it, but never another one.
  const input = parseExecutionInput(rawInput, { database: ctx.db.name });
  const database = ctx.db.name;
  const startedAt = new Date().toISOString();
  const prepared = await buildPlan(ctx, input).catch(refusedBeforeAnyChange);
  const status = prepared.plan.steps.length === 0 ? 'noop' : input.dryRun ? 'dry_run' : 'pending';
  const run: RunState = {
    executionId,
    database,
    input,
    status,
    plan: prepared.plan,
    fingerprintBefore: prepared.fingerprint,
    startedAt,
  };
  refuseOversizedTaskEvent(run);
  if (status !== 'pending') return run;
  // Before anything is created or taken: a run too big for the execution state is refused.
  assertStateFits(run);
  // The engine owns its history: every runner's first run creates it here, whatever lease
  // it uses (a DynamoDB lease never touches the database). A dry run or noop creates nothing.
  await ctx.db.withConnection((conn) => ensureHistory(conn, ctx.historySchema)).catch(refusedBeforeAnyChange);
  // A lease whose holder is gone is taken over at once; the audit record names that holder.
  const leaseTakenOver = await takeRunLease(ctx, database, executionId, validateLeaseTtl(ctx, input)).catch(
    refusedBeforeAnyChange,
  );
  return leaseTakenOver ? { ...run, leaseTakenOver } : run;
}

/**
 * Validate changes nothing, so any failure in it — a dropped connection included — is a
 * refusal (exit 2), not a failed run: a bare driver error becomes a PreflightError that says so.
 */
function refusedBeforeAnyChange(error: unknown): never {
  if (error instanceof StepMigrateError) throw error;
  const message = messageOf(error);
  throw new PreflightError(
    `Validate lost the database (${message}); nothing was changed — check that the database is reachable and run again`,
    { cause: error },
  );
}

/** Apply: one plan step. Running it again in the same execution does nothing. */
export async function applyPlanStep(ctx: EngineContext, run: RunState, step: PlanStep): Promise<AppliedStep> {
  const migration = migrationOf(ctx, step.version);
  // A migration that sets its own statement_timeout (a long one, on the task runner) may run
  // that long: the lease must outlive it.
  const ttl = Math.max(leaseTtl(ctx, run.input), (migration.statementTimeoutMs ?? 0) * 2);
  const lease = { key: run.database, owner: run.executionId, ttlMs: ttl };
  return ctx.db.withConnection((conn) =>
    withStepGuard(ctx, conn, lease, async (ours, lock) => {
      const history = await runHistoryOf(conn, ctx, ours);
      const row = history.entries.find((r) => r.version === step.version);
      const doneState = step.direction === 'up' ? 'applied' : 'rolled_back';
      if (row?.state === doneState && row.executionId === run.executionId) {
        return { version: step.version, direction: step.direction, durationMs: 0, alreadyDone: true };
      }
      assertStepStillPending(migration, step, row);
      ctx.log?.(`${step.direction === 'up' ? 'applying' : 'reverting'} ${migrationLabel(migration)}`);
      // A down section merges back, in its own transaction, the values Backup staged for it.
      const hooks = withDownRunData(
        await sectionHooksForRun(conn, ctx, history, migration, step.direction),
        { historySchema: ctx.historySchema, executionId: run.executionId, log: ctx.log },
        migration.version,
        step.direction,
      );
      const alongside = { ...hooks, releaseAfterCommit: lock };
      const result = await runMigrationSection(ctx, conn, run, migration, step.direction, alongside).catch(
        (error: unknown) => recordWhyDirty(ctx, run, migration, step, error),
      );
      return {
        version: step.version,
        direction: step.direction,
        durationMs: result.durationMs,
        alreadyDone: false,
      };
    }),
  );
}

/**
 * A section outside a transaction records why it is dirty on its own connection; when that
 * connection is what failed, the row would only say "section started". Say which statement
 * failed, on a fresh connection, so the operator knows where to look.
 */
async function recordWhyDirty(
  ctx: EngineContext,
  run: RunState,
  migration: Migration,
  step: PlanStep,
  error: unknown,
): Promise<never> {
  const section = step.direction === 'up' ? migration.up : migration.down;
  if (section && !section.transaction && error instanceof MigrationError) {
    await ctx.db
      .withConnection(async (conn) => {
        const row = (await readHistory(conn, ctx.historySchema)).find((r) => r.version === migration.version);
        // Only a row this run already marked dirty: a section that never started stays clean.
        if (row?.state !== 'dirty' || row.executionId !== run.executionId) return;
        await writeHistory(
          conn,
          ctx.historySchema,
          dirtyRow(ctx, run, migration, step.direction, error.message),
        );
      })
      .catch(() => undefined);
  }
  throw error;
}

function assertStepStillPending(migration: Migration, step: PlanStep, row: HistoryEntry | undefined): void {
  if (row?.state === 'dirty') {
    throw new DirtyStateError(
      `migration ${migrationLabel(migration)} is dirty: ${row.message ?? 'a previous run failed half-way'}`,
      {
        migration: migration.version,
      },
    );
  }
  // A Flyway repeatable is applied again, over its own row, when its file changed since.
  const rerun = migration.repeatable === true && row?.checksum !== migration.checksum;
  const isApplied = row?.state === 'applied';
  if (step.direction === 'up' && isApplied && !rerun) {
    throw new MigrationError(
      `migration ${migrationLabel(migration)} was applied by ${row.executionId} while this run was in progress; stopping`,
      { migration: migration.version },
    );
  }
  if (step.direction === 'down' && !isApplied) {
    throw new MigrationError(
      `migration ${migrationLabel(migration)} is no longer applied; another run must have reverted it`,
      {
        migration: migration.version,
      },
    );
  }
}

/** Verify: every applied migration's verify section, then no invalid index left behind. */
export async function verifyRun(ctx: EngineContext, run: RunState): Promise<{ verified: string[] }> {
  return ctx.db.withConnection(async (conn) => {
    const verified: string[] = [];
    for (const step of run.plan.steps) {
      if (step.direction !== 'up') continue;
      const migration = migrationOf(ctx, step.version);
      const { statementTimeoutMs } = timeoutsFor(ctx, run.input, migration);
      if (await runVerifySection(conn, migration, statementTimeoutMs)) verified.push(step.version);
    }
    const invalid = await findInvalidIndexes(conn, [ctx.historySchema]);
    if (invalid.length > 0) {
      throw new VerificationFailedError(
        `invalid index${invalid.length > 1 ? 'es' : ''} left behind: ${invalid.join(', ')} — a CREATE INDEX ` +
          'CONCURRENTLY failed half-way; the index is not used and still slows writes',
      );
    }
    return { verified };
  });
}

// Report's step lives on its own, so the Report Lambda's bundle needs none of the above.
export { releaseRun } from './release.ts';
