// The Backup step: every table the plan can destroy or rewrite, streamed in parallel from
// one consistent snapshot into the backup store, plus a manifest that says what each
// object holds and how to recreate its table.
import { Readable } from 'node:stream';
import type { BackupStore, Database, SqlConnection } from '../../ports.ts';
import type { DatabaseSnapshotRecord } from '../database-snapshot.ts';
import { BackupError } from '../errors.ts';
import type { BackupSummary } from '../run-state.ts';
import { asBackupError } from './backup-error.ts';
import { type ChunkRange, pageRanges, pageRangesSinceVersion } from './chunk-ranges.ts';
import { copySessionSettings, qualifiedName } from './copy-format.ts';
import { type CopiedTable, copyTableToStore, TransientStoreError } from './copy-to-store.ts';
import { describeDependentViews } from './dependent-views.ts';
import { chunkedDigest } from './digest-stream.ts';
import {
  type BackupManifest,
  backupPrefix,
  chunkedManifestFormatVersion,
  chunkKey,
  manifestBody,
  manifestFormatVersion,
  manifestKey,
  type TableBackup,
  type TableChunk,
  tableKey,
} from './manifest.ts';
import { defaultStoreRetry, withRetries } from './retry.ts';
import { withExportedSnapshot, withImportedSnapshot } from './snapshot.ts';
import { describeTables, type FoundTable, findTables, type TableDescription } from './table-catalog.ts';

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
  /**
   * COPY streams at once, each its own connection in the snapshot, taking tables (and the
   * chunks of big ones) off one queue. Default 2: the machines we run on have two cores.
   */
  concurrency?: number;
  /**
   * Heap bytes per chunk: a table of at least twice this is read by several streams, in page
   * ranges, each its own object (0: never cut). Default 32 MiB.
   */
  chunkBytes?: number;
  /** gzip level 1–9. Default 1: 1.5–2× faster than 6, objects a little larger (or not: it depends on the data). */
  gzipLevel?: number;
}

export const defaultBackupConcurrency = 2;
export const defaultGzipLevel = 1;
export const defaultChunkBytes = 32 * 1024 * 1024;

export async function backupTables(deps: BackupDependencies, request: BackupRequest): Promise<BackupSummary> {
  const timing = new Timing();
  try {
    // A retried Backup rewrites this execution's objects without flushing each one: first
    // remove the manifest an earlier attempt wrote, so none names an object not yet durable.
    if (deps.store.sync) await deps.store.delete([manifestKey(request.database, request.executionId)]);
    // What earlier attempts left under the prefix, listed while this one copies.
    const earlier = listEarlierObjects(deps.store, request);
    const manifest = await snapshotTables(deps, request, timing);
    timing.mark('commit');
    const summary = await writeManifest(deps, manifest, timing, earlier);
    deps.log?.(`backup timing: ${timing.report()} (${manifest.tables.length} table(s))`);
    return summary;
  } catch (error) {
    throw asBackupError(
      error,
      `backup of ${request.tables.join(', ')} for execution ${request.executionId} failed`,
    );
  }
}

/** Where a backup's time goes, phase by phase: `npm run bench backup` reports it. */
class Timing {
  private last = Date.now();
  private readonly phases: string[] = [];

  mark(phase: string, note = ''): void {
    const now = Date.now();
    this.phases.push(`${phase} ${now - this.last} ms${note}`);
    this.last = now;
  }

  report(): string {
    return this.phases.join(', ');
  }
}

