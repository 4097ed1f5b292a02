// The history a run works from. While our own schema_history is empty, what another tool's
// bookkeeping records as applied counts as applied (checked against the files first), so
// the first run on an adopted database applies only what that tool had not. Reading changes
// nothing: the imported rows are written to our history by the run's first write, in the
// same transaction as its first migration (`importWriter`), so plan, status and dry runs
// leave the database as they found it.
import type { SqlConnection } from '../../ports.ts';
import type { EngineContext } from '../context.ts';
import { ChecksumMismatchError } from '../errors.ts';
import { type HistoryEntry, type HistoryWrite, readHistory, writeHistory } from '../history.ts';
import { readFlyway } from './flyway-history.ts';
import { readDbmate, readGolangMigrate } from './schema-migrations.ts';
import { readSqitchRegistry } from './sqitch-registry.ts';
import { type ToolHistory, type ToolName, type ToolReaderInput, toolOfLayout } from './tool-history.ts';

const readers: Record<ToolName, (input: ToolReaderInput) => Promise<ToolHistory | null>> = {
  flyway: readFlyway,
  sqitch: readSqitchRegistry,
  'golang-migrate': readGolangMigrate,
  dbmate: readDbmate,
};

export interface RunHistory {
  /** Our history, or — before our first write — what the other tool records, as our rows. */
  entries: HistoryEntry[];
  /** The imported rows still to be written to our history (empty once written). */
  toImport: HistoryWrite[];
  /** Where they came from. */
  imported?: ToolHistory;
}

/** Execution id of imported rows: they belong to no run of ours, and no rollback of ours undoes them. */
export function importExecutionId(tool: string): string {
  return `imported-from-${tool}`;
}

export async function readRunHistory(conn: SqlConnection, ctx: EngineContext): Promise<RunHistory> {
  return runHistoryOf(conn, ctx, await readHistory(conn, ctx.historySchema));
}

/** The run history, given our own rows already read (the step guard reads them with its lock). */
export async function runHistoryOf(
  conn: SqlConnection,
  ctx: EngineContext,
  ours: HistoryEntry[],
): Promise<RunHistory> {
  if (ours.length > 0) return { entries: ours, toImport: [] };
  const imported = await readToolHistory(conn, ctx);
  if (!imported || imported.applied.length === 0) return { entries: ours, toImport: [] };
  const toImport = importedRows(ctx, imported);
  const now = new Date().toISOString();
  const entries = toImport.map((row) => ({
    version: row.version,
    name: row.name,
    checksum: row.checksum,
    state: row.state,
    direction: row.direction,
    appliedAt: row.appliedAt ?? now,
    appliedBy: row.actor,
    executionId: row.executionId,
    durationMs: null,
    message: row.message ?? null,
  }));
  return { entries, toImport, imported };
}

/** The other tool's bookkeeping for this project's layout, or null when the database has none. */
export function readToolHistory(conn: SqlConnection, ctx: EngineContext): Promise<ToolHistory | null> {
  const tool = toolOfLayout(ctx.migrations.layout);
  if (ctx.adopt?.import === false) return Promise.resolve(null);
  return readers[tool]({ conn, set: ctx.migrations, settings: ctx.adopt ?? {} });
}

function importedRows(ctx: EngineContext, imported: ToolHistory): HistoryWrite[] {
  const byVersion = new Map(ctx.migrations.migrations.map((m) => [m.version, m]));
  return imported.applied.map((record) => {
    const migration = byVersion.get(record.version);
    if (!migration) {
      throw new ChecksumMismatchError(
        `${imported.source} (${imported.tool}) records migration ${record.version} as applied, but no file of ` +
          `${ctx.migrations.directory} is that migration — restore the file (a deployed migration must never be deleted), ` +
          'or point --migrations at the project that migrated this database; if that table is not ' +
          `${imported.tool}'s, set "adopt": { "import": false } in stepmigrate.json`,
        { migration: record.version },
      );
    }
    const how = record.baseline ? `baselined by ${imported.tool}` : `applied by ${imported.tool}`;
    return {
      version: migration.version,
      name: migration.name,
      // A Flyway repeatable changed since its last run is due again: keep it from matching the file.
      checksum: record.outdated ? `${imported.tool}:outdated` : migration.checksum,
      state: 'applied',
      direction: 'up',
      actor: record.appliedBy,
      executionId: importExecutionId(imported.tool),
      appliedAt: record.appliedAt,
      message: `${how}; imported from ${imported.source}`,
    };
  });
}

/** Writes rows to our history, inside the caller's transaction. */
export async function writeImportedRows(
  conn: SqlConnection,
  historySchema: string,
  rows: readonly HistoryWrite[],
): Promise<void> {
  for (const row of rows) await writeHistory(conn, historySchema, row);
}
