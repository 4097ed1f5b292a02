// The Backup step of a down run puts back, where that is safe, the values an earlier run's
// up section destroyed and the down section cannot: it stages the earlier backup's rows in
// a table of the history schema, and the down section's own transaction then merges them
// (merge-down-run-data.ts), so Apply never needs the backup store.
//
// Safe means no row written since that earlier run is overwritten:
//  - columns the up section dropped, on a table with a primary key: the down section
//    re-adds them empty, and each backed-up value goes back into its row by key;
//  - a table the up section dropped and the down section re-creates: it is empty, and gets
//    every backed-up row.
// Anything else (rows deleted or rewritten, no primary key) is left to a person, with the
// exact restore command.

import { createHash } from 'node:crypto';
import type { BackupStore, SqlConnection } from '../../ports.ts';
import type { EngineContext } from '../context.ts';
import { messageOf } from '../errors.ts';
import { ensureHistory } from '../history.ts';
import type { RunState } from '../run-state.ts';
import { analyzeMigration, type ClassifiedStatement } from '../sql/classify.ts';
import { quoteIdent, quoteLiteral } from '../sql/identifiers.ts';
import { migrationOf } from '../step-support.ts';
import { withTransaction } from '../transaction.ts';
import { qualifiedName, setCopySessionSql } from './copy-format.ts';
import { type DataInEarlierBackup, restoreCommandFor } from './data-for-down-run.ts';
import { loadTable } from './load-table.ts';
import type { SequenceState, TableBackup } from './manifest.ts';

/** What one staging table holds and how to merge it; kept as the staging table's comment. */
export interface StagedDownRunData {
  /** The down run that staged it. */
  executionId: string;
  /** The migration whose down section merges it. */
  version: string;
  migration: string;
  /** columns: UPDATE re-added columns by primary key; rows: INSERT into the re-created, empty table. */
  kind: 'columns' | 'rows';
  /** The table the values go back into. */
  schema: string;
  table: string;
  name: string;
  keyColumns: string[];
  /** The columns whose values go back, with their backed-up types. */
  columns: { name: string; type: string }[];
  /** For a re-created table: its sequences' values when the earlier backup ran. */
  sequences: SequenceState[];
  rows: number;
  /** The earlier run whose backup holds the values, and the restore command that does it by hand. */
  from: string;
  /** The earlier manifest: its location (what `restore --from` takes) and its key in the store. */
  manifest: string;
  manifestKey: string;
  restoreCommand: string | null;
  /** The staging table, in the history schema. */
  staging: string;
}

/** A table to stage, with the backed-up table it is loaded from (not part of the comment). */
type PlannedStaging = StagedDownRunData & { backup: TableBackup };

export interface DownRunDataPlan {
  staged: PlannedStaging[];
  /** What the down run does not bring back, each with why. */
  left: DataInEarlierBackup[];
}

export const stagingPrefix = 'down_data_';

function stagingName(executionId: string, version: string, table: string): string {
  const hash = createHash('sha256').update(`${executionId}\0${version}\0${table}`).digest('hex');
  return `${stagingPrefix}${hash.slice(0, 20)}`;
}

/** Decides, table by table, what the down run can bring back itself; changes nothing. */
export async function planDownRunData(
  ctx: EngineContext,
  run: RunState,
  earlier: readonly DataInEarlierBackup[],
): Promise<DownRunDataPlan> {
  const plan: DownRunDataPlan = { staged: [], left: [] };
  for (const data of earlier) {
    // The earlier manifest, read once per earlier run by dataInEarlierBackups; none: no backup remains.
    const manifest = data.backup;
    if (!manifest || !data.manifest) {
      plan.left.push(data);
      continue;
    }
    const migration = migrationOf(ctx, data.version);
    if (migration.down?.transaction === false) {
      // The merge must commit with the down section or not at all.
      plan.left.push({ ...data, why: 'its down section runs outside a transaction' });
      continue;
    }
    const analysis = analyzeMigration(migration);
    const left = new Map<string, string[]>();
    for (const name of data.tables) {
      const backup = manifest.tables.find((t) => t.name === name)!;
      const decided = await decide(ctx, analysis.statements, backup);
      if (typeof decided === 'string') {
        left.set(decided, [...(left.get(decided) ?? []), name]);
        continue;
      }
      if (decided === undefined) continue;
      plan.staged.push({
        ...decided,
        executionId: run.executionId,
        version: data.version,
        migration: data.migration,
        schema: backup.schema,
        table: backup.table,
        name,
        rows: backup.rows,
        from: data.executionId,
        manifest: data.manifest,
        manifestKey: data.manifestKey,
        restoreCommand: restoreCommandFor({ ...data, tables: [name] }) ?? null,
        staging: stagingName(run.executionId, data.version, name),
        backup,
      });
    }
    for (const [why, tables] of left) plan.left.push({ ...data, tables, why });
  }
  return plan;
}