async function snapshotTables(
  deps: BackupDependencies,
  request: BackupRequest,
  timing: Timing,
): Promise<BackupManifest> {
  return withExportedSnapshot(deps.db, async (coordinator, snapshotId) => {
    timing.mark('connect');
    const streams = Math.max(1, request.concurrency ?? defaultBackupConcurrency);
    // The copy workers connect and import the snapshot while the coordinator finds and locks
    // the tables; they copy while the coordinator describes them (the DDL the manifest keeps).
    const prepared = (async () => {
      const { found, missing } = await findTables(coordinator, request.tables);
      const server = await lockTables(coordinator, found);
      const pieces = plan(found, server, streams, request.chunkBytes ?? defaultChunkBytes);
      timing.mark('catalog');
      return { missing, found, pieces, server };
    })();
    let describedMs = 0;
    const description = prepared.then(async ({ found }) => {
      const started = Date.now();
      const described = await describeTables(coordinator, found);
      const views = await describeDependentViews(coordinator, described);
      describedMs = Date.now() - started;
      return { described, views };
    });
    // A backup whose tables cannot be described will fail: take no more pieces.
    let abandoned = false;
    description.catch(() => {
      abandoned = true;
    });
    const [catalog, tablesDescribed, copies] = await Promise.allSettled([
      prepared,
      description,
      copyPieces(
        deps,
        request,
        snapshotId,
        streams,
        prepared.then((p) => p.pieces),
        () => abandoned,
      ),
    ]);
    if (catalog.status === 'rejected') throw catalog.reason;
    if (tablesDescribed.status === 'rejected') throw tablesDescribed.reason;
    if (copies.status === 'rejected') throw copies.reason;
    const { missing, pieces, server } = catalog.value;
    const { described, views } = tablesDescribed.value;
    timing.mark(
      'copies',
      ` (${pieces.length} piece(s) on ${Math.min(streams, pieces.length)} stream(s), described alongside in ${describedMs} ms)`,
    );
    // Catalog order: a partitioned table before its partitions, so a restore can recreate in order.
    const tables = described.map((table) => tableBackup(request, table, copies.value));
    return {
      formatVersion: tables.some((t) => t.chunks) ? chunkedManifestFormatVersion : manifestFormatVersion,
      executionId: request.executionId,
      database: request.database,
      serverVersion: server.version,
      fingerprintBefore: request.fingerprintBefore,
      createdAt: new Date().toISOString(),
      format: { copy: 'text', compression: 'gzip', settings: { ...copySessionSettings } },
      tables,
      missingAtBackup: missing,
      ...(request.databaseSnapshot ? { databaseSnapshot: request.databaseSnapshot } : {}),
      views,
    } satisfies BackupManifest;
  });
}

interface ServerFacts {
  version: string;
  versionNum: number;
  blockSize: number;
}

/**
 * ACCESS SHARE only blocks DDL that would drop or rewrite a table while it is being read.
 * The same round trip reads what the server is.
 */
async function lockTables(connection: SqlConnection, relations: readonly FoundTable[]): Promise<ServerFacts> {
  const names = relations.map((relation) => qualifiedName(relation.schema, relation.table));
  const lock =
    names.length > 0
      ? `LOCK TABLE ${names.map((name) => `ONLY ${name}`).join(', ')} IN ACCESS SHARE MODE; `
      : '';
  const { rows } = await connection.query<{ version: string; version_num: number; block_size: number }>(
    `${lock}SELECT current_setting('server_version') AS version,
            current_setting('server_version_num')::int AS version_num,
            current_setting('block_size')::int AS block_size`,
  );
  const server = rows[0]!;
  return { version: server.version, versionNum: server.version_num, blockSize: server.block_size };
}

/** One COPY stream's work: a whole table, or one chunk of a big one. */
interface Piece {
  table: FoundTable;
  name: string;
  /** Chunk number from 0; a table of one piece has no range. */
  index: number;
  range?: ChunkRange;
}

interface CopiedPiece {
  piece: Piece;
  key: string;
  copied: CopiedTable;
}

/**
 * Largest table first; a table of at least two chunks is cut into page ranges, a multiple
 * of the stream count, so every stream works until the end. Chunks of one table stay in order.
 */
