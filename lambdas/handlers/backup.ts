// Backup: copy every table the plan can destroy or rewrite before anything changes.
import type { DatabaseSnapshotRecord } from '../engine/database-snapshot.ts';
import type { BackupSummary } from '../engine/run-state.ts';
import { backupBytes } from '../engine/run-state.ts';
import type { RunEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

/** What Backup audits: the summary it returns, and the database snapshot taken before it. */
type BackupResult = BackupSummary & { databaseSnapshot?: DatabaseSnapshotRecord };

export function makeBackupHandler(deps: StepDependencies) {
  return stepHandler<RunEvent, BackupResult>(
    'Backup',
    deps,
    async ({ run }) => {
      const summary = await deps.steps.backupRun(await deps.engine(), deps.backupStore, run);
      return run.databaseSnapshot ? { ...summary, databaseSnapshot: run.databaseSnapshot } : summary;
    },
    {
      resultDetail: (backup) => ({
        detail: {
          location: backup.location,
          tables: backup.tables.length,
          bytes: backupBytes(backup.tables),
          ...(backup.databaseSnapshot ? { databaseSnapshot: backup.databaseSnapshot } : {}),
        },
      }),
      // The snapshot is already in the state ($.run.databaseSnapshot): not returned twice.
      output: ({ databaseSnapshot: _snapshot, ...summary }) => summary,
    },
  );
}
