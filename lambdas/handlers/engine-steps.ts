// The real engine behind the step handlers (tests inject their own EngineSteps).
import { backupTables } from '../engine/backup/backup-tables.ts';
import { restoreAfterDown } from '../engine/backup/restore-tables.ts';
import { rollbackRun } from '../engine/rollback.ts';
import { applyPlanStep, releaseRun, validateRun, verifyRun } from '../engine/steps.ts';
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
  dataRestorer: async (ctx, store) => ({
    restoreTables: async (backup, tables) => {
      await restoreAfterDown({ db: ctx.db, store, log: ctx.log }, backup.manifestKey, tables);
    },
  }),
};
