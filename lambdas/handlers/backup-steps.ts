// The backup side of the engine as EngineSteps functions: Backup writes the tables the plan
// can destroy, Rollback restores them where a down section cannot bring the data back.
import { restoreAfterDown } from '../engine/backup/restore-tables.ts';
import type { EngineSteps } from './step-dependencies.ts';

// Backup finds, for a down run, the earlier backup that holds what its down sections destroy.
export { backupRun } from '../engine/backup/backup-run.ts';

export const dataRestorer: EngineSteps['dataRestorer'] = async (ctx, store) => ({
  restoreTables: async (backup, tables) => {
    await restoreAfterDown({ db: ctx.db, store, log: ctx.log }, backup.manifestKey, tables);
  },
});
