// A down run (`rollback --to V`) undoes migrations an EARLIER run applied. Where such a
// migration's up section destroyed data (dropped a column, a table, deleted rows), its down
// section re-creates the object empty: the values are only in the backup the earlier run
// took before applying it. This finds that backup, so the run can bring the values back
// where that is safe (down-run-staging.ts), and otherwise say exactly where the data is and
// how to restore it, instead of reporting that no data is at risk.

import type { BackupStore } from '../../ports.ts';
import type { EngineContext } from '../context.ts';
import { BackupError } from '../errors.ts';
import { readHistory } from '../history.ts';
import { migrationLabel } from '../model.ts';
import type { RunState } from '../run-state.ts';
import { analyzeMigration } from '../sql/classify.ts';
import { loadSqlParser } from '../sql/parse.ts';
import { migrationOf } from '../step-support.ts';
import { type BackupManifest, manifestKey, readManifest } from './manifest.ts';

export interface DataInEarlierBackup {
  /** The migration being undone, e.g. "0002_drop_email". */
  migration: string;
  version: string;
  /** Tables whose values its up section destroyed. */
  tables: string[];
  /** The run that applied it, and whose backup holds the values. */
  executionId: string;
  /** The manifest's location (what `restore --from` takes), or null when no backup of that run remains. */
  manifest: string | null;
  /** The manifest's key in the store. */
  manifestKey: string;
  /** The manifest itself, as read here, when a backup of that run remains: the down run stages from it. */
  backup?: BackupManifest;
  /** Why the down run cannot bring these values back itself, when it was asked. */
  why?: string;
}

export async function dataInEarlierBackups(
  ctx: EngineContext,
  store: BackupStore,
  run: RunState,
): Promise<DataInEarlierBackup[]> {
  if (run.plan.direction !== 'down' || run.plan.steps.length === 0) return [];
  await loadSqlParser();
  const history = await ctx.db.withConnection((conn) => readHistory(conn, ctx.historySchema));
  // One earlier run usually applied several of the migrations undone: its backup is read once.
  const backups = new Map<string, Promise<{ manifest?: BackupManifest; location: string | null }>>();
  const backupOf = (key: string) => {
    let backup = backups.get(key);
    if (!backup) {
      backup = readManifest(store, key).then(
        async (manifest) => ({
          manifest,
          location: (await store.list(key)).find((o) => o.key === key)?.location ?? key,
        }),
        () => ({ location: null }),
      );
      backups.set(key, backup);
    }
    return backup;
  };
  const found: DataInEarlierBackup[] = [];
  for (const step of run.plan.steps) {
    const migration = migrationOf(ctx, step.version);
    const tables = analyzeMigration(migration).backupTables;
    if (tables.length === 0) continue;
    const applied = history
      .filter((row) => row.version === step.version && row.state === 'applied' && row.executionId)
      .at(-1);
    if (!applied) continue;
    const key = manifestKey(run.database, applied.executionId);
    const { manifest, location } = await backupOf(key);
    const held = manifest ? tables.filter((t) => manifest.tables.some((b) => b.name === t)) : tables;
    if (held.length === 0) continue;
    found.push({
      migration: migrationLabel(migration),
      version: migration.version,
      tables: held,
      executionId: applied.executionId,
      manifest: location,
      manifestKey: key,
      ...(manifest ? { backup: manifest } : {}),
    });
  }
  return found;
}

/** The exact command that puts the values back once the down sections have run. */
export function restoreCommandFor(data: DataInEarlierBackup): string | undefined {
  if (!data.manifest) return undefined;
  return `stepmigrate restore --from ${data.manifest} ${data.tables.map((t) => `--table ${t}`).join(' ')}`;
}

/**
 * Refuses a down run that would leave re-created objects empty while their values sit in an
 * earlier backup, unless the run allows irreversible changes; says where the values are and
 * the exact commands: the rollback that accepts it, then the restore.
 */
export function refuseDataLeftBehind(run: RunState, data: readonly DataInEarlierBackup[]): void {
  if (data.length === 0 || run.input.allowIrreversible) return;
  const lines = data.map((d) => {
    const command = restoreCommandFor(d);
    const where = command
      ? `the backup of ${d.executionId} holds them; after the rollback, restore them with \`${command}\` (it replaces those tables' rows with the backed-up ones)`
      : `no backup of ${d.executionId} remains (expired or deleted), so they cannot be restored`;
    const why = d.why ? ` (${d.why})` : '';
    return `undoing ${d.migration} does not bring back the values its up section destroyed in ${d.tables.join(', ')}${why}: ${where}`;
  });
  throw new BackupError(
    `${lines.join('; ')} — nothing was changed. To roll back knowing this, run \`stepmigrate rollback --to ${run.plan.toVersion} --allow-irreversible\``,
  );
}
