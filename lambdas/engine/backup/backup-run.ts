// The Backup step of one run: for a down run, first what earlier backups hold that the down
// sections cannot bring back (refused unless the run allows irreversible changes), then a
// copy of every table the plan can destroy or rewrite.
import type { BackupStore } from '../../ports.ts';
import type { EngineContext } from '../context.ts';
import type { BackupSummary, RunState } from '../run-state.ts';
import { backupTables } from './backup-tables.ts';
import { dataInEarlierBackups, refuseDataLeftBehind, restoreCommandFor } from './data-for-down-run.ts';

export async function backupRun(
  ctx: EngineContext,
  store: BackupStore,
  run: RunState,
): Promise<BackupSummary> {
  const earlier = await dataInEarlierBackups(ctx, store, run);
  refuseDataLeftBehind(run, earlier);
  for (const data of earlier) {
    const command = restoreCommandFor(data);
    ctx.log?.(
      `undoing ${data.migration} does not bring back the values its up section destroyed in ${data.tables.join(', ')}` +
        (command ? `; restore them after this run with \`${command}\`` : '; no backup of them remains'),
    );
  }
  return backupTables(
    { db: ctx.db, store, log: ctx.log },
    {
      executionId: run.executionId,
      database: run.database,
      tables: run.plan.backupTables,
      fingerprintBefore: run.fingerprintBefore,
      ...(run.databaseSnapshot ? { databaseSnapshot: run.databaseSnapshot } : {}),
    },
  );
}
