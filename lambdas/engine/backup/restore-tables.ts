// Restore: puts tables back exactly as a backup holds them, in ONE transaction that commits
// only after every restored table has been read back and matched against the manifest.
// Any failure (missing or corrupt object, checksum mismatch, broken foreign key) rolls the
// whole restore back, so the database is either fully restored or untouched.

import type { BackupStore, Database, SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { withTransaction } from '../transaction.ts';
import { asBackupError } from './backup-error.ts';
import { qualifiedName, setCopySessionSql } from './copy-format.ts';
import { recreateMissingViews } from './dependent-views.ts';
import { emptyTables } from './empty-tables.ts';
import { checkForeignKeys, relationTree } from './foreign-keys.ts';
import { parentsFirst } from './load-order.ts';
import { loadTable } from './load-table.ts';
import { type BackupManifest, readManifest, type TableBackup, type ViewBackup } from './manifest.ts';
import {
  addColumns,
  addMissingColumnComments,
  addMissingForeignKeys,
  addMissingPolicies,
  missingColumns,
  reattachPartition,
  recreateMissingPartitions,
  recreateTable,
  tableExists,
} from './recreate-table.ts';
import { restoreSequences } from './sequences.ts';
import { disableUserTriggers, enterReplicaMode, restoreTriggers } from './triggers.ts';
import { type Verification, verifyRestoredTable } from './verify-restore.ts';

export interface RestoreDependencies {
  db: Database;
  store: BackupStore;
  log?: (line: string) => void;
}

/** replace: restore and commit. check: do everything, verify, then roll back (proves the backup restores). */
export type RestoreMode = 'replace' | 'check';

export interface RestoreRequest {
  /** The manifest itself, or its key in the store. */
  manifest: BackupManifest | string;
  /** "schema.table" names; default every table in the backup. */
  tables?: string[];
  mode?: RestoreMode;
}

export interface RestoredTable {
  name: string;
  rows: number;
  bytes: number;
  sha256: string;
  recreated: boolean;
  addedColumns: string[];
  verifiedBy: Verification;
}

export interface RestoreResult {
  executionId: string;
  database: string;
  mode: RestoreMode;
  committed: boolean;
  tables: RestoredTable[];
  /** Views and materialized views over the restored tables that were gone and were recreated. */
  recreatedViews: string[];
}

export async function restoreTables(
  deps: RestoreDependencies,
  request: RestoreRequest,
): Promise<RestoreResult> {
  const manifest =
    typeof request.manifest === 'string'
      ? await readManifest(deps.store, request.manifest)
      : request.manifest;
  const tables = selectTables(manifest, request.tables);
  const mode = request.mode ?? 'replace';
  const restored = await deps.db.withConnection(async (connection) => {
    try {
      return await withTransaction(
        connection,
        'BEGIN',
        () => restoreInTransaction(connection, deps, tables, manifest.views ?? []),
        mode === 'replace' ? 'COMMIT' : 'ROLLBACK',
      );
    } catch (error) {
      throw asBackupError(
        error,
        `restoring ${tables.map((t) => t.name).join(', ')} failed and was rolled back; nothing changed`,
      );
    }
  });
  return {
    executionId: manifest.executionId,
    database: manifest.database,
    mode,
    committed: mode === 'replace',
    tables: restored.tables,
    recreatedViews: restored.recreatedViews,
  };
}

/**
 * What Rollback calls after the down sections ran: puts back the data of the tables the run
 * destroyed or rewrote. Tables that did not exist when the backup ran have nothing to restore.
 */
export async function restoreAfterDown(
  deps: RestoreDependencies,
  manifestKey: string,
  tables: readonly string[],
): Promise<RestoreResult> {
  const manifest = await readManifest(deps.store, manifestKey);
  const missing = new Set(manifest.missingAtBackup);
  const wanted = tables.filter((name) => !missing.has(name));
  if (wanted.length === 0) {
    return {
      executionId: manifest.executionId,
      database: manifest.database,
      mode: 'replace',
      committed: false,
      tables: [],
      recreatedViews: [],
    };
  }
  return restoreTables(deps, { manifest, tables: wanted, mode: 'replace' });
}

function selectTables(manifest: BackupManifest, names: readonly string[] | undefined): TableBackup[] {
  if (names === undefined) return manifest.tables;
  const wanted = new Set<TableBackup>();
  for (const name of new Set(names)) {
    const table = manifest.tables.find((t) => t.name === name || qualifiedName(t.schema, t.table) === name);
    if (!table) {
      const held = manifest.tables.map((t) => t.name).join(', ') || 'no tables';
      throw new BackupError(
        `table ${name} is not in the backup of execution ${manifest.executionId} (it holds: ${held})`,
      );
    }
    wanted.add(table);
    for (const partition of partitionsBelow(manifest, table)) wanted.add(partition);
  }
  // Manifest order: a partitioned table comes before its partitions.
  return manifest.tables.filter((table) => wanted.has(table));
}

/** The partitions below a partitioned table whose rows live in them (format 2), at any depth. */
function partitionsBelow(manifest: BackupManifest, parent: TableBackup): TableBackup[] {
  if (!parent.rowsInPartitions) return [];
  const children = manifest.tables.filter(
    (t) => t.partition?.of === qualifiedName(parent.schema, parent.table),
  );
  return children.flatMap((child) => [child, ...partitionsBelow(manifest, child)]);
}

async function restoreInTransaction(
  connection: SqlConnection,
  deps: RestoreDependencies,
  tables: TableBackup[],
  views: readonly ViewBackup[],
): Promise<{ tables: RestoredTable[]; recreatedViews: string[] }> {
  await connection.query(setCopySessionSql());
  const replicaMode = await enterReplicaMode(connection);
  if (!replicaMode) await connection.query('SET CONSTRAINTS ALL DEFERRED');
  const recreated = new Set<string>();
  for (const table of tables) {
    if (await tableExists(connection, table)) {
      await recreateMissingPartitions(connection, table);
      await reattachPartition(connection, table);
      continue;
    }
    await recreateTable(connection, table);
    recreated.add(table.name);
    deps.log?.(`recreated ${table.name} from the backup manifest`);
  }
  const sqlNames = tables.map((t) => qualifiedName(t.schema, t.table));
  await connection.query(`LOCK TABLE ${sqlNames.join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const tree = await relationTree(connection, sqlNames);
  // A format-2 partitioned table holds no rows of its own: its partitions are emptied one by one.
  await emptyTables(
    connection,
    tables.filter((t) => !t.rowsInPartitions),
    tree,
    replicaMode,
  );
  const added = new Map<string, string[]>();
  for (const table of tables) {
    const names = await missingColumns(connection, table);
    if (names.length > 0) await addColumns(connection, table, names);
    added.set(table.name, names);
  }
  const triggers = await disableUserTriggers(connection, sqlNames, replicaMode);
  const ordered = replicaMode ? tables : await parentsFirst(connection, tables);
  for (const table of ordered) {
    const started = Date.now();
    await loadTable(connection, deps.store, table);
    deps.log?.(`loaded ${table.name}: ${table.rows} rows in ${Date.now() - started} ms`);
  }
  await restoreSequences(connection, tables);
  for (const table of tables) await addMissingForeignKeys(connection, table);
  for (const table of tables) {
    await addMissingPolicies(connection, table);
    await addMissingColumnComments(connection, table);
  }
  if (replicaMode) await checkForeignKeys(connection, await relationTree(connection, sqlNames));
  await restoreTriggers(connection, triggers);
  // Views last: a materialized view recreated WITH DATA is computed from the restored rows.
  const recreatedViews = await recreateMissingViews(
    connection,
    views,
    tables.map((t) => t.name),
  );
  for (const view of recreatedViews) deps.log?.(`recreated ${view} from the backup manifest`);
  const restored: RestoredTable[] = [];
  for (const table of tables) {
    const verifiedBy = await verifyRestoredTable(connection, deps.store, table);
    restored.push({
      name: table.name,
      rows: table.rows,
      bytes: table.bytes,
      sha256: table.sha256,
      recreated: recreated.has(table.name),
      addedColumns: added.get(table.name) ?? [],
      verifiedBy,
    });
  }
  return { tables: restored, recreatedViews };
}
