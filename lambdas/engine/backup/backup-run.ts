// The Backup step of one run: for a down run, first what earlier backups hold that the down
// sections re-create empty — staged to be merged back where that is safe, refused (unless
// the run allows irreversible changes) where it is not — then a copy of every table the
// plan can destroy or rewrite.
import type { BackupStore } from '../../ports.ts';
import type { EngineContext } from '../context.ts';
import type { BackupSummary, DownRunData, RunState } from '../run-state.ts';
import { backupTables } from './backup-tables.ts';
import {
  type DataInEarlierBackup,
  dataInEarlierBackups,
  refuseDataLeftBehind,
  restoreCommandFor,
} from './data-for-down-run.ts';
import { planDownRunData, stageDownRunData } from './down-run-staging.ts';
import { dropStagedData } from './merge-down-run-data.ts';

export async function backupRun(
  ctx: EngineContext,
  store: BackupStore,
  run: RunState,
): Promise<BackupSummary> {
  const planned = await planDownRunData(ctx, run, await dataInEarlierBackups(ctx, store, run));
  refuseDataLeftBehind(run, planned.left); // before any change
  const plan = await stageDownRunData(ctx, store, planned);
  try {
    refuseDataLeftBehind(run, plan.left);
  } catch (error) {
    // A table that could not be staged is refused too; nothing of this run stays behind.
    await ctx.db.withConnection((conn) =>
      dropStagedData(conn, { historySchema: ctx.historySchema, executionId: run.executionId }),
    );
    throw error;
  }
  for (const data of plan.left) {
    const command = restoreCommandFor(data);
    ctx.log?.(
      `undoing ${data.migration} does not bring back the values its up section destroyed in ${data.tables.join(', ')}` +
        (command ? `; restore them after this run with \`${command}\`` : '; no backup of them remains'),
    );
  }
  const summary = await backupTables(
    { db: ctx.db, store, log: ctx.log },
    {
      executionId: run.executionId,
      database: run.database,
      tables: run.plan.backupTables,
      fingerprintBefore: run.fingerprintBefore,
      ...(run.databaseSnapshot ? { databaseSnapshot: run.databaseSnapshot } : {}),
    },
  );
  // Always present: the workflow's result selector reads both.
  return {
    ...summary,
    broughtBack: plan.staged.map((staged) => ({
      migration: staged.migration,
      tables: [staged.name],
      executionId: staged.from,
      restoreCommand: staged.restoreCommand,
    })),
    notBroughtBack: plan.left.map(downRunData),
  };
}

function downRunData(data: DataInEarlierBackup): DownRunData {
  const entry: DownRunData = {
    migration: data.migration,
    tables: data.tables,
    executionId: data.executionId,
    restoreCommand: restoreCommandFor(data) ?? null,
  };
  if (data.why) entry.why = data.why;
  return entry;
}