type Decision = Pick<StagedDownRunData, 'kind' | 'keyColumns' | 'columns' | 'sequences'> | string | undefined;

/** How the values of one table come back, a reason why they cannot, or undefined: nothing to bring back. */
async function decide(
  ctx: EngineContext,
  statements: ReturnType<typeof analyzeMigration>['statements'],
  backup: TableBackup,
): Promise<Decision> {
  const changes = statements.up
    .filter((statement) => statement.destroys.includes(backup.name))
    .flatMap((statement) => changesOn(statement, backup.name));
  const typeOf = (name: string) => backup.columns.find((c) => c.name === name)!.type;
  if (changes.length > 0 && changes.every((change) => change.kind === 'drop_table')) {
    const recreated = statements.down.some((s) =>
      s.changes.some((change) => change.kind === 'create_table' && change.object === backup.name),
    );
    if (!recreated) return 'its down section does not re-create the table';
    return {
      kind: 'rows',
      keyColumns: [],
      columns: backup.copyColumns.map((name) => ({ name, type: typeOf(name) })),
      sequences: backup.sequences,
    };
  }
  if (changes.length === 0 || !changes.every((change) => change.kind === 'drop_column')) {
    return 'its up section deleted or rewrote rows: putting the backed-up rows back would replace rows written since';
  }
  const dropped = changes
    .map((change) => change.columnName)
    .filter((name): name is string => name !== undefined && backup.copyColumns.includes(name));
  if (dropped.length === 0) return undefined;
  const key = await primaryKeyNow(ctx, backup);
  if (key.length === 0) return 'the table has no primary key to match the backed-up rows by';
  if (key.some((column) => !backup.copyColumns.includes(column) || dropped.includes(column))) {
    return 'its primary key is not the one the backup has';
  }
  return {
    kind: 'columns',
    keyColumns: key,
    columns: dropped.map((name) => ({ name, type: typeOf(name) })),
    sequences: [],
  };
}

function changesOn(statement: ClassifiedStatement, table: string) {
  return statement.changes.filter((change) => change.table === table || change.object === table);
}

async function primaryKeyNow(ctx: EngineContext, backup: TableBackup): Promise<string[]> {
  const { rows } = await ctx.db.withConnection((conn) =>
    conn.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [qualifiedName(backup.schema, backup.table)],
    ),
  );
  return rows.map((row) => row.name);
}

/**
 * Loads each staged table's backed-up rows into its staging table (checked against the
 * manifest's SHA-256 while loading) and records how to merge them as the table's comment.
 * A table that cannot be staged (its object is damaged, a type it needs is gone) moves to
 * what the run leaves behind, with why: the plan that comes back says what is left.
 */
export async function stageDownRunData(
  ctx: EngineContext,
  store: BackupStore,
  plan: DownRunDataPlan,
): Promise<DownRunDataPlan> {
  if (plan.staged.length === 0) return plan;
  const result: DownRunDataPlan = { staged: [], left: [...plan.left] };
  await ctx.db.withConnection(async (conn) => {
    await ensureHistory(conn, ctx.historySchema);
    for (const staged of plan.staged) {
      try {
        await withTransaction(conn, 'BEGIN', () => stageOne(conn, ctx.historySchema, store, staged));
        ctx.log?.(`staged ${staged.rows} backed-up rows of ${staged.name} for undoing ${staged.migration}`);
        result.staged.push(staged);
      } catch (error) {
        result.left.push({
          migration: staged.migration,
          version: staged.version,
          tables: [staged.name],
          executionId: staged.from,
          manifest: staged.manifest,
          manifestKey: staged.manifestKey,
          why: `its backup cannot be staged: ${messageOf(error)}`,
        });
      }
    }
  });
  return result;
}

async function stageOne(
  conn: SqlConnection,
  historySchema: string,
  store: BackupStore,
  { backup, ...staged }: PlannedStaging,
): Promise<void> {
  const table = qualifiedName(historySchema, staged.staging);
  const columns = backup.copyColumns.map((name) => {
    const type = backup.columns.find((c) => c.name === name)!.type;
    return `${quoteIdent(name)} ${type}`;
  });
  // One round trip before the load; the staging table and its comment commit with the rows or not at all.
  await conn.query(
    [
      setCopySessionSql(),
      `DROP TABLE IF EXISTS ${table}`,
      `CREATE TABLE ${table} (${columns.join(', ')})`,
      `COMMENT ON TABLE ${table} IS ${quoteLiteral(JSON.stringify(staged))}`,
    ].join('; '),
  );
  await loadTable(conn, store, { ...backup, schema: historySchema, table: staged.staging });
}
