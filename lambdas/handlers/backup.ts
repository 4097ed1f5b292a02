// Backup: copy every table the plan can destroy or rewrite before anything changes.
import type { BackupSummary } from '../engine/run-state.ts';
import { backupBytes } from '../engine/run-state.ts';
import type { RunEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function makeBackupHandler(deps: StepDependencies) {
  return stepHandler<RunEvent, BackupSummary>(
    'Backup',
    deps,
    async ({ run }) => deps.steps.backupRun(await deps.engine(), deps.backupStore, run),
    {
      resultDetail: (backup) => ({
        detail: {
          location: backup.location,
          tables: backup.tables.length,
          bytes: backupBytes(backup.tables),
        },
      }),
    },
  );
}
