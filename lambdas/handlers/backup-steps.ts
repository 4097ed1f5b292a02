// The backup side of the engine as EngineSteps functions: Backup writes the tables the plan
// can destroy, Rollback restores them where a down section cannot bring the data back.
import { backupTables } from '../engine/backup/backup-tables.ts';
import { restoreAfterDown } from '../engine/backup/restore-tables.ts';
import type { EngineSteps } from './step-dependencies.ts';

export const backupRun: EngineSteps['backupRun'] = (ctx, store, run) =>
  backupTables(
    { db: ctx.db, store, log: ctx.log },
    {
      executionId: run.executionId,
      database: run.database,
      tables: run.plan.backupTables,
      fingerprintBefore: run.fingerprintBefore,
    },
  );

export const dataRestorer: EngineSteps['dataRestorer'] = async (ctx, store) => ({
  restoreTables: async (backup, tables) => {
    await restoreAfterDown({ db: ctx.db, store, log: ctx.log }, backup.manifestKey, tables);
  },
});
