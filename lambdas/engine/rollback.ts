// Rollback: undo exactly what one execution did, newest first, bring back from the backup
// the rows that undoing cannot, and prove the schema is where the run started. Whatever it
// cannot finish is marked dirty with the command that finishes it, never left silent.

import type { SqlConnection } from '../ports.ts';
import { mirrorHooks } from './adopt/tool-mirror.ts';
import { withAdvisoryLock } from './advisory-lock.ts';
import { dropStagedData } from './backup/merge-down-run-data.ts';
import type { EngineContext } from './context.ts';
import { messageOf, RollbackFailedError } from './errors.ts';
import { type HistoryEntry, readHistory, writeHistory } from './history.ts';
import { type Migration, migrationLabel, type PlanStep } from './model.ts';
import type { BackupSummary, RunState } from './run-state.ts';
import { runSchemaState } from './schema-state.ts';
import { analyzeMigration } from './sql/classify.ts';
import { loadSqlParser } from './sql/parse.ts';
import { dirtyRow, migrationOf, runMigrationSection } from './step-support.ts';

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
  // Rollback may run in a fresh Lambda container: the analyser needs the parser loaded.
  await loadSqlParser();
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
          `${migrationLabel(row)} is dirty (${row.message ?? 'failed half-way'}); fix it by hand`,
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
          const reason = messageOf(error);
          problems.push(`${migrationLabel(migration)}: ${reason}`);
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
  // Values a down run staged for merging and never merged: the earlier backup still holds them.
  if (run.plan.direction === 'down') {
    await ctx.db
      .withConnection((conn) =>
        dropStagedData(conn, { historySchema: ctx.historySchema, executionId: run.executionId }),
      )
      .catch(() => undefined);
  }
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
    `rollback of ${run.executionId} stopped here (${reason}); check whether ${migrationLabel(migration)} is applied, ` +
      `then run \`stepmigrate repair ${migration.version} --mark rolled_back --reason "checked: not applied"\`` +
      ` (or --mark applied if it is)`,
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
      writeHistory(conn, ctx.historySchema, dirtyRow(ctx, run, migration, step.direction, message)),
    );
    return [`${migrationLabel(migration)} is marked dirty until repaired`];
  } catch (error) {
    return [`${migrationLabel(migration)} could not be marked dirty either (${messageOf(error)})`];
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
      failure = `restoring them failed: ${messageOf(error)}`;
    }
  }
  const command = backup
    ? `; restore them with \`stepmigrate restore --from ${backup.location} ${destroyed.tables.map((t) => `--table ${t}`).join(' ')}\``
    : '';
  const problem = `rows of ${tables} that the undone migrations destroyed are missing (${failure})${command}`;
  if (rollbackStopped) return [problem];
  const { migration, step } = destroyed.by;
  const repair = `then run \`stepmigrate repair ${migration.version} --mark rolled_back --reason "rows restored from the backup"\``;
  const marked = await markDirty(ctx, run, migration, step, `rolled back, but ${problem}; ${repair}`);
  return [
    problem,
    ...marked.map((line) => `${line}: once the rows are restored, ${repair.replace(/^then /, '')}`),
  ];
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
  ctx.log?.(`rolling back ${migrationLabel(migration)}`);
  const mirror = await mirrorHooks(conn, ctx.migrations, ctx.adopt ?? {}, migration, step.direction);
  await runMigrationSection(ctx, conn, run, migration, step.direction, mirror);
}

async function schemaDifferences(ctx: EngineContext, run: RunState): Promise<string[]> {
  const now = await ctx.db.withConnection((conn) => runSchemaState(conn, ctx));
  if (now.fingerprint === run.fingerprintBefore) return [];
  return [
    `the schema differs from before the run (fingerprint ${now.fingerprint.slice(0, 12)}, expected ${run.fingerprintBefore.slice(0, 12)})`,
  ];
}
