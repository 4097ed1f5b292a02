// The real engine behind the step handlers (tests inject their own EngineSteps).
import { backupTables } from '../engine/backup/backup-tables.ts';
import { restoreAfterDown } from '../engine/backup/restore-tables.ts';
import type { Migration } from '../engine/model.ts';
import { analyzeMigration } from '../engine/sql/classify.ts';
import { loadSqlParser } from '../engine/sql/parse.ts';
import { applyPlanStep, releaseRun, rollbackRun, validateRun, verifyRun } from '../engine/steps.ts';
import type { EngineSteps } from './step-dependencies.ts';

export const engineSteps: EngineSteps = {
  validateRun,
  applyPlanStep,
  verifyRun,
  rollbackRun,
  releaseRun,
  backupRun: (ctx, store, run) =>
    backupTables(
      { db: ctx.db, store, log: ctx.log },
      {
        executionId: run.executionId,
        database: run.database,
        tables: run.plan.backupTables,
        fingerprintBefore: run.fingerprintBefore,
      },
    ),
  dataRestorer: async (ctx, store) => {
    // Rollback may run in a fresh container: the analyser needs the parser loaded.
    await loadSqlParser();
    return {
      restoreTables: async (backup, tables) => {
        await restoreAfterDown({ db: ctx.db, store, log: ctx.log }, backup.manifestKey, tables);
      },
      tablesDestroyedBy: (migration: Migration) => analyzeMigration(migration).backupTables,
    };
  },
};
