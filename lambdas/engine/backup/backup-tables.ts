// The Backup step: every table the plan can destroy or rewrite, streamed in parallel from
// one consistent snapshot into the backup store, plus a manifest that says what each
// object holds and how to recreate its table.
import { Readable } from 'node:stream';
import type { BackupStore, Database, SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import type { BackupSummary } from '../run-state.ts';
import { asBackupError } from './backup-error.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { copySessionSettings, qualifiedName } from './copy-format.ts';
import { copyTableToStore, TransientStoreError } from './copy-to-store.ts';
import {
  type BackupManifest,
  backupPrefix,
  manifestBody,
  manifestFormatVersion,
  manifestKey,
  type TableBackup,
  tableKey,
} from './manifest.ts';
import { defaultStoreRetry, withRetries } from './retry.ts';
import { withExportedSnapshot, withImportedSnapshot } from './snapshot.ts';
import { describeTable, findTable, type RelationRow, type TableDescription } from './table-catalog.ts';

export interface BackupDependencies {
  db: Database;
  store: BackupStore;
  log?: (line: string) => void;
}

export interface BackupRequest {
  executionId: string;
  /** Display name of the target database; the first part of every key. */
  database: string;
  /** "schema.table" names. Tables that do not exist are recorded as such and skipped. */
  tables: string[];
  fingerprintBefore: string;
  /** Tables copied at once, each on its own connection. Default 2: gzip is the bottleneck. */
  concurrency?: number;
  /** gzip level 1–9. Default 1: 1.5–2× faster than 6, objects a little larger (or not: it depends on the data). */
  gzipLevel?: number;
}

export const defaultBackupConcurrency = 2;
export const defaultGzipLevel = 1;

export async function backupTables(deps: BackupDependencies, request: BackupRequest): Promise<BackupSummary> {
  try {
    return await writeManifest(deps, await snapshotTables(deps, request));
  } catch (error) {
    throw asBackupError(
      error,
      `backup of ${request.tables.join(', ')} for execution ${request.executionId} failed`,
    );
  }
}

async function snapshotTables(deps: BackupDependencies, request: BackupRequest): Promise<BackupManifest> {
  return withExportedSnapshot(deps.db, async (coordinator, snapshotId) => {
    const { found, missing } = await lockTables(coordinator, request.tables);
    const described: TableDescription[] = [];
    for (const relation of found) described.push(await describeTable(coordinator, relation));
    const order = await largestFirst(coordinator, described);
    const tables = await mapWithConcurrency(order, request.concurrency ?? defaultBackupConcurrency, (table) =>
      backupOneTable(deps, request, snapshotId, table),
    );
    const byName = new Map(tables.map((t) => [t.name, t]));
    return {
      formatVersion: manifestFormatVersion,
      executionId: request.executionId,
      database: request.database,
      serverVersion: await serverVersion(coordinator),
      fingerprintBefore: request.fingerprintBefore,
      createdAt: new Date().toISOString(),
      format: { copy: 'text', compression: 'gzip', settings: { ...copySessionSettings } },
      tables: described.map((d) => byName.get(`${d.schema}.${d.table}`)!),
      missingAtBackup: missing,
    } satisfies BackupManifest;
  });
}

async function lockTables(connection: SqlConnection, names: readonly string[]) {
  const found: RelationRow[] = [];
  const missing: string[] = [];
  const seen = new Set<number>();
  for (const name of names) {
    const relation = await findTable(connection, name);
    if (!relation) missing.push(name);
    else if (!seen.has(relation.oid)) {
      seen.add(relation.oid);
      found.push(relation);
    }
  }
  // ACCESS SHARE only blocks DDL that would drop or rewrite a table while it is being read.
  for (const relation of found) {
    await connection.query(
      `LOCK TABLE ${qualifiedName(relation.schema, relation.table)} IN ACCESS SHARE MODE`,
    );
  }
  return { found, missing };
}

async function largestFirst(
  connection: SqlConnection,
  tables: TableDescription[],
): Promise<TableDescription[]> {
  const { rows } = await connection.query<{ oid: number; size: string }>(
    `SELECT t.oid::int AS oid,
            (pg_table_size(t.oid::regclass) + coalesce((SELECT sum(pg_table_size(relid))
                                                          FROM pg_partition_tree(t.oid::regclass)), 0))::text AS size
       FROM unnest($1::oid[]) AS t(oid)`,
    [tables.map((table) => table.oid)],
  );
  const sizes = new Map(rows.map((row) => [row.oid, Number(row.size)]));
  return [...tables].sort((a, b) => (sizes.get(b.oid) ?? 0) - (sizes.get(a.oid) ?? 0));
}

async function backupOneTable(
  deps: BackupDependencies,
  request: BackupRequest,
  snapshotId: string,
  table: TableDescription,
): Promise<TableBackup> {
  const name = `${table.schema}.${table.table}`;
  const key = tableKey(request.database, request.executionId, name);
  const started = Date.now();
  const { digest, stored } = await withRetries(
    () =>
      withImportedSnapshot(deps.db, snapshotId, (connection) =>
        copyTableToStore(
          deps.db,
          connection,
          deps.store,
          { ...table, name },
          key,
          request.gzipLevel ?? defaultGzipLevel,
        ),
      ),
    {
      ...defaultStoreRetry,
      retryable: (error) => error instanceof TransientStoreError,
      onRetry: (error, attempt) =>
        deps.log?.(`backup of ${name}: attempt ${attempt} failed (${String(error)}); retrying`),
    },
  );
  deps.log?.(`backed up ${name}: ${digest.rows} rows, ${digest.bytes} bytes in ${Date.now() - started} ms`);
  return {
    name,
    schema: table.schema,
    table: table.table,
    partitioned: table.partitioned,
    rows: digest.rows,
    bytes: digest.bytes,
    compressedBytes: stored.bytes,
    sha256: digest.sha256,
    key,
    location: stored.location,
    columns: table.columns,
    copyColumns: table.copyColumns,
    ddl: table.ddl,
    sequences: table.sequences,
  };
}

async function serverVersion(connection: SqlConnection): Promise<string> {
  const { rows } = await connection.query<{ server_version: string }>('SHOW server_version');
  return rows[0]!.server_version;
}

async function writeManifest(deps: BackupDependencies, manifest: BackupManifest): Promise<BackupSummary> {
  const key = manifestKey(manifest.database, manifest.executionId);
  const stored = await withRetries(
    async () => {
      try {
        return await deps.store.put(key, Readable.from([manifestBody(manifest)]));
      } catch (error) {
        throw new TransientStoreError(`cannot write the backup manifest ${key}: ${String(error)}`, {
          cause: error,
        });
      }
    },
    { ...defaultStoreRetry, retryable: (error) => error instanceof TransientStoreError },
  );
  await deleteLeftovers(deps.store, manifest, key);
  return {
    location: stored.location,
    manifestKey: key,
    tables: manifest.tables.map(({ name, rows, bytes, sha256, key: objectKey }) => ({
      name,
      rows,
      bytes,
      sha256,
      key: objectKey,
    })),
  };
}

/** A retried Backup for a smaller table list must not leave objects the manifest does not name. */
async function deleteLeftovers(store: BackupStore, manifest: BackupManifest, key: string): Promise<void> {
  const keep = new Set([key, ...manifest.tables.map((t) => t.key)]);
  try {
    const stale = (await store.list(backupPrefix(manifest.database, manifest.executionId)))
      .map((object) => object.key)
      .filter((objectKey) => !keep.has(objectKey));
    if (stale.length > 0) await store.delete(stale);
  } catch (error) {
    throw new BackupError(`cannot tidy the backup prefix of ${manifest.executionId}: ${String(error)}`, {
      cause: error,
    });
  }
}
