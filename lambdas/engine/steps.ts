// The engine side of each workflow step. Handlers (Lambda or local) call these and nothing
// else touches the database. Every step that changes the database holds the advisory
// lock while it does, and renews the run lease first, so a run that lost its lease stops.

import type { SqlConnection } from '../ports.ts';
import { withAdvisoryLock } from './advisory-lock.ts';
import { label, runSection } from './apply.ts';
import type { EngineContext } from './context.ts';
import {
  DirtyStateError,
  MigrationError,
  PreflightError,
  RollbackFailedError,
  StepMigrateError,
  VerificationFailedError,
} from './errors.ts';
import { type HistoryEntry, readHistory, writeHistory } from './history.ts';
import { parseExecutionInput } from './input.ts';
import type { Migration, PlanStep } from './model.ts';
import { buildPlan } from './planning.ts';
import type { AppliedStep, BackupSummary, ExecutionInput, RunState } from './run-state.ts';
import { schemaState } from './schema-state.ts';
import { analyzeMigration } from './sql/classify.ts';
import { findInvalidIndexes, runVerifySection } from './verify.ts';

/** How long a run's lease lasts without renewal; every step renews it. */
const LEASE_TTL_MS = 30 * 60 * 1000;

function migrationOf(ctx: EngineContext, version: string): Migration {
  const migration = ctx.migrations.migrations.find((m) => m.version === version);
  if (!migration) {
    throw new MigrationError(`migration ${version} is in the plan but not in ${ctx.migrations.directory}`, {
      migration: version,
    });
  }
  return migration;
}

function timeoutsFor(ctx: EngineContext, input: ExecutionInput, migration: Migration) {
  return {
    lockTimeoutMs: input.lockTimeoutMs ?? migration.lockTimeoutMs ?? ctx.defaults.lockTimeoutMs,
    statementTimeoutMs:
      input.statementTimeoutMs ?? migration.statementTimeoutMs ?? ctx.defaults.statementTimeoutMs,
  };
}

function leaseTtl(input: ExecutionInput): number {
  return Math.max(LEASE_TTL_MS, (input.statementTimeoutMs ?? 0) * 2, input.bakeSeconds * 1000 * 2);
}

/**
 * Validate: check the input, the files and the history, build the plan, and — when the run
 * will change something — take the lease. Changes nothing else.
 */
export async function validateRun(
  ctx: EngineContext,
  rawInput: unknown,
  executionId: string,
): Promise<RunState> {
  const input = parseExecutionInput(rawInput);
  const database = input.database ?? ctx.db.name;
  const startedAt = new Date().toISOString();
  const prepared = await buildPlan(ctx, input).catch(refusedBeforeAnyChange);
  const status = prepared.plan.steps.length === 0 ? 'noop' : input.dryRun ? 'dry_run' : 'pending';
  if (status === 'pending') {
    await ctx.lease.acquire(database, executionId, leaseTtl(input)).catch(refusedBeforeAnyChange);
  }
  return {
    executionId,
    database,
    input,
    status,
    plan: prepared.plan,
    fingerprintBefore: prepared.fingerprint,
    startedAt,
  };
}

/**
 * Validate changes nothing, so any failure in it — a dropped connection included — is a
 * refusal (exit 2), not a failed run: a bare driver error becomes a PreflightError that says so.
 */
function refusedBeforeAnyChange(error: unknown): never {
  if (error instanceof StepMigrateError) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new PreflightError(
    `Validate lost the database (${message}); nothing was changed — check that the database is reachable and run again`,
    { cause: error },
  );
}

/** Apply: one plan step. Running it again in the same execution does nothing. */
export async function applyPlanStep(ctx: EngineContext, run: RunState, step: PlanStep): Promise<AppliedStep> {
  const migration = migrationOf(ctx, step.version);
  await ctx.lease.acquire(run.database, run.executionId, leaseTtl(run.input));
  return ctx.db.withConnection((conn) =>
    withAdvisoryLock(conn, ctx.historySchema, async () => {
      const row = (await readHistory(conn, ctx.historySchema)).find((r) => r.version === step.version);
      const doneState = step.direction === 'up' ? 'applied' : 'rolled_back';
      if (row?.state === doneState && row.executionId === run.executionId) {
        return { version: step.version, direction: step.direction, durationMs: 0, alreadyDone: true };
      }
      assertStepStillPending(migration, step, row);
      ctx.log?.(`${step.direction === 'up' ? 'applying' : 'reverting'} ${label(migration)}`);
      const result = await runSection(conn, {
        migration,
        direction: step.direction,
        ...timeoutsFor(ctx, run.input, migration),
        historySchema: ctx.historySchema,
        executionId: run.executionId,
        actor: ctx.actor,
      }).catch((error: unknown) => recordWhyDirty(ctx, run, migration, step, error));
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
        await writeHistory(conn, ctx.historySchema, {
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          state: 'dirty',
          direction: step.direction,
          actor: ctx.actor,
          executionId: run.executionId,
          message: error.message,
        });
      })
      .catch(() => undefined);
  }
  throw error;
}

