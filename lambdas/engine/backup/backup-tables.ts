// The Backup step: every table the plan can destroy or rewrite, streamed in parallel from
// one consistent snapshot into the backup store, plus a manifest that says what each
// object holds and how to recreate its table.
import { Readable } from 'node:stream';
import type { BackupStore, Database, SqlConnection } from '../../ports.ts';
import type { DatabaseSnapshotRecord } from '../database-snapshot.ts';
import { BackupError } from '../errors.ts';
import type { BackupSummary } from '../run-state.ts';
import { asBackupError } from './backup-error.ts';
import { copySessionSettings, qualifiedName } from './copy-format.ts';
import { copyTableToStore, TransientStoreError } from './copy-to-store.ts';
import { describeDependentViews } from './dependent-views.ts';
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
import { describeTables, findTables, type RelationRow, type TableDescription } from './table-catalog.ts';

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
  /** Recorded in the manifest as it is: the whole-database snapshot taken before this backup. */
  databaseSnapshot?: DatabaseSnapshotRecord;
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
    const started = Date.now();
    let catalogMs = 0;
    // The copy workers connect and import the snapshot while the coordinator reads the
    // catalog; they start copying only once every table is locked and described.
    const prepared = (async () => {
      const { found, missing } = await findTables(coordinator, request.tables);
      await lockTables(coordinator, found);
      const described = await describeTables(coordinator, found);
      const order = await largestFirst(coordinator, described);
      const views = await describeDependentViews(coordinator, described);
      catalogMs = Date.now() - started;
      return { missing, described, order, views };
    })();
    const [catalog, copies] = await Promise.allSettled([
      prepared,
      copyTables(
        deps,
        request,
        snapshotId,
        prepared.then((p) => p.order),
      ),
    ]);
    if (catalog.status === 'rejected') throw catalog.reason;
    if (copies.status === 'rejected') throw copies.reason;
    const { missing, described, views } = catalog.value;
    const tables = copies.value;
    deps.log?.(
      `backup timing: catalog ${catalogMs} ms for ${described.length} table(s), copies ${Date.now() - started - catalogMs} ms more`,
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
      // Catalog order: a partitioned table before its partitions, so a restore can recreate in order.
      tables: described.map((d) => byName.get(`${d.schema}.${d.table}`)!),
      missingAtBackup: missing,
      ...(request.databaseSnapshot ? { databaseSnapshot: request.databaseSnapshot } : {}),
      views,
    } satisfies BackupManifest;
  });
}

/** ACCESS SHARE only blocks DDL that would drop or rewrite a table while it is being read. */
async function lockTables(connection: SqlConnection, relations: readonly RelationRow[]): Promise<void> {
  if (relations.length === 0) return;
  const names = relations.map((relation) => qualifiedName(relation.schema, relation.table));
  await connection.query(`LOCK TABLE ${names.map((name) => `ONLY ${name}`).join(', ')} IN ACCESS SHARE MODE`);
}

async function largestFirst(
  connection: SqlConnection,
  tables: TableDescription[],
): Promise<TableDescription[]> {
  const { rows } = await connection.query<{ oid: number; size: string }>(
    'SELECT t.oid::int AS oid, pg_table_size(t.oid::regclass)::text AS size FROM unnest($1::oid[]) AS t(oid)',
    [tables.map((table) => table.oid)],
  );
  const sizes = new Map(rows.map((row) => [row.oid, Number(row.size)]));
  return [...tables].sort((a, b) => (sizes.get(b.oid) ?? 0) - (sizes.get(a.oid) ?? 0));
}

/**
 * `concurrency` workers, each ONE connection in the exported snapshot, take tables off one
 * queue, largest first, once `ready` says which tables (locked and described) to copy. A
 * connection per table cost more than copying a small table. A store failure aborts the
 * worker's transaction (the COPY is cancelled): the worker puts its table back and starts
 * again on a fresh connection, up to the retry limit.
 */
async function copyTables(
  deps: BackupDependencies,
  request: BackupRequest,
  snapshotId: string,
  ready: Promise<readonly TableDescription[]>,
): Promise<TableBackup[]> {
  if (request.tables.length === 0) {
    ready.catch(() => {}); // the caller sees the catalog's failure from its own promise
    return [];
  }
  // One queue shared by every worker, made once the tables are known.
  const queued = ready.then((tables) => [...tables]);
  const done: TableBackup[] = [];
  let failure: { error: unknown } | undefined;
  const worker = () =>
    withRetries(
      () =>
        withImportedSnapshot(deps.db, snapshotId, async (connection) => {
          const queue = await queued;
          while (!failure && queue.length > 0) {
            const table = queue.shift()!;
            try {
              done.push(await backupOneTable(deps, request, connection, table));
            } catch (error) {
              if (error instanceof TransientStoreError) queue.unshift(table);
              throw error;
            }
          }
        }),
      {
        ...defaultStoreRetry,
        retryable: (error) => !failure && error instanceof TransientStoreError,
        onRetry: (error, attempt) =>
          deps.log?.(`backup: attempt ${attempt} failed (${String(error)}); retrying on a new connection`),
      },
    ).catch((error) => {
      failure ??= { error };
    });
  const workers = Math.max(
    1,
    Math.min(request.concurrency ?? defaultBackupConcurrency, request.tables.length),
  );
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  return done;
}

async function backupOneTable(
  deps: BackupDependencies,
  request: BackupRequest,
  connection: SqlConnection,
  table: TableDescription,
): Promise<TableBackup> {
  const name = `${table.schema}.${table.table}`;
  const key = tableKey(request.database, request.executionId, name);
  const started = Date.now();
  const rowsInPartitions = table.partitioned;
  const { digest, stored } = await copyTableToStore(
    deps.db,
    connection,
    deps.store,
    { ...table, rowsInPartitions, name },
    key,
    request.gzipLevel ?? defaultGzipLevel,
  );
  deps.log?.(`backed up ${name}: ${digest.rows} rows, ${digest.bytes} bytes in ${Date.now() - started} ms`);
  const backup: TableBackup = {
    name,
    schema: table.schema,
    table: table.table,
    partitioned: table.partitioned,
    owner: table.owner,
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
  if (rowsInPartitions) backup.rowsInPartitions = true;
  if (table.partition) backup.partition = table.partition;
  if (table.partitionKey) backup.partitionKey = table.partitionKey;
  return backup;
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