function plan(
  tables: readonly FoundTable[],
  server: ServerFacts,
  streams: number,
  chunkBytes: number,
): Piece[] {
  const bySize = [...tables].sort((a, b) => b.size - a.size);
  return bySize.flatMap((table) => {
    const name = `${table.schema}.${table.table}`;
    const cuttable =
      server.versionNum >= pageRangesSinceVersion && table.relkind === 'r' && table.copyColumns.length > 0;
    const ranges = cuttable
      ? pageRanges({
          pages: table.pages,
          blockSize: server.blockSize,
          chunkBytes,
          streams,
        })
      : [];
    if (ranges.length === 0) return [{ table, name, index: 0 }];
    return ranges.map((range, index) => ({ table, name, index, range }));
  });
}

/**
 * `streams` workers, each ONE connection in the exported snapshot, take pieces off one
 * queue, largest table first, once `ready` says what to copy (every table locked and
 * described). A connection per table cost more than copying a small table. A store failure
 * aborts the worker's transaction (the COPY is cancelled): the worker puts its piece back and
 * starts again on a fresh connection, up to the retry limit.
 */
async function copyPieces(
  deps: BackupDependencies,
  request: BackupRequest,
  snapshotId: string,
  streams: number,
  ready: Promise<readonly Piece[]>,
  abandoned: () => boolean,
): Promise<CopiedPiece[]> {
  if (request.tables.length === 0) {
    ready.catch(() => {}); // the caller sees the catalog's failure from its own promise
    return [];
  }
  // One queue shared by every worker, made once the pieces are known.
  const queued = ready.then((pieces) => [...pieces]);
  const done: CopiedPiece[] = [];
  let failure: { error: unknown } | undefined;
  const worker = () =>
    withRetries(
      () =>
        withImportedSnapshot(deps.db, snapshotId, async (connection) => {
          const queue = await queued;
          while (!failure && !abandoned() && queue.length > 0) {
            const piece = queue.shift()!;
            try {
              done.push(await copyPiece(deps, request, connection, piece));
            } catch (error) {
              if (error instanceof TransientStoreError) queue.unshift(piece);
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
  // Workers for the tables asked for connect while the catalog is read; more join once the
  // pieces are known, when a big table was cut into more pieces than there are tables.
  const early = Math.min(streams, request.tables.length);
  const late = queued.then(
    (pieces) => Math.min(streams, pieces.length) - early,
    () => 0, // the caller reports the catalog's failure
  );
  const running = Array.from({ length: early }, worker);
  running.push(
    late.then((count) => Promise.all(Array.from({ length: Math.max(0, count) }, worker))).then(() => {}),
  );
  await Promise.all(running);
  if (failure) throw failure.error;
  return done;
}

async function copyPiece(
  deps: BackupDependencies,
  request: BackupRequest,
  connection: SqlConnection,
  piece: Piece,
): Promise<CopiedPiece> {
  const { table, name } = piece;
  const key = piece.range
    ? chunkKey(request.database, request.executionId, name, piece.index)
    : tableKey(request.database, request.executionId, name);
  const started = Date.now();
  const copied = await copyTableToStore(
    deps.db,
    connection,
    deps.store,
    {
      schema: table.schema,
      table: table.table,
      partitioned: table.relkind === 'p',
      rowsInPartitions: table.relkind === 'p',
      copyColumns: table.copyColumns,
      name,
      range: piece.range,
    },
    key,
    request.gzipLevel ?? defaultGzipLevel,
  );
  const what = piece.range ? `${name} chunk ${piece.index + 1}` : name;
  deps.log?.(
    `backed up ${what}: ${copied.digest.rows} rows, ${copied.digest.bytes} bytes in ${Date.now() - started} ms`,
  );
  return { piece, key, copied };
}

/** The manifest entry of one table, from its pieces in chunk order. */
function tableBackup(
  request: BackupRequest,
  table: TableDescription,
  copies: readonly CopiedPiece[],
): TableBackup {
  const name = `${table.schema}.${table.table}`;
  const pieces = copies
    .filter((c) => c.piece.table.oid === table.oid)
    .sort((a, b) => a.piece.index - b.piece.index);
  const first = pieces[0];
  if (!first) throw new BackupError(`backup of ${name} for execution ${request.executionId} copied nothing`);
  // The lock keeps columns from changing between the find and the description; say so if not.
  if (first.piece.table.copyColumns.join('\u0000') !== table.copyColumns.join('\u0000')) {
    throw new BackupError(
      `the columns of ${name} changed while it was backed up (copied ${first.piece.table.copyColumns.join(', ')}; ` +
        `described ${table.copyColumns.join(', ')}): run the Backup step again`,
    );
  }
  const chunks: TableChunk[] | undefined = first.piece.range
    ? pieces.map(({ key, copied, piece }) => ({
        key,
        location: copied.stored.location,
        rows: copied.digest.rows,
        bytes: copied.digest.bytes,
        compressedBytes: copied.stored.bytes,
        sha256: copied.digest.sha256,
        range: piece.range!,
      }))
    : undefined;
  const sum = (of: (c: CopiedPiece) => number) => pieces.reduce((total, c) => total + of(c), 0);
  const backup: TableBackup = {
    name,
    schema: table.schema,
    table: table.table,
    partitioned: table.partitioned,
    owner: table.owner,
    rows: sum((c) => c.copied.digest.rows),
    bytes: sum((c) => c.copied.digest.bytes),
    compressedBytes: sum((c) => c.copied.stored.bytes),
    sha256: chunks ? chunkedDigest(chunks.map((c) => c.sha256)) : first.copied.digest.sha256,
    key: first.key,
    location: first.copied.stored.location,
    columns: table.columns,
    copyColumns: table.copyColumns,
    ddl: table.ddl,
    sequences: table.sequences,
  };
  if (table.partitioned) backup.rowsInPartitions = true;
  if (table.partition) backup.partition = table.partition;
  if (table.partitionKey) backup.partitionKey = table.partitionKey;
  if (chunks) backup.chunks = chunks;
  return backup;
}

type EarlierObjects = Promise<{ keys: string[] } | { error: unknown }>;

/** Never rejects: a failure is reported when the leftovers are tidied, after the manifest. */
function listEarlierObjects(store: BackupStore, request: BackupRequest): EarlierObjects {
  return store.list(backupPrefix(request.database, request.executionId)).then(
    (objects) => ({ keys: objects.map((object) => object.key) }),
    (error: unknown) => ({ error }),
  );
}

async function writeManifest(
  deps: BackupDependencies,
  manifest: BackupManifest,
  timing: Timing,
  earlier: EarlierObjects,
): Promise<BackupSummary> {
  const key = manifestKey(manifest.database, manifest.executionId);
  // The manifest is what makes a backup usable, so every object it names is durable first.
  try {
    await deps.store.sync?.();
  } catch (error) {
    throw new BackupError(
      `cannot flush the backup objects of ${manifest.executionId} to durable storage: ${String(error)}; no manifest was written`,
      { cause: error },
    );
  }
  timing.mark('sync');
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
  timing.mark('manifest');
  await deleteLeftovers(deps.store, manifest, key, earlier);
  timing.mark('tidy');
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
async function deleteLeftovers(
  store: BackupStore,
  manifest: BackupManifest,
  key: string,
  earlier: EarlierObjects,
): Promise<void> {
  const keep = new Set([
    key,
    ...manifest.tables.flatMap((t) => [t.key, ...(t.chunks ?? []).map((chunk) => chunk.key)]),
  ]);
  try {
    const listed = await earlier;
    if ('error' in listed) throw listed.error;
    const stale = listed.keys.filter((objectKey) => !keep.has(objectKey));
    if (stale.length > 0) await store.delete(stale);
  } catch (error) {
    throw new BackupError(`cannot tidy the backup prefix of ${manifest.executionId}: ${String(error)}`, {
      cause: error,
    });
  }
}