function assertStepStillPending(migration: Migration, step: PlanStep, row: HistoryEntry | undefined): void {
  if (row?.state === 'dirty') {
    throw new DirtyStateError(
      `migration ${label(migration)} is dirty: ${row.message ?? 'a previous run failed half-way'}`,
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
      `migration ${label(migration)} was applied by ${row.executionId} while this run was in progress; stopping`,
      { migration: migration.version },
    );
  }
  if (step.direction === 'down' && !isApplied) {
    throw new MigrationError(
      `migration ${label(migration)} is no longer applied; another run must have reverted it`,
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

/** How Rollback brings data back; the backup module provides it. */
export interface DataRestorer {
  /** Restores the data of `tables` from the backup after the down sections ran. */
  restoreTables(backup: BackupSummary, tables: string[]): Promise<void>;
}

/**
 * Tables whose rows undoing `step` cannot bring back by itself: undoing an up section
 * (running down) leaves what up destroyed destroyed; undoing a down section (re-running up)
 * recreates what down dropped, empty.
 */
function tablesToRestore(migration: Migration, undo: PlanStep): string[] {
  const analysis = analyzeMigration(migration);
  if (undo.direction === 'down') return analysis.backupTables;
  return analysis.statements.down.flatMap((statement) => statement.destroys);
}

/**
 * Rollback: undo what THIS execution did, newest first, restore destroyed data from the
 * backup, then prove the schema is back where it started. Running it again skips what is
 * already undone.
 */
export async function rollbackRun(
  ctx: EngineContext,
  run: RunState,
  backup?: BackupSummary,
  restorer?: DataRestorer,
): Promise<{ rolledBack: string[] }> {
  const rolledBack: string[] = [];
  const problems: string[] = [];
  const destroyedTables = new Set<string>();
  let stoppedAt: StoppedRollback | undefined;
  let destroyedBy: DestroyedData['by'] | undefined;
  await ctx.db.withConnection((conn) =>
    withAdvisoryLock(conn, ctx.historySchema, async () => {
      const history = await readHistory(conn, ctx.historySchema);
      const ours = history.filter((row) => row.executionId === run.executionId);
      for (const row of ours.filter((r) => r.state === 'dirty')) {
        problems.push(
          `${row.version}_${row.name} is dirty (${row.message ?? 'failed half-way'}); fix it by hand`,
        );
      }
      // Below a half-applied migration nothing is safe to undo automatically: stop for a person.
      const steps = problems.length > 0 ? [] : undoSteps(run, ours);
      for (const step of steps) {
        const migration = migrationOf(ctx, step.version);
        try {
          await undoStep(ctx, conn, run, migration, step);
          rolledBack.push(step.version);
          const destroyed = tablesToRestore(migration, step);
          for (const table of destroyed) destroyedTables.add(table);
          if (destroyed.length > 0) destroyedBy ??= { migration, step };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          problems.push(`${label(migration)}: ${reason}`);
          stoppedAt = { migration, step, reason };
          break;
        }
      }
    }),
  );
  const unfinished = problems.length > 0;
  if (stoppedAt) problems.push(...(await markRollbackStopped(ctx, run, stoppedAt)));
  if (destroyedBy) {
    const destroyed = { tables: [...destroyedTables].sort(), by: destroyedBy };
    problems.push(...(await restoreDestroyedData(ctx, run, destroyed, unfinished, backup, restorer)));
  }
  if (problems.length === 0) problems.push(...(await schemaDifferences(ctx, run)));
  if (problems.length > 0) {
    throw new RollbackFailedError(
      `rollback did not bring the database back to ${run.plan.fromVersion}: ${problems.join('; ')} — manual action needed`,
    );
  }
  return { rolledBack };
}

interface StoppedRollback {
  migration: Migration;
  step: PlanStep;
  reason: string;
}

/**
 * A rollback that stopped half-way leaves the database between the start and the target.
 * Its history row is marked dirty (on a fresh connection: the old one may be what died), so
 * no later run builds on that state before a person has looked and run `stepmigrate repair`.
 */
async function markRollbackStopped(ctx: EngineContext, run: RunState, stopped: StoppedRollback) {
  const { migration, step, reason } = stopped;
  return markDirty(
    ctx,
    run,
    migration,
    step,
    `rollback of ${run.executionId} stopped here (${reason}); check whether ${label(migration)} is applied, then run \`stepmigrate repair\``,
  );
}

async function markDirty(
  ctx: EngineContext,
  run: RunState,
  migration: Migration,
  step: PlanStep,
  message: string,
): Promise<string[]> {
  try {
    await ctx.db.withConnection((conn) =>
      writeHistory(conn, ctx.historySchema, {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        state: 'dirty',
        direction: step.direction,
        actor: ctx.actor,
        executionId: run.executionId,
        message,
      }),
    );
    return [`${label(migration)} is marked dirty until repaired`];
  } catch (error) {
    return [
      `${label(migration)} could not be marked dirty either (${error instanceof Error ? error.message : String(error)})`,
    ];
  }
}

interface DestroyedData {
  tables: string[];
  /** The newest undone migration whose undoing left rows to restore. */
  by: { migration: Migration; step: PlanStep };
}

/**
 * Undoing a migration cannot bring back the rows it destroyed; the backup does. When that
 * restore cannot happen (the rollback stopped, there is no backup, reading it failed), the
 * rows are still in the backup: say how to restore them, and mark the migration dirty so no
 * later run re-applies it, destroying them again, before a person has looked.
 */
async function restoreDestroyedData(
  ctx: EngineContext,
  run: RunState,
  destroyed: DestroyedData,
  rollbackStopped: boolean,
  backup?: BackupSummary,
  restorer?: DataRestorer,
): Promise<string[]> {
  const tables = destroyed.tables.join(', ');
  let failure = 'not restored because the rollback stopped';
  if (!rollbackStopped && (!backup || !restorer)) failure = 'there is no backup to restore them from';
  else if (!rollbackStopped && backup && restorer) {
    ctx.log?.(`restoring data of ${tables} from ${backup.location}`);
    try {
      await restorer.restoreTables(backup, destroyed.tables);
      return [];
    } catch (error) {
      failure = `restoring them failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const command = backup
    ? `; restore them with \`stepmigrate restore --from ${backup.location} ${destroyed.tables.map((t) => `--table ${t}`).join(' ')}\``
    : '';
  const problem = `rows of ${tables} that the undone migrations destroyed are missing (${failure})${command}`;
  if (rollbackStopped) return [problem];
  const { migration, step } = destroyed.by;
  const repair = `then run \`stepmigrate repair ${migration.version} --mark rolled_back\``;
  return [problem, ...(await markDirty(ctx, run, migration, step, `rolled back, but ${problem}; ${repair}`))];
}

/** What undoing this execution means: revert what it applied, re-apply what it reverted. */
function undoSteps(run: RunState, ours: readonly HistoryEntry[]): PlanStep[] {
  const order = run.plan.steps.map((s) => s.version);
  const byPlanOrder = (a: HistoryEntry, b: HistoryEntry) =>
    order.indexOf(b.version) - order.indexOf(a.version);
  const wanted = run.plan.direction === 'up' ? 'applied' : 'rolled_back';
  return ours
    .filter((row) => row.state === wanted && order.includes(row.version))
    .sort(byPlanOrder)
    .map((row) => ({
      version: row.version,
      name: row.name,
      direction: run.plan.direction === 'up' ? 'down' : 'up',
    }));
}

async function undoStep(
  ctx: EngineContext,
  conn: SqlConnection,
  run: RunState,
  migration: Migration,
  step: PlanStep,
) {
  if (step.direction === 'down' && migration.irreversible) return; // only its backup can undo it
  ctx.log?.(`rolling back ${label(migration)}`);
  await runSection(conn, {
    migration,
    direction: step.direction,
    ...timeoutsFor(ctx, run.input, migration),
    historySchema: ctx.historySchema,
    executionId: run.executionId,
    actor: ctx.actor,
  });
}

async function schemaDifferences(ctx: EngineContext, run: RunState): Promise<string[]> {
  const now = await ctx.db.withConnection((conn) => schemaState(conn, ctx.historySchema));
  if (now.fingerprint === run.fingerprintBefore) return [];
  return [
    `the schema differs from before the run (fingerprint ${now.fingerprint.slice(0, 12)}, expected ${run.fingerprintBefore.slice(0, 12)})`,
  ];
}

/** Report: the run is over; give the lease back so the next run can start. */
export async function releaseRun(ctx: EngineContext, run: RunState): Promise<void> {
  await ctx.lease.release(run.database, run.executionId);
}
