// The real engine behind the step handlers (tests inject their own EngineSteps).
import { backupRun } from '../engine/backup/backup-run.ts';
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
  backupRun,
  dataRestorer: async (ctx, store) => ({
    restoreTables: async (backup, tables) => {
      await restoreAfterDown({ db: ctx.db, store, log: ctx.log }, backup.manifestKey, tables);
    },
  }),
};
